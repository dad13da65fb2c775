"""From the catalogue and a stack's settings to components.

`plan` checks every workflow of the catalogue, the way the components will
check their arguments, before anything is declared: definitions, names and
their length limits, schedules, handler packages, integrations that cannot be
granted. `declare` then creates, per workflow, its integration resources
(topics, queues, tables), its functions and its `Workflow`, in an order where
a workflow another one starts comes first.

Both build the components' arguments with the same functions, so what is
checked is what is declared.

`python -m deployment --policy-pack-config STACK` prints the policy pack's config
for a stack (`policy_pack_config`), which `scripts/stack.sh` passes to `pulumi`.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from serverless_workflows import handler_function, monitoring, workflow
from serverless_workflows.asl import house_rules
from serverless_workflows.asl.definition import WorkflowDefinition, placeholders_in, substitute
from serverless_workflows.handler_function import HandlerFunction, HandlerFunctionArgs, TaskFunctionArgs
from serverless_workflows.lambda_package import handler_archive
from serverless_workflows.monitoring import MonitoredWorkflowArgs, Monitoring, MonitoringArgs, monitored, watching
from serverless_workflows.names import workflow_names
from serverless_workflows.workflow import ScheduleArgs, Workflow, WorkflowArgs
from settings import StackSettings
from stack_files import ConfigError
from workflows.monitored import monitored as monitored_entry
from workflows.outputs import (
    ALARM_TOPIC_OUTPUT,
    DASHBOARD_OUTPUT,
    WORKFLOWS_OUTPUT,
    FunctionOutput,
    QueueOutput,
    ResourceOutput,
    ScheduleOutput,
    TableOutput,
    TopicOutput,
    WorkflowOutput,
    entry_output,
)
from workflows.spec import (
    FunctionSpec,
    Queue,
    Table,
    Topic,
    Value,
    WorkflowRef,
    WorkflowSpec,
    check_catalogue,
    in_dependency_order,
)

# AWS's limits on the names of the resources a catalogue entry may create.
NAME_LIMITS = {Topic: 256, Queue: 80, Table: 255}
# The namespaces the names of those resources must be unique in, as messages name them.
RESOURCE_KINDS = {Topic: "an SNS topic", Queue: "an SQS queue", Table: "a DynamoDB table"}


@dataclass(frozen=True)
class Plan:
    """One workflow of the catalogue, checked and ready to declare."""

    spec: WorkflowSpec
    definition: WorkflowDefinition
    code: Mapping[str, pulumi.Archive]
    """Function name -> its deployment package."""


@dataclass
class Deployed:
    """What `declare` created for one workflow."""

    spec: WorkflowSpec
    type: str
    workflow: Workflow
    functions: dict[str, HandlerFunction] = field(default_factory=dict)
    resources: dict[str, ResourceOutput[pulumi.Output[str]]] = field(default_factory=dict)
    schedule_enabled: bool = False
    """As this stack configures it: `ops verify` then expects the schedule ENABLED or DISABLED."""

    def output(self) -> dict[str, Any]:
        """This workflow's entry in the `workflows` stack output."""
        flow = self.workflow
        schedule = None
        if (
            flow.schedule_name is not None
            and flow.schedule_group_name is not None
            and flow.dead_letter_queue_url is not None
        ):
            schedule = ScheduleOutput(
                name=flow.schedule_name,
                group=flow.schedule_group_name,
                dead_letter_queue_url=flow.dead_letter_queue_url,
                enabled=self.schedule_enabled,
            )
        return entry_output(
            WorkflowOutput(
                type=self.type,
                state_machine_arn=flow.state_machine_arn,
                state_machine_name=flow.state_machine_name,
                console_url=flow.console_url,
                role_arn=flow.role_arn,
                log_group=flow.log_group_name,
                schedule=schedule,
                functions={
                    name: FunctionOutput(
                        function_name=fn.function_name, function_arn=fn.function_arn, log_group=fn.log_group_name
                    )
                    for name, fn in self.functions.items()
                },
                resources=self.resources,
            )
        )


def plan(catalogue: tuple[WorkflowSpec, ...], settings: StackSettings) -> list[Plan]:
    """Every workflow checked as the components will check it; raises before any resource exists."""
    check_catalogue(catalogue)
    _check_unique_names(catalogue, settings)
    plans = []
    for spec in in_dependency_order(catalogue):
        definition = spec.load_definition()
        code = {function.name: _code(function) for function in spec.functions}
        unresolved = _unresolved(spec)
        for function in spec.functions:
            handler_function.validate(function.name, function_args(function, settings, code[function.name], unresolved))
        workflow.validate(
            spec.name, workflow_args(spec, settings, definition, unresolved, _planned_functions(spec, unresolved))
        )
        for integration in _created(spec):
            limit = NAME_LIMITS[type(integration)]
            physical = settings.physical_name(_resource_name(spec, integration))
            if len(physical) > limit:
                raise ValueError(
                    f"workflow {spec.name!r}: the {type(integration).__name__.lower()} name {physical!r} has "
                    f"{len(physical)} characters; AWS allows {limit}. Shorten the workflow or integration name."
                )
        plans.append(Plan(spec, definition, code))
    if settings.alarms_enabled:
        monitoring.validate(monitoring_args(settings, [_unresolved_monitored(spec, settings) for spec in catalogue]))
    return plans


def _created(spec: WorkflowSpec) -> list[Topic | Queue | Table]:
    """The integrations of `spec` that the stack creates a resource for."""
    return [integration for integration in spec.integrations if isinstance(integration, Topic | Queue | Table)]


def _resource_name(spec: WorkflowSpec, integration: Topic | Queue | Table) -> str:
    """The Pulumi name of the resource created for `integration`; its physical name is the stack's prefix and this."""
    return f"{spec.name}-{integration.name}"


def _check_unique_names(catalogue: tuple[WorkflowSpec, ...], settings: StackSettings) -> None:
    """Refuse two resources with one name. A name joins the workflow's and the resource's with
    '-', so different entries can meet (workflow `a` with topic `b-c`, workflow `a-b` with topic
    `c`); `pulumi up` would then fail halfway, or (SNS) hand both the same topic."""
    owners: dict[tuple[str, str], str] = {}
    for spec in catalogue:
        for kind, name, owner in _names(spec, settings):
            first = owners.setdefault((kind, name), owner)
            if first != owner:
                raise ValueError(
                    f"{first} and {owner} would both use the name {name!r} for {kind}, which must be "
                    "unique; a name joins the workflow's and its own with '-', so rename one of them."
                )


def _names(spec: WorkflowSpec, settings: StackSettings) -> Iterator[tuple[str, str, str]]:
    """(what, name, whose) for each name of `spec` that another entry's could equal. An
    integration's Pulumi name is its physical name without the stack prefix: one check covers both."""
    where = f"workflow {spec.name!r}"
    names = workflow_names(spec.name, settings.physical_name(spec.name))
    for integration in _created(spec):
        owner = f"{where} ({type(integration).__name__.lower()} {integration.name!r})"
        yield RESOURCE_KINDS[type(integration)], settings.physical_name(_resource_name(spec, integration)), owner
    if spec.schedule is not None:
        queue = names.schedule.dead_letter_queue.physical
        yield RESOURCE_KINDS[Queue], queue, f"{where} (its schedule's dead-letter queue)"
    # A URN holds its parents' types but not their names: `x-scheduler`'s execution role and
    # scheduled `x`'s scheduler role (and their policies, named alike) would be one resource.
    role = "the Pulumi resource of a workflow's IAM role"
    yield role, names.role.pulumi, f"{where} (its execution role)"
    if spec.schedule is not None:
        yield role, names.schedule.scheduler_role.pulumi, f"{where} (its scheduler role)"


def monitoring_args(settings: StackSettings, workflows: list[MonitoredWorkflowArgs]) -> MonitoringArgs:
    args = MonitoringArgs(
        name_prefix=settings.name_prefix,
        workflows=workflows,
        thresholds=settings.alarm_thresholds.as_args(),
        dashboard=settings.dashboard_enabled,
        retain_data=settings.retain_data,
    )
    if settings.alarm_email is not None:
        args["alarm_email"] = settings.alarm_email
    return args


def _unresolved_monitored(spec: WorkflowSpec, settings: StackSettings) -> MonitoredWorkflowArgs:
    """What Monitoring will watch of `spec`, with names standing in for ARNs (for the checks)."""
    return watching(monitored_entry(spec, settings.physical_name, settings.workflow(spec).alarm_thresholds))


def _monitored(deployment: Deployed, settings: StackSettings) -> MonitoredWorkflowArgs:
    """What Monitoring watches of a declared workflow: read off its components, which the catalogue
    names as `_unresolved_monitored` does (the workflow's name, each function's)."""
    thresholds = settings.workflow(deployment.spec).alarm_thresholds
    return monitored(
        deployment.workflow,
        functions=list(deployment.functions.values()),
        thresholds=None if thresholds is None else thresholds.as_args(),
    )


def _code(function: FunctionSpec) -> pulumi.Archive:
    return handler_archive(
        function.handler, source_root=function.source_root, runtime=function.runtime, architecture=function.architecture
    )


def _unresolved(spec: WorkflowSpec) -> dict[str, str]:
    """Values standing in for those known only at deploy time: each placeholder itself,
    so that checks see the definition as written; fixed values as they are."""
    fixed = {i.placeholder: i.value for i in spec.integrations if isinstance(i, Value)}
    return {name: fixed.get(name, "${" + name + "}") for name in spec.placeholders}


def function_args(
    function: FunctionSpec, settings: StackSettings, code: pulumi.Archive, values: Mapping[str, pulumi.Input[str]]
) -> HandlerFunctionArgs:
    """The arguments of `function`'s HandlerFunction; its runtime and architecture come with `code`,
    packaged for them (`_code`)."""
    return HandlerFunctionArgs(
        function_name=settings.physical_name(function.name),
        handler=function.handler,
        code=code,
        description=function.description,
        memory_mb=function.memory_mb,
        timeout_seconds=function.timeout_seconds,
        log_retention_days=settings.log_retention_days,
        tracing_enabled=settings.tracing_enabled,
        environment={key: _filled(value, values) for key, value in function.environment.items()},
        extra_statements=[_filled(statement, values) for statement in function.statements],
        retain_data=settings.retain_data,
    )


def workflow_args(
    spec: WorkflowSpec,
    settings: StackSettings,
    definition: WorkflowDefinition,
    values: Mapping[str, pulumi.Input[str]],
    functions: Mapping[str, TaskFunctionArgs],
) -> WorkflowArgs:
    """The arguments of `spec`'s Workflow; `functions` are its functions by placeholder."""
    configured = settings.workflow(spec)
    used = definition.placeholders | placeholders_in(spec.statements) | placeholders_in(spec.passable_roles)
    only_functions = _for_functions(spec)
    args = WorkflowArgs(
        state_machine_name=settings.physical_name(spec.name),
        definition_file=str(spec.definition_path),
        type=configured.type,
        # Values only functions use (a table's ARN for a handler's statement) stay out of the workflow,
        # and a function's own ARN comes with it in `functions`.
        substitutions={
            name: value
            for name, value in values.items()
            if name not in functions and (name in used or name not in only_functions)
        },
        value_lengths=_value_lengths(spec, settings),
        functions=functions,
        extra_statements=[dict(statement) for statement in spec.statements],
        granted_states=sorted(spec.granted_states),
        passable_roles=list(spec.passable_roles),
        log_level=settings.log_level,
        log_retention_days=settings.log_retention_days,
        tracing_enabled=settings.tracing_enabled,
        retain_data=settings.retain_data,
        # The stack's levels, then the entry's: the entry wins for its workflow.
        house_rules=house_rules.combined(settings.house_rules, spec.house_rules),
    )
    if (schedule := configured.schedule) is not None:
        args["schedule"] = ScheduleArgs(
            expression=schedule.expression,
            timezone=schedule.timezone,
            payload=schedule.payload,
            enabled=schedule.enabled,
        )
    return args


def _planned_functions(spec: WorkflowSpec, values: Mapping[str, str]) -> dict[str, TaskFunctionArgs]:
    """`spec`'s functions as its workflow will take them, before they exist: each placeholder standing
    in for its ARN, each timeout as the function will be declared with."""
    return {f.placeholder: TaskFunctionArgs(arn=values[f.placeholder], timeout_seconds=f.timeout_seconds)
            for f in spec.functions}  # fmt: skip


# The most characters an ARN or URL adds around the name of the resource it names: the longest are
# "arn:aws-us-gov:dynamodb:ap-southeast-5:<12 digits>:table/" and
# "https://sqs.ap-southeast-5.amazonaws.com.cn/<12 digits>/", both under 70.
VALUE_AROUND_NAME_CHARACTERS = 100


def _value_lengths(spec: WorkflowSpec, settings: StackSettings) -> dict[str, int]:
    """The most characters each value the stack creates can have: its resource's name, which the
    stack sets, in the ARN or URL around it. The workflow's role is laid out from these."""
    lengths = {f.placeholder: len(settings.physical_name(f.name)) for f in spec.functions}
    for integration in spec.integrations:
        if isinstance(integration, WorkflowRef):
            lengths[integration.placeholder] = len(settings.physical_name(integration.workflow))
        elif isinstance(integration, Topic | Queue | Table):
            named = len(settings.physical_name(_resource_name(spec, integration)))
            lengths[integration.placeholder] = named
            if not isinstance(integration, Topic) and integration.arn_placeholder:
                lengths[integration.arn_placeholder] = named
    return {placeholder: named + VALUE_AROUND_NAME_CHARACTERS for placeholder, named in lengths.items()}


def _for_functions(spec: WorkflowSpec) -> set[str]:
    return set().union(*(placeholders_in(dict(f.environment)) | placeholders_in(f.statements) for f in spec.functions))


def _filled(value: Any, values: Mapping[str, pulumi.Input[str]]) -> Any:
    """`value` with its placeholders filled, as an Output when a value is not known yet."""
    needed = {name: values[name] for name in sorted(placeholders_in(value))}
    if not needed:
        return value
    if all(isinstance(v, str) for v in needed.values()):
        return substitute(value, {k: str(v) for k, v in needed.items()})
    return pulumi.Output.all(**needed).apply(lambda resolved: substitute(value, resolved))


@dataclass
class Stack:
    """Everything `declare` created."""

    workflows: dict[str, Deployed]
    monitoring: Monitoring | None


def declare(plans: list[Plan], settings: StackSettings, opts: pulumi.ResourceOptions) -> Stack:
    """The components and resources of every planned workflow, in the plans' order, and the
    stack's monitoring of them all."""
    deployed: dict[str, Deployed] = {}
    for planned in plans:
        spec = planned.spec
        values: dict[str, pulumi.Input[str]] = {}
        resources = _declare_integrations(spec, settings, opts, deployed, values)
        functions = {
            function.name: HandlerFunction(
                function.name, function_args(function, settings, planned.code[function.name], values), opts
            )
            for function in spec.functions
        }
        tasks = {f.placeholder: functions[f.name].for_workflow() for f in spec.functions}
        flow = Workflow(spec.name, workflow_args(spec, settings, planned.definition, values, tasks), opts)
        configured = settings.workflow(spec)
        enabled = configured.schedule is not None and configured.schedule.enabled
        deployed[spec.name] = Deployed(spec, configured.type, flow, functions, resources, schedule_enabled=enabled)
    watched = None
    if settings.alarms_enabled:
        entries = [_monitored(deployment, settings) for deployment in deployed.values()]
        watched = Monitoring("monitoring", monitoring_args(settings, entries), opts)
    return Stack(deployed, watched)


def _declare_integrations(
    spec: WorkflowSpec,
    settings: StackSettings,
    opts: pulumi.ResourceOptions,
    deployed: Mapping[str, Deployed],
    values: dict[str, pulumi.Input[str]],
) -> dict[str, ResourceOutput[pulumi.Output[str]]]:
    """Create what the entry's integrations need; fill `values`; return the resources' outputs."""
    created: dict[str, ResourceOutput[pulumi.Output[str]]] = {}
    keep = pulumi.ResourceOptions(retain_on_delete=settings.retain_data or None)
    for integration in spec.integrations:
        if isinstance(integration, Value):
            values[integration.placeholder] = integration.value
            continue
        if isinstance(integration, WorkflowRef):
            values[integration.placeholder] = deployed[integration.workflow].workflow.state_machine_arn
            continue
        name = _resource_name(spec, integration)
        physical = settings.physical_name(name)
        if isinstance(integration, Topic):
            topic = aws.sns.Topic(name, name=physical, kms_master_key_id="alias/aws/sns", opts=opts)
            values[integration.placeholder] = topic.arn
            created[integration.name] = TopicOutput(arn=topic.arn)
        elif isinstance(integration, Queue):
            queue = aws.sqs.Queue(
                name, name=physical, sqs_managed_sse_enabled=True, opts=pulumi.ResourceOptions.merge(opts, keep)
            )
            values[integration.placeholder] = queue.url
            if integration.arn_placeholder:
                values[integration.arn_placeholder] = queue.arn
            created[integration.name] = QueueOutput(arn=queue.arn, url=queue.url)
        elif isinstance(integration, Table):
            keys = [integration.partition_key] + ([integration.sort_key] if integration.sort_key else [])
            table = aws.dynamodb.Table(
                name,
                name=physical,
                billing_mode="PAY_PER_REQUEST",
                hash_key=integration.partition_key,
                range_key=integration.sort_key,
                attributes=[aws.dynamodb.TableAttributeArgs(name=key, type="S") for key in keys],
                server_side_encryption=aws.dynamodb.TableServerSideEncryptionArgs(enabled=True),
                point_in_time_recovery=aws.dynamodb.TablePointInTimeRecoveryArgs(enabled=True),
                opts=pulumi.ResourceOptions.merge(opts, keep),
            )
            values[integration.placeholder] = table.name
            if integration.arn_placeholder:
                values[integration.arn_placeholder] = table.arn
            created[integration.name] = TableOutput(arn=table.arn, name=table.name)
    return created


def stack_outputs(stack: Stack) -> dict[str, pulumi.Output[Any]]:
    """The structured `workflows` output, each entry's flat shortcuts into it, and where alarms go."""
    deployed = stack.workflows
    entries = {name: deployment.output() for name, deployment in deployed.items()}
    outputs: dict[str, pulumi.Output[Any]] = {WORKFLOWS_OUTPUT: pulumi.Output.from_input(entries)}
    if stack.monitoring is not None:
        outputs[ALARM_TOPIC_OUTPUT] = stack.monitoring.topic_arn
        if stack.monitoring.dashboard_url is not None:
            outputs[DASHBOARD_OUTPUT] = stack.monitoring.dashboard_url
    for name, deployment in deployed.items():
        for key, path in deployment.spec.shortcut_outputs.items():
            outputs[key] = pulumi.Output.from_input(_at(entries[name], path, f"{name}: shortcut output {key!r}"))
    return outputs


def _at(entry: Mapping[str, Any], path: str, what: str) -> Any:
    value: Any = entry
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            raise ValueError(f"{what}: {path!r} is not in the workflow's output ({part!r} is missing)")
        value = value[part]
    return value


# The pack's config property that lists the state machines it leaves to the program (policy/rules.py EXEMPT).
PACK_EXEMPT = "exempt"


def policy_pack_config(catalogue: tuple[WorkflowSpec, ...], settings: StackSettings) -> dict[str, Any]:
    """The policy pack's config for a stack: each project rule's enforcement level in the stack
    (`houseRules`), and, under `exempt`, the state machines whose catalogue entry sets that rule's
    level itself. The program applies an entry's level (it refuses or warns before anything is
    declared), and a policy has one level for the whole stack, so the pack leaves those to it."""
    levels = house_rules.combined(settings.house_rules)
    config: dict[str, Any] = {}
    for rule in house_rules.HOUSE_RULES:
        exempt = [
            workflow_names(spec.name, settings.physical_name(spec.name)).state_machine.physical
            for spec in catalogue
            if rule.name in spec.house_rules
        ]
        config[rule.name] = {"enforcementLevel": levels[rule.name], PACK_EXEMPT: exempt}
    return config


def main(argv: list[str]) -> int:
    """`python -m deployment --policy-pack-config STACK`: the pack's config as JSON on stdout; a bad
    stack file is one line on stderr (its first problem, as `pulumi preview` would say it), bad
    catalogue entries one line each under a heading, and exit 2."""
    from workflows.catalogue import CATALOGUE  # noqa: PLC0415 - the program passes its own catalogue

    if len(argv) != 2 or argv[0] != "--policy-pack-config":
        print("usage: python -m deployment --policy-pack-config STACK", file=sys.stderr)
        return 2
    try:
        check_catalogue(CATALOGUE)
        settings = StackSettings.from_stack_file(argv[1], CATALOGUE)
    except (ConfigError, ValueError) as error:
        print(f"policy pack config: {error}", file=sys.stderr)
        return 2
    print(json.dumps(policy_pack_config(CATALOGUE, settings), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
