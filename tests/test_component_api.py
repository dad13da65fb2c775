"""The components as a Pulumi user outside this repository meets them (issue 24): their arguments as
TypedDicts, checked in one line before anything is declared; a definition as a file, a dict or JSON
text; a name derived when none is given; integers that arrive as floats from other languages."""

from __future__ import annotations

import ast
import dataclasses
import inspect
import json
import re
import textwrap
from pathlib import Path
from typing import Any, cast

import pulumi
import pulumi_aws as aws
import pytest

from rehearsal.program import ProgramRun
from serverless_workflows import handler_function, lambda_package
from serverless_workflows.alarm_thresholds import AlarmThresholds, ResolvedThreshold, ResolvedThresholds, Threshold
from serverless_workflows.asl.house_rules import (
    ADVISORY,
    DISABLED,
    LAMBDA_TASK_RETRIES,
    LAMBDA_TASK_TIMEOUT,
    TOP_LEVEL_TIMEOUT,
    TRANSIENT_LAMBDA_ERRORS,
)
from serverless_workflows.handler_function import (
    HandlerFunction,
    HandlerFunctionArgs,
    ResolvedFunction,
    TaskFunctionArgs,
    VpcConfigArgs,
)
from serverless_workflows.monitoring import MonitoredWorkflowArgs, Monitoring, MonitoringArgs, monitored, plan
from serverless_workflows.monitoring_plan import MonitoredWorkflow, MonitoringPlan
from serverless_workflows.names import MAX_FUNCTION_NAME, MAX_SCHEDULED_STATE_MACHINE_NAME, MAX_STATE_MACHINE_NAME
from serverless_workflows.workflow import (
    ResolvedSchedule,
    ResolvedWorkflow,
    ScheduleArgs,
    Workflow,
    WorkflowArgs,
    resolve,
)
from tests.support import HOUSE_RULES_DIR, Declare, document
from workflows.catalogue import SCHEDULED

DEFINITION = json.loads(SCHEDULED.definition_path.read_text())
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"


def declared_nothing(declare: Declare, build: Any, match: str, error: type[Exception] = ValueError) -> str:
    """The one-line refusal `build` meets, after checking that nothing was declared before it."""
    declared = ProgramRun()
    with pytest.raises(error, match=match) as refused:
        declare(build, into=declared)
    assert declared.resources == [], "nothing may be declared before the arguments are refused"
    return str(refused.value)


# --- a definition as a file, a dict or JSON text: exactly one ---------------------------------------


@pytest.mark.parametrize(
    "form",
    [
        {"definition_file": str(SCHEDULED.definition_path)},
        {"definition_document": DEFINITION},
        {"definition_json": SCHEDULED.definition_path.read_text()},
    ],
    ids=["file", "document", "json"],
)
def test_each_form_of_a_definition_deploys_the_same_state_machine(declare: Declare, form: dict[str, Any]) -> None:
    args = cast(WorkflowArgs, {"state_machine_name": "flow", **form})
    run = declare(lambda: Workflow("flow", args))
    assert json.loads(run.named("flow-state-machine").inputs["definition"]) == DEFINITION


@pytest.mark.parametrize(
    ("forms", "found"),
    [
        ({}, "none is given"),
        ({"definition_file": "x.asl.json", "definition_json": "{}"}, "definition_file and definition_json are given"),
    ],
)
def test_a_workflow_needs_exactly_one_form_of_its_definition(
    declare: Declare, forms: dict[str, Any], found: str
) -> None:
    args = cast(WorkflowArgs, {"state_machine_name": "flow", **forms})
    message = declared_nothing(declare, lambda: Workflow("flow", args), "give exactly one of")
    assert message == (
        f"Workflow 'flow': give exactly one of definition_file, definition_document or definition_json; {found}."
    )


def test_a_definition_given_inline_is_checked_and_named_by_the_field_that_held_it(declare: Declare) -> None:
    untimed = {key: value for key, value in DEFINITION.items() if key != "TimeoutSeconds"}
    message = declared_nothing(
        declare,
        lambda: Workflow("flow", WorkflowArgs(definition_document=untimed)),
        "top-level TimeoutSeconds",
        error=ValueError,
    )
    assert message.startswith("Workflow 'flow' definition_document: 1 problem(s) in the definition:")
    not_json = declared_nothing(declare, lambda: Workflow("flow", WorkflowArgs(definition_json="{")), "invalid JSON")
    assert not_json.startswith("Workflow 'flow' definition_json: line 1, column 2: invalid JSON")
    odd = declared_nothing(
        declare, lambda: Workflow("flow", WorkflowArgs(definition_document={"States": {1, 2}})), "cannot be written"
    )
    assert odd.startswith("Workflow 'flow' definition_document: cannot be written as JSON")


# --- a name derived from the component's and the stack's ----------------------------------------------


def test_an_omitted_name_is_the_components_and_the_stacks_and_the_trust_policy_names_it(declare: Declare) -> None:
    run = declare(lambda: Workflow("orders", WorkflowArgs(definition_document=DEFINITION)))
    assert run.named("orders-state-machine").inputs["name"] == "orders-dev"
    condition = document(run, "orders-role", "assumeRolePolicy")["Statement"][0]["Condition"]
    assert condition["ArnLike"]["aws:SourceArn"] == "arn:aws:states:us-east-1:123456789012:stateMachine:orders-dev"


@pytest.mark.parametrize(
    ("schedule", "limit"),
    [(None, MAX_STATE_MACHINE_NAME), (ScheduleArgs(expression="rate(1 day)"), MAX_SCHEDULED_STATE_MACHINE_NAME)],
    ids=["on-demand", "scheduled"],
)
def test_a_derived_name_past_awss_limit_is_shortened_with_a_hash(
    declare: Declare, schedule: ScheduleArgs | None, limit: int
) -> None:
    args = WorkflowArgs(definition_document=DEFINITION)
    if schedule is not None:
        args["schedule"] = schedule
    component = "a.very/long component name " * 4
    run = declare(lambda: Workflow(component, args))
    name = run.named(f"{component}-state-machine").inputs["name"]
    assert len(name) == limit
    assert re.fullmatch(r"a-very-long-component-name-[A-Za-z0-9_-]+-[0-9a-f]{8}", name), name
    assert resolve(component, args).state_machine_name == name, "derived the same on every run"


# --- the arguments' types, read in one line, and integers from other languages -----------------------


def test_whole_numbers_given_as_floats_are_taken_as_integers(declare: Declare) -> None:
    # Pulumi's component provider hands other languages' integers over as floats (3.0).
    schedule = cast(ScheduleArgs, {"expression": "rate(1 day)", "retry_attempts": 3.0, "max_event_age_seconds": 600.0})
    args = cast(WorkflowArgs, {"definition_document": DEFINITION, "log_retention_days": 30.0, "schedule": schedule})
    run = declare(lambda: Workflow("flow", args))
    assert run.named("flow-logs").inputs["retentionInDays"] == 30
    retry = run.named("flow-schedule").inputs["target"]["retryPolicy"]
    assert retry == {"maximumRetryAttempts": 3, "maximumEventAgeInSeconds": 600}
    # Numbers cross the engine's wire as doubles either way: what the component read is what is int.
    read = resolve("flow", args)
    assert read.schedule is not None
    assert (type(read.log_retention_days), type(read.schedule.retry_attempts)) == (int, int)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"schedule": {"expression": "rate(1 day)", "retry_attempts": 2.5}},
            "Workflow 'flow': schedule.retry_attempts must be a whole number, got 2.5 (float).",
        ),
        (
            {"log_retention_days": True},
            "Workflow 'flow': log_retention_days must be a whole number, got True (bool).",
        ),
        (
            {"defintion_json": "{}"},
            "Workflow 'flow': WorkflowArgs has no field 'defintion_json'; its fields are state_machine_name, ",
        ),
        ({"schedule": {"timezone": "UTC"}}, "Workflow 'flow': schedule.expression is required: a string."),
        (
            {"substitutions": ["Arn"]},
            "Workflow 'flow': substitutions must be a map (string keys, each value a string (or an output of one)), "
            "known when the program runs, got ['Arn'] (list).",
        ),
        (
            {"granted_states": "Read"},
            "Workflow 'flow': granted_states must be a list (each item a string), known when the program runs, "
            "got 'Read' (str).",
        ),
        (
            {"functions": {"Fn": {"arn": "arn:aws:lambda:us-east-1:1:function:f"}}},
            "Workflow 'flow': functions.Fn.timeout_seconds is required: a whole number.",
        ),
    ],
    ids=["fraction", "bool", "unknown-field", "nested-required", "map", "list", "function-without-timeout"],
)
def test_arguments_of_another_type_are_refused_in_one_line_before_anything(
    declare: Declare, fields: dict[str, Any], message: str
) -> None:
    args = cast(WorkflowArgs, {"definition_document": DEFINITION, **fields})
    refused = declared_nothing(declare, lambda: Workflow("flow", args), re.escape(message[:40]))
    assert refused.startswith(message)
    assert "\n" not in refused


def test_arguments_that_are_not_a_mapping_are_refused(declare: Declare) -> None:
    message = declared_nothing(declare, lambda: Workflow("flow", cast(WorkflowArgs, ["x"])), "WorkflowArgs")
    assert message == (
        "Workflow 'flow': the arguments must be a WorkflowArgs (a mapping of its fields), got ['x'] (list)."
    )


def test_an_optional_field_given_as_none_counts_as_not_given(declare: Declare) -> None:
    args = cast(WorkflowArgs, {"definition_document": DEFINITION, "schedule": None, "state_machine_name": None})
    run = declare(lambda: Workflow("flow", args))
    assert run.named("flow-state-machine").inputs["name"] == "flow-dev"
    assert not run.of_type("aws:scheduler/schedule:Schedule")


# --- every default documented where the schema will read it -------------------------------------------


def field_docs(cls: type) -> dict[str, str]:
    """Each annotated field of `cls` -> the string literal right after it, as Pulumi's component
    analyzer reads a field's description (from the class's source)."""
    (body,) = ast.parse(textwrap.dedent(inspect.getsource(cls))).body
    assert isinstance(body, ast.ClassDef)
    docs: dict[str, str] = {}
    for statement, following in zip(body.body, [*body.body[1:], None], strict=True):
        if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
            literal = following.value if isinstance(following, ast.Expr) else None
            docs[statement.target.id] = str(literal.value) if isinstance(literal, ast.Constant) else ""
    return docs


def documented_default(doc: str) -> str:
    found = re.search(r"Default: (.+)", " ".join(doc.split()))
    assert found is not None
    return found.group(1)


ARGS_AND_DEFAULTS: list[tuple[type, type | None]] = [
    (WorkflowArgs, ResolvedWorkflow),
    (ScheduleArgs, ResolvedSchedule),
    (TaskFunctionArgs, None),
    (HandlerFunctionArgs, ResolvedFunction),
    (VpcConfigArgs, None),
    (MonitoringArgs, MonitoringPlan),
    (MonitoredWorkflowArgs, MonitoredWorkflow),
    (AlarmThresholds, ResolvedThresholds),
    (Threshold, ResolvedThreshold),
]


@pytest.mark.parametrize(("args_type", "resolved"), ARGS_AND_DEFAULTS, ids=lambda t: getattr(t, "__name__", ""))
def test_every_field_is_described_and_every_optional_one_says_its_default(
    args_type: type, resolved: type | None
) -> None:
    docs = field_docs(args_type)
    assert set(docs) == set(args_type.__annotations__)
    assert all(docs.values()), [name for name, doc in docs.items() if not doc]
    assert args_type.__doc__, f"{args_type.__name__} has no description"
    optional: frozenset[str] = args_type.__optional_keys__  # type: ignore[attr-defined]
    undocumented = sorted(name for name in optional if "Default: " not in docs[name])
    assert undocumented == [], f"{args_type.__name__}: no 'Default: ...' for {', '.join(undocumented)}"
    defaults = {item.name: item.default for item in dataclasses.fields(resolved)} if resolved else {}
    for name in sorted(optional & set(defaults)):
        default = defaults[name]
        if isinstance(default, bool | int | str) and default != "":
            # The value itself, as a word, in what the field says of its default.
            word = rf"(?<![\w.]){re.escape(str(default))}(?![\w])"
            assert re.search(word, documented_default(docs[name])), (name, default)
        elif isinstance(default, ResolvedThreshold):
            assert documented_threshold(documented_default(docs[name])) == default, (name, docs[name])


# An alarm's default as AlarmThresholds documents it: "1 or more in 5 minutes", "1 or more messages at any
# time in 5 minutes": one period of that many minutes, in which the statistic reaches the value.
_ONE_WINDOW = re.compile(r"(?P<value>\d+(?:\.\d+)?) or more\b[^.]*? in (?P<minutes>\d+) minutes?\b")


def documented_threshold(default: str) -> ResolvedThreshold | None:
    """The threshold a documented default describes, or None for a description of another form."""
    found = _ONE_WINDOW.match(default)
    if found is None:
        return None
    return ResolvedThreshold(
        value=float(found["value"]), period_seconds=int(found["minutes"]) * 60, evaluation_periods=1
    )


def test_a_documented_threshold_is_read_as_the_threshold_it_describes() -> None:
    assert documented_threshold("1 or more in 5 minutes.") == ResolvedThreshold(
        value=1, period_seconds=300, evaluation_periods=1
    )
    assert documented_threshold("2 or more messages at any time in 10 minutes.") == ResolvedThreshold(
        value=2, period_seconds=600
    )
    assert documented_threshold("1 or more in 5 minutes.") != ResolvedThreshold(evaluation_periods=2)
    assert documented_threshold("the first occurrence.") is None


# --- HandlerFunction: packaged once for its runtime and architecture; Lambda's settings pass through --

HANDLER = "handlers.call_center.open_case"


def test_a_function_without_code_is_packaged_for_its_own_runtime_and_architecture(
    declare: Declare, monkeypatch: pytest.MonkeyPatch
) -> None:
    packaged: list[dict[str, Any]] = []

    def recording(handler: str, **target: Any) -> lambda_package.HandlerArchive:
        packaged.append({"handler": handler, **target})
        return lambda_package.handler_archive(handler, **target)

    monkeypatch.setattr(handler_function, "handler_archive", recording)
    args = HandlerFunctionArgs(handler=HANDLER, runtime="python3.12", architecture="x86_64")
    run = declare(lambda: HandlerFunction("open", args))
    assert packaged == [{"handler": HANDLER, "source_root": None, "runtime": "python3.12", "architecture": "x86_64"}]
    function = run.named("open-function").inputs
    assert (function["runtime"], function["architectures"]) == ("python3.12", ["x86_64"])


def test_a_function_runs_on_the_runtime_and_architecture_its_package_was_built_for(declare: Declare) -> None:
    code = lambda_package.handler_archive(HANDLER, runtime="python3.12", architecture="x86_64")
    run = declare(lambda: HandlerFunction("open", HandlerFunctionArgs(handler=HANDLER, code=code)))
    function = run.named("open-function").inputs
    assert (function["runtime"], function["architectures"]) == ("python3.12", ["x86_64"])


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"runtime": "python3.12"},
            "HandlerFunction 'open-dev': runtime is python3.12, but code was packaged for python3.14 "
            "(handler_archive's runtime), whose dependencies would not load there; leave code out",
        ),
        (
            {"architecture": "x86_64"},
            "HandlerFunction 'open-dev': architecture is x86_64, but code was packaged for arm64",
        ),
        (
            {"source_root": "."},
            "HandlerFunction 'open': source_root is where the component reads the handler's sources to package "
            "them; with code given it packages nothing. Give one of them.",
        ),
    ],
    ids=["runtime", "architecture", "source-root"],
)
def test_a_package_that_disagrees_with_the_function_is_refused(
    declare: Declare, fields: dict[str, Any], message: str
) -> None:
    # Left off handler_archive, the runtime is the newest: wheels for 3.14 in a 3.12 function (issue 24).
    code = lambda_package.handler_archive(HANDLER)
    args = cast(HandlerFunctionArgs, {"handler": HANDLER, "code": code, **fields})
    refused = declared_nothing(declare, lambda: HandlerFunction("open", args), re.escape(message[:30]))
    assert refused.startswith(message)


def test_an_omitted_function_name_is_derived_within_lambdas_limit(declare: Declare) -> None:
    run = declare(lambda: HandlerFunction("open", HandlerFunctionArgs(handler=HANDLER)))
    assert run.named("open-function").inputs["name"] == "open-dev"
    long = "o" * 70
    name = declare(lambda: HandlerFunction(long, HandlerFunctionArgs(handler=HANDLER))).named(f"{long}-function")
    assert len(name.inputs["name"]) == MAX_FUNCTION_NAME
    assert re.fullmatch(r"o+-[0-9a-f]{8}", name.inputs["name"])


def test_lambda_settings_pass_through_and_a_vpc_function_may_manage_its_interfaces(declare: Declare) -> None:
    key = "arn:aws:kms:us-east-1:123456789012:key/1111aaaa-0000-0000-0000-000000000000"
    layer = "arn:aws:lambda:us-east-1:123456789012:layer:shared:3"
    args = HandlerFunctionArgs(
        handler=HANDLER,
        memory_mb=cast(int, 256.0),
        vpc_config=VpcConfigArgs(subnet_ids=["subnet-1", "subnet-2"], security_group_ids=["sg-1"]),
        layers=[layer],
        reserved_concurrency=2,
        ephemeral_storage_mb=1024,
        function_overrides={"kms_key_arn": key, "tags": {"team": "orders"}},
    )
    run = declare(lambda: HandlerFunction("open", args))
    function = run.named("open-function").inputs
    assert function["vpcConfig"] == {"subnetIds": ["subnet-1", "subnet-2"], "securityGroupIds": ["sg-1"]}
    assert function["layers"] == [layer]
    assert function["reservedConcurrentExecutions"] == 2
    assert function["ephemeralStorage"] == {"size": 1024}
    assert (function["kmsKeyArn"], function["tags"], function["memorySize"]) == (key, {"team": "orders"}, 256)
    statements = document(run, "open-policy", "policy")["Statement"]
    assert [s for s in statements if s["Sid"] in ("DescribeVpcNetwork", "ManageVpcInterfaces")] == [
        {"Sid": "DescribeVpcNetwork", "Effect": "Allow",
         "Action": ["ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets"], "Resource": ["*"]},
        {"Sid": "ManageVpcInterfaces", "Effect": "Allow",
         "Action": ["ec2:AssignPrivateIpAddresses", "ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface",
                    "ec2:UnassignPrivateIpAddresses"],
         "Resource": ["arn:aws:ec2:us-east-1:123456789012:*/*"]},
    ]  # fmt: skip


def test_a_function_without_those_settings_declares_none_of_them(declare: Declare) -> None:
    function = declare(lambda: HandlerFunction("open", HandlerFunctionArgs(handler=HANDLER))).named("open-function")
    assert not {"vpcConfig", "layers", "reservedConcurrentExecutions", "ephemeralStorage"} & set(function.inputs)


def test_function_overrides_spelt_as_other_languages_spell_the_functions_inputs_pass_through(declare: Declare) -> None:
    # A YAML or TypeScript program writes the Function's inputs as the schema does; nested keys either way.
    queue = "arn:aws:sqs:us-east-1:123456789012:dead"
    overrides = {"kmsKeyArn": "arn:aws:kms:us-east-1:123456789012:key/k", "deadLetterConfig": {"targetArn": queue},
                 "snap_start": {"applyOn": "PublishedVersions"}, "tags": {"teamName": "orders"}}  # fmt: skip
    args = HandlerFunctionArgs(handler=HANDLER, function_overrides=overrides)
    function = declare(lambda: HandlerFunction("open", args)).named("open-function").inputs
    assert function["kmsKeyArn"] == overrides["kmsKeyArn"]
    assert function["deadLetterConfig"] == {"targetArn": queue}
    assert function["snapStart"] == {"applyOn": "PublishedVersions"}
    assert function["tags"] == {"teamName": "orders"}


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"function_overrides": {"runtime": "python3.12", "timeout": 9}},
            "HandlerFunction 'open-dev': function_overrides sets runtime, timeout, which the component sets itself",
        ),
        (
            {"function_overrides": {"kms_key": "k"}},
            "HandlerFunction 'open-dev': function_overrides sets kms_key, which aws.lambda_.Function does not take; "
            "it takes ",
        ),
        (
            {"function_overrides": {"memorySize": 256}},
            "HandlerFunction 'open-dev': function_overrides sets memory_size, which the component sets itself",
        ),
        (
            {"function_overrides": {"kmsKeyArn": "k", "kms_key_arn": "k"}},
            "HandlerFunction 'open': function_overrides sets kms_key_arn twice, in two spellings; give it once.",
        ),
        ({"layers": ["arn"] * 6}, "HandlerFunction 'open-dev': 6 layers; Lambda takes at most 5 per function."),
        ({"reserved_concurrency": -1}, "HandlerFunction 'open-dev': reserved_concurrency -1 is below 0"),
        (
            {"ephemeral_storage_mb": 256},
            "HandlerFunction 'open-dev': ephemeral_storage_mb 256 is outside 512 to 10240.",
        ),
        ({"vpc_config": {"subnet_ids": ["s"]}}, "HandlerFunction 'open': vpc_config.security_group_ids is required"),
    ],
    ids=[
        "owned-override",
        "unknown-override",
        "owned-camel",
        "both-spellings",
        "layers",
        "concurrency",
        "storage",
        "vpc",
    ],
)
def test_lambda_settings_aws_or_the_component_would_refuse_are_refused_before_anything(
    declare: Declare, fields: dict[str, Any], message: str
) -> None:
    args = cast(HandlerFunctionArgs, {"handler": HANDLER, **fields})
    refused = declared_nothing(declare, lambda: HandlerFunction("open", args), re.escape(message[:30]))
    assert refused.startswith(message)


# --- a workflow takes its functions as they are declared: the ARN and the timeout once -----------------

INVOKING = {
    "StartAt": "Open",
    "TimeoutSeconds": 60,
    "States": {
        "Open": {
            "Type": "Task",
            "Resource": "${OpenArn}",
            "TimeoutSeconds": 10,
            "Retry": [{"ErrorEquals": list(TRANSIENT_LAMBDA_ERRORS)}],
            "End": True,
        }
    },
}


def test_a_workflow_takes_a_handler_function_its_arn_and_its_timeout(declare: Declare) -> None:
    def build() -> None:
        opened = HandlerFunction("open", HandlerFunctionArgs(handler=HANDLER, timeout_seconds=5))
        Workflow("flow", WorkflowArgs(definition_document=INVOKING, functions={"OpenArn": opened.for_workflow()}))

    run = declare(build)
    arn = "arn:aws:lambda:us-east-1:123456789012:function:open-dev"
    assert json.loads(run.named("flow-state-machine").inputs["definition"])["States"]["Open"]["Resource"] == arn
    assert document(run, "flow-policy", "policy")["Statement"][-1]["Resource"] == [arn]


def test_a_task_that_allows_less_than_its_functions_timeout_is_refused_from_the_function_itself(
    declare: Declare,
) -> None:
    declared = ProgramRun()

    def build() -> None:
        opened = HandlerFunction("open", HandlerFunctionArgs(handler=HANDLER, timeout_seconds=30))
        Workflow("flow", WorkflowArgs(definition_document=INVOKING, functions={"OpenArn": opened.for_workflow()}))

    with pytest.raises(ValueError, match="lambda-task-timeout") as refused:
        declare(build, into=declared)
    assert "30" in str(refused.value)
    assert not [r for r in declared if r.type.startswith("serverless-workflows:index:Workflow")]


def test_a_function_given_as_a_substitution_too_is_refused(declare: Declare) -> None:
    arn = "arn:aws:lambda:us-east-1:123456789012:function:open"
    args = WorkflowArgs(
        definition_document=INVOKING,
        functions={"OpenArn": TaskFunctionArgs(arn=arn, timeout_seconds=5)},
        substitutions={"OpenArn": arn},
    )
    message = declared_nothing(declare, lambda: Workflow("flow", args), "both functions and substitutions")
    assert message == (
        "Workflow 'flow': OpenArn is given in both functions and substitutions; a function's ARN comes from "
        "functions alone."
    )


# --- the children, as typed properties ------------------------------------------------------------


def test_a_workflow_exposes_its_children_and_none_it_did_not_create(declare: Declare) -> None:
    made: list[Workflow] = []

    def build() -> dict[str, Any]:
        scheduled = Workflow(
            "timed", WorkflowArgs(definition_document=DEFINITION, schedule=ScheduleArgs(expression="rate(1 day)"))
        )
        plain = Workflow("plain", WorkflowArgs(definition_document=DEFINITION))
        made.extend([scheduled, plain])
        children = {
            "state_machine": scheduled.state_machine,
            "role": scheduled.role,
            "log_group": scheduled.log_group,
            "schedule": scheduled.schedule,
            "dead_letter_queue": scheduled.dead_letter_queue,
        }
        return {name: child.urn for name, child in children.items() if child is not None}

    run = declare(build)
    scheduled, plain = made
    assert isinstance(scheduled.state_machine, aws.sfn.StateMachine)
    assert isinstance(scheduled.role, aws.iam.Role)
    assert isinstance(scheduled.log_group, aws.cloudwatch.LogGroup)
    assert isinstance(scheduled.schedule, aws.scheduler.Schedule)
    assert isinstance(scheduled.dead_letter_queue, aws.sqs.Queue)
    assert run.outputs == {
        "state_machine": run.named("timed-state-machine").urn,
        "role": run.named("timed-role").urn,
        "log_group": run.named("timed-logs").urn,
        "schedule": run.named("timed-schedule").urn,
        "dead_letter_queue": run.named("timed-dlq").urn,
    }
    assert (plain.schedule, plain.dead_letter_queue) == (None, None)


def test_a_handler_function_exposes_its_function_role_and_log_group(declare: Declare) -> None:
    def build() -> dict[str, Any]:
        opened = HandlerFunction("open", HandlerFunctionArgs(handler=HANDLER))
        assert isinstance(opened.function, aws.lambda_.Function)
        return {"function": opened.function.urn, "role": opened.role.urn, "log_group": opened.log_group.urn}

    run = declare(build)
    assert run.outputs == {
        "function": run.named("open-function").urn,
        "role": run.named("open-role").urn,
        "log_group": run.named("open-logs").urn,
    }


# --- a role, a log group or a dead-letter queue of your own ---------------------------------------------

ACCOUNT = "123456789012"


@pytest.mark.parametrize(
    ("existing", "role_name", "role_arn"),
    [
        ("orders-runner", "orders-runner", f"arn:aws:iam::{ACCOUNT}:role/orders-runner"),
        (
            f"arn:aws:iam::{ACCOUNT}:role/service-role/teams/orders-runner",
            "orders-runner",
            f"arn:aws:iam::{ACCOUNT}:role/service-role/teams/orders-runner",
        ),
        (
            pulumi.Output.from_input(f"arn:aws:iam::{ACCOUNT}:role/orders-runner"),
            "orders-runner",
            f"arn:aws:iam::{ACCOUNT}:role/orders-runner",
        ),
    ],
    ids=["name", "arn-with-path", "output"],
)
def test_a_workflow_runs_as_a_role_of_your_own_with_its_derived_policy_attached(
    declare: Declare, existing: pulumi.Input[str], role_name: str, role_arn: str
) -> None:
    run = declare(lambda: Workflow("flow", WorkflowArgs(definition_document=DEFINITION, existing_role=existing)))
    assert not run.of_type("aws:iam/role:Role"), "no role is created"
    policy = run.named("flow-policy")
    assert policy.inputs["role"] == role_name
    assert [s["Sid"] for s in json.loads(policy.inputs["policy"])["Statement"]] == [
        "DeliverExecutionLogs",
        "WriteTraces",
    ]
    assert run.named("flow-state-machine").inputs["roleArn"] == role_arn


def test_the_managed_policies_past_the_inline_limit_are_attached_to_your_role_too(declare: Declare) -> None:
    tables = {
        f"T{n}": {
            "Type": "Task",
            "Resource": "arn:aws:states:::dynamodb:putItem",
            "Parameters": {"TableName": f"orders-{n:03}", "Item": {}},
            "TimeoutSeconds": 30,
            **({"Next": f"T{n + 1}"} if n < 199 else {"End": True}),
        }
        for n in range(200)
    }
    big = {"StartAt": "T0", "TimeoutSeconds": 300, "States": tables}
    run = declare(lambda: Workflow("flow", WorkflowArgs(definition_document=big, existing_role="orders-runner")))
    attachments = run.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    assert attachments
    assert {attachment.inputs["role"] for attachment in attachments} == {"orders-runner"}


def test_a_workflow_logs_to_a_log_group_of_your_own(declare: Declare) -> None:
    def build() -> dict[str, Any]:
        flow = Workflow("flow", WorkflowArgs(definition_document=DEFINITION, existing_log_group_name="team-logs"))
        assert flow.log_group is None
        assert flow.log_group_name is not None
        return {"log_group_name": flow.log_group_name}

    run = declare(build)
    assert not run.of_type("aws:cloudwatch/logGroup:LogGroup"), "no log group is created"
    logging = run.named("flow-state-machine").inputs["loggingConfiguration"]
    assert logging["logDestination"] == f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:team-logs:*"
    statements = document(run, "flow-policy", "policy")["Statement"]
    assert statements[0]["Sid"] == "DeliverExecutionLogs"
    assert run.outputs == {"log_group_name": "team-logs"}


def test_a_schedule_dead_letters_to_a_queue_of_your_own(declare: Declare) -> None:
    arn = f"arn:aws:sqs:us-east-1:{ACCOUNT}:team-dead-letters"
    url = f"https://sqs.us-east-1.amazonaws.com/{ACCOUNT}/team-dead-letters"
    schedule = ScheduleArgs(
        expression="rate(1 day)", existing_dead_letter_queue_arn=arn, existing_dead_letter_queue_url=url
    )

    def build() -> dict[str, Any]:
        flow = Workflow("flow", WorkflowArgs(definition_document=DEFINITION, schedule=schedule))
        assert flow.dead_letter_queue is None
        assert flow.dead_letter_queue_url is not None
        assert flow.dead_letter_queue_name is not None
        return {"url": flow.dead_letter_queue_url, "name": flow.dead_letter_queue_name}

    run = declare(build)
    assert not run.of_type("aws:sqs/queue:Queue"), "no queue is created"
    assert run.named("flow-schedule").inputs["target"]["deadLetterConfig"] == {"arn": arn}
    sends = document(run, "flow-scheduler-policy", "policy")["Statement"][1]
    assert (sends["Action"], sends["Resource"]) == (["sqs:SendMessage"], [arn])
    assert run.outputs == {"url": url, "name": "team-dead-letters"}


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"existing_role": "orders runner"},
            "Workflow 'flow': existing_role 'orders runner' is not a role's name (1 to 64 letters, digits or "
            "+=,.@_-) or its ARN (arn:<partition>:iam::<account>:role/[path/]name).",
        ),
        (
            {"existing_role": "arn:aws:iam::123:role/x"},
            "Workflow 'flow': existing_role 'arn:aws:iam::123:role/x' is not a role's name",
        ),
        (
            {"existing_log_group_name": "team-logs", "log_level": "OFF"},
            "Workflow 'flow': existing_log_group_name is for execution logs, and log_level is OFF; drop one.",
        ),
        (
            {"existing_log_group_name": "team-logs", "log_retention_days": 30},
            "Workflow 'flow': log_retention_days is the retention of the log group the component creates;",
        ),
        (
            {"schedule": {"expression": "rate(1 day)", "existing_dead_letter_queue_arn": "arn:aws:sqs:r:1:q"}},
            "Workflow 'flow': schedule.existing_dead_letter_queue_arn is given alone; give the queue's ARN and URL",
        ),
        (
            {
                "schedule": {
                    "expression": "rate(1 day)",
                    "existing_dead_letter_queue_arn": "arn:aws:sqs:r:1:q",
                    "existing_dead_letter_queue_url": "https://q",
                    "dead_letter_retention_seconds": 60,
                }
            },
            "Workflow 'flow': schedule.dead_letter_retention_seconds is the retention of the queue the component",
        ),
        (
            {
                "schedule": {
                    "expression": "rate(1 day)",
                    "existing_dead_letter_queue_arn": "team-dead-letters",
                    "existing_dead_letter_queue_url": "https://q",
                }
            },
            "Workflow 'flow': schedule.existing_dead_letter_queue_arn: 'team-dead-letters' is not an SQS queue's ARN",
        ),
    ],
    ids=["role-neither", "role-bad-arn", "logs-off", "logs-retention", "queue-alone", "queue-retention", "queue-arn"],
)
def test_resources_of_your_own_given_wrong_are_refused_before_anything(
    declare: Declare, fields: dict[str, Any], message: str
) -> None:
    args = cast(WorkflowArgs, {"definition_document": DEFINITION, **fields})
    refused = declared_nothing(declare, lambda: Workflow("flow", args), re.escape(message[:30]))
    assert refused.startswith(message)


# --- grants to any role: an object, a name or an ARN; and as inputs, for languages without methods -----

START = {
    "Sid": "StartWorkflow",
    "Effect": "Allow",
    "Action": ["states:StartExecution"],
    "Resource": [f"arn:aws:states:us-east-1:{ACCOUNT}:stateMachine:flow-dev"],
}
INVOKE = {
    "Sid": "InvokeFunctions",
    "Effect": "Allow",
    "Action": ["lambda:InvokeFunction"],
    "Resource": [f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:open-dev"],
}


def test_grants_take_a_role_object_a_name_or_an_arn(declare: Declare) -> None:
    def build() -> None:
        caller = aws.iam.Role("caller", name="caller", assume_role_policy="{}")
        flow = Workflow("flow", WorkflowArgs(definition_document=DEFINITION))
        opened = HandlerFunction("open", HandlerFunctionArgs(handler=HANDLER))
        grantees: list[tuple[aws.iam.Role | pulumi.Input[str], str]] = [
            (caller, "object"),
            ("reporter", "name"),
            (f"arn:aws:iam::{ACCOUNT}:role/teams/auditor", "arn"),
            (pulumi.Output.from_input(f"arn:aws:iam::{ACCOUNT}:role/late"), "output"),
        ]
        for grantee, suffix in grantees:
            flow.grant_start_execution(grantee, f"start-{suffix}")
            opened.grant_invoke(grantee, f"invoke-{suffix}")

    run = declare(build)
    roles = {"object": "caller", "name": "reporter", "arn": "auditor", "output": "late"}
    for suffix, role in roles.items():
        assert run.named(f"start-{suffix}").inputs["role"] == run.named(f"invoke-{suffix}").inputs["role"] == role
        assert document(run, f"start-{suffix}", "policy")["Statement"] == [START]
        assert document(run, f"invoke-{suffix}", "policy")["Statement"] == [INVOKE]


def test_a_grant_to_what_is_no_role_is_refused_at_once(declare: Declare) -> None:
    def build() -> None:
        Workflow("flow", WorkflowArgs(definition_document=DEFINITION)).grant_start_execution("the reporter", "start")

    with pytest.raises(ValueError, match=r"^'the reporter' is not a role's name \(1 to 64 letters"):
        declare(build)


def test_starters_and_invokers_are_granted_as_inputs(declare: Declare) -> None:
    def build() -> None:
        Workflow(
            "flow",
            WorkflowArgs(
                definition_document=DEFINITION, starters=["reporter", f"arn:aws:iam::{ACCOUNT}:role/x/auditor"]
            ),
        )
        HandlerFunction("open", HandlerFunctionArgs(handler=HANDLER, invokers=[pulumi.Output.from_input("reporter")]))

    run = declare(build)
    assert [run.named(f"flow-starter-{n}").inputs["role"] for n in (1, 2)] == ["reporter", "auditor"]
    assert document(run, "flow-starter-2", "policy")["Statement"] == [START]
    assert run.named("open-invoker-1").inputs["role"] == "reporter"
    assert document(run, "open-invoker-1", "policy")["Statement"] == [INVOKE]
    (workflow,) = run.of_type("serverless-workflows:index:Workflow")
    assert run.named("flow-starter-1").parent == workflow.urn


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (
            lambda: Workflow("flow", WorkflowArgs(definition_document=DEFINITION, starters=["reporter", "a b"])),
            "Workflow 'flow': starters[1] 'a b' is not a role's name",
        ),
        (
            lambda: HandlerFunction("open", HandlerFunctionArgs(handler=HANDLER, invokers=["arn:aws:iam::1:role/x"])),
            "HandlerFunction 'open-dev': invokers[0] 'arn:aws:iam::1:role/x' is not a role's name",
        ),
    ],
    ids=["starter", "invoker"],
)
def test_a_starter_or_invoker_that_is_no_role_is_refused_before_anything(
    declare: Declare, build: Any, message: str
) -> None:
    assert declared_nothing(declare, build, re.escape(message)).startswith(message)


# --- Monitoring of the components themselves --------------------------------------------------------


def test_monitoring_watches_a_workflow_and_its_functions_read_off_the_components(declare: Declare) -> None:
    def build() -> None:
        opened = HandlerFunction("open", HandlerFunctionArgs(handler=HANDLER, timeout_seconds=5))
        flow = Workflow(
            "flow",
            WorkflowArgs(
                definition_document=INVOKING,
                functions={"OpenArn": opened.for_workflow()},
                schedule=ScheduleArgs(expression="rate(1 day)"),
            ),
        )
        Monitoring("watch", MonitoringArgs(name_prefix="team", workflows=[monitored(flow, functions=[opened])]))

    run = declare(build)
    dimensions = {alarm.inputs["name"]: alarm.inputs["dimensions"] for alarm in run.of_type(ALARM)}
    arn = f"arn:aws:states:us-east-1:{ACCOUNT}:stateMachine:flow-dev"
    assert dimensions["team-flow-executions-failed"] == {"StateMachineArn": arn}
    assert dimensions["team-flow-schedule-target-errors"] == {"ScheduleGroup": "flow-dev"}
    assert dimensions["team-flow-dead-letters"] == {"QueueName": "flow-dev-schedule-dlq"}
    assert dimensions["team-flow-open-errors"] == {"FunctionName": "open-dev"}
    assert len(dimensions) == 4 + 3 + 1 + 2


def test_monitored_names_a_workflow_and_tunes_it_as_asked(declare: Declare) -> None:
    def build() -> None:
        flow = Workflow("flow", WorkflowArgs(definition_document=DEFINITION))
        noisy = AlarmThresholds(executions_failed=Threshold(value=5))
        watched = monitored(flow, name="orders", thresholds=noisy)
        Monitoring("watch", MonitoringArgs(name_prefix="team", workflows=[watched], dashboard=False))

    alarms = {alarm.inputs["name"]: alarm.inputs for alarm in declare(build).of_type(ALARM)}
    kinds = ("executions-aborted", "executions-failed", "executions-throttled", "executions-timed-out")
    assert sorted(alarms) == [f"team-orders-{what}" for what in kinds]
    assert alarms["team-orders-executions-failed"]["threshold"] == 5


def test_thresholds_given_as_a_mapping_with_whole_floats_are_read_as_thresholds(declare: Declare) -> None:
    # As another language passes them: a map of maps, integers as floats.
    thresholds = {"executions_failed": {"value": 2, "period_seconds": 600.0, "evaluation_periods": 2.0}}
    workflows = [MonitoredWorkflowArgs(name="flow", state_machine_arn="arn:aws:states:us-east-1:1:stateMachine:f")]
    args = cast(MonitoringArgs, {"name_prefix": "team", "workflows": workflows, "thresholds": thresholds})
    read = plan(args)
    assert read.thresholds == ResolvedThresholds(
        executions_failed=ResolvedThreshold(value=2, period_seconds=600, evaluation_periods=2)
    )
    assert type(read.thresholds.executions_failed.period_seconds) is int
    alarm = {a.inputs["name"]: a.inputs for a in declare(lambda: Monitoring("watch", args)).of_type(ALARM)}
    assert (
        alarm["team-flow-executions-failed"]["period"],
        alarm["team-flow-executions-failed"]["evaluationPeriods"],
    ) == (
        600,
        2,
    )
    bad = cast(MonitoringArgs, {**args, "thresholds": {"executions_failed": {"periods": 2}}})
    message = declared_nothing(declare, lambda: Monitoring("watch", bad), "has no field")
    assert message == (
        "Monitoring 'team': thresholds.executions_failed has no field 'periods'; its fields are value, "
        "period_seconds, evaluation_periods."
    )


# --- house rules per component: a Workflow Studio export as it comes ------------------------------------

STUDIO_EXPORT = str(HOUSE_RULES_DIR / "workflow_studio_export.asl.json")
STUDIO_RULES = (TOP_LEVEL_TIMEOUT, LAMBDA_TASK_TIMEOUT, LAMBDA_TASK_RETRIES)


def test_a_workflow_studio_export_is_refused_by_the_mandatory_rules_naming_each(declare: Declare) -> None:
    message = declared_nothing(
        declare, lambda: Workflow("scored", WorkflowArgs(definition_file=STUDIO_EXPORT)), "project rules refused"
    )
    assert f"(project rules refused: {', '.join(STUDIO_RULES)};" in message


@pytest.mark.parametrize("level", [ADVISORY, DISABLED])
def test_a_workflow_studio_export_deploys_with_its_rules_relaxed_on_the_component(declare: Declare, level: str) -> None:
    args = WorkflowArgs(definition_file=STUDIO_EXPORT, house_rules=dict.fromkeys(STUDIO_RULES, level))
    run = declare(lambda: Workflow("scored", args))
    deployed = json.loads(run.named("scored-state-machine").inputs["definition"])
    assert deployed == json.loads(Path(STUDIO_EXPORT).read_text())
    warned = sorted(rule for rule in STUDIO_RULES for warning in run.warnings if f"project rule {rule} " in warning)
    assert warned == (sorted(STUDIO_RULES) if level == ADVISORY else [])
    invoke = document(run, "scored-policy", "policy")["Statement"][2]
    function = "arn:aws:lambda:us-east-1:123456789012:function:score:$LATEST"
    assert (invoke["Action"], invoke["Resource"]) == (["lambda:InvokeFunction"], [function])


def test_monitoring_arguments_of_another_type_are_refused_in_one_line(declare: Declare) -> None:
    missing = declared_nothing(
        declare, lambda: Monitoring("watch", cast(MonitoringArgs, {"workflows": []})), "required"
    )
    assert missing == "Monitoring: name_prefix is required: a string."
    listed = cast(MonitoringArgs, {"name_prefix": "team", "workflows": [{"name": "flow"}]})
    message = declared_nothing(declare, lambda: Monitoring("watch", listed), "required")
    assert message == "Monitoring 'team': workflows[0].state_machine_arn is required: a string (or an output of one)."
