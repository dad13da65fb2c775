"""What a definition's Task states call, and the least IAM access each call needs.

Step Functions calls other services with the state machine's role, so the
role needs exactly the actions of the integrations the definition uses, on
exactly the resources it names. This module reads that off the definition,
at any depth (Parallel branches, Map processors), before any ARN exists:
targets stay as written, `${Name}` placeholders included, and are turned into
resource ARNs by `resource_arns` once the values are known.

What each integration needs is data: `serverless_workflows/asl/integration_table.py`, one entry per
`service:action` with the AWS page it comes from; an AWS SDK call's entry is built from IAM's data
by `serverless_workflows/asl/sdk_table.py`. This module applies it: it reads the
arguments the table names, checks they are written in the definition, and builds each
`Access`. `statements` groups them into the role's statements, the one place where ARNs
and conditions are filled in.

A call whose target cannot be known from the definition (taken from the
execution data), or a service this module does not know, is reported as
`Unscoped`, naming the state and the IAM actions it needs: the component refuses
it unless the caller grants it explicitly. Never a silent `*`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import unquote, urlparse

from serverless_workflows.asl.asl_language import ATHENA_MANIFEST
from serverless_workflows.asl.definition import PLACEHOLDER
from serverless_workflows.asl.integration_table import (
    ANY_BUCKET,
    CHILD_EXECUTIONS,
    ITEM_READERS,
    KMS_TARGET,
    MANIFEST_DATA,
    NAME_OR_ARN_FORMS,
    NO_ARN_FORMS,
    NOT_DERIVED_FOR_ARNS,
    OPTIMISED,
    RESULT_WRITER,
    STAR,
    Grant,
    Integration,
    names_by_arn,
)
from serverless_workflows.asl.model import ABSENT, COMPUTED, GIVEN, Call, State, argument, arguments_of, read
from serverless_workflows.asl.sdk_table import integration as sdk_integration

_ACTIVITY_ARN = re.compile(r"^arn:[a-z-]+:states:[a-z0-9-]+:\d{12}:activity:.+$")
_READER_RESOURCE = re.compile(r"^arn:[a-z-]+:states:::(?P<key>[A-Za-z0-9-]+:[A-Za-z0-9]+)$")
_ARGUMENT = re.compile(r"\{(?P<name>[A-Z][A-Za-z0-9_.]*)(?:\|(?P<form>[a-z0-9-]+))?\}")

# Step Functions runs `.sync` nested executions through this managed EventBridge rule (AWS documents
# the rule name in "IAM policies for nested workflows").
NESTED_EXECUTION_RULE = "StepFunctionsGetEventsForStepFunctionsExecutionRule"


@dataclass(frozen=True)
class Piece:
    """Part of a resource or condition value: template text (`{region}`...), or an argument's value
    as written (`form` set, possibly "" for the value as it is), turned into ARN text by FORMS[form]."""

    text: str
    form: str | None = None


Template = tuple[Piece, ...]


@dataclass(frozen=True)
class Access:
    """One Task's need: `actions` on the resources its arguments name."""

    state: str
    """The Task's name, as written."""
    where: str
    """Its path, as messages show it (`model.describe`)."""
    sid: str
    """The statement it belongs to; one statement per sid (and condition), so unrelated grants never merge."""
    actions: tuple[str, ...]
    resources: tuple[Template, ...]
    condition: tuple[tuple[str, str, Template], ...] = ()
    target: str = ""
    """The main target as written (may hold `${Name}`): the first argument a resource names."""
    encrypted_with: str | None = None
    """The service through which a customer managed key of the target would be used."""


@dataclass(frozen=True)
class Unscoped:
    state: str
    """The state's name, as written: what `granted_states` lists to grant it by hand."""
    where: str
    resource: str
    reason: str
    actions: tuple[str, ...] = ()
    """The IAM actions to grant by hand, when known."""

    def __str__(self) -> str:
        needs = f"; grant {', '.join(self.actions)} yourself" if self.actions else ""
        return f"{self.where} calls {self.resource}: {self.reason}{needs}"


SUPPORTED = (
    "Lambda functions (plain ARN, or lambda:invoke or aws-sdk:lambda:invoke with FunctionName)",
    f"{len(OPTIMISED)} optimised integrations with their targets written in the definition "
    "(docs/adding-a-workflow.md#permissions-come-from-the-definition of the serverless-workflows repository "
    "lists them)",
    "AWS SDK integrations (aws-sdk:SERVICE:action) whose targets are written in the definition, from IAM's data",
    "Distributed Maps reading from and writing to S3 locations written in the definition",
)


def _text(arguments: Any, path: str) -> tuple[str | None, str]:
    """(value, GIVEN) for an argument written as a non-empty string, which is what names a
    resource; (None, ABSENT or COMPUTED) otherwise."""
    status, value = argument(arguments, path)
    if status == GIVEN and isinstance(value, str) and value:
        return value, GIVEN
    return None, COMPUTED if status == COMPUTED else ABSENT


def accesses(
    document: Any, functions: frozenset[str] | set[str] = frozenset(), passable_roles: Sequence[str] = ()
) -> tuple[list[Access], list[Unscoped]]:
    """What every Task of `document` needs, and the Tasks whose needs cannot be scoped.

    `functions` are the placeholders known to hold Lambda function ARNs: a Task
    whose Resource is `${Name}` with Name among them invokes that function.
    `passable_roles` are the roles the workflow may pass to a service that takes them from a
    task or job definition the definition only names (ECS).
    """
    found: list[Access] = []
    unscoped: list[Unscoped] = []
    definition = read(document)
    for state in definition.states():
        if state.type == "Task":
            needs, problem = _task_accesses(state, functions, passable_roles)
        elif state.distributed:
            needs, problem = _distributed_map(state)
        else:
            continue
        found.extend(needs)
        unscoped.extend(problem)
    return found, unscoped


Needs = tuple[list[Access], list[Unscoped]]
_UNKNOWN_PLACEHOLDER = (
    "this placeholder is not one of the workflow's functions, so what it calls is unknown; "
    "declare the function, or grant it explicitly"
)


def _task_accesses(state: State, functions: frozenset[str] | set[str], passable_roles: Sequence[str]) -> Needs:
    call = state.call
    if call is None:
        return [], []  # the validator reports it
    resource = call.resource
    invoked = state.lambda_call(functions)
    lambda_invoke = OPTIMISED["lambda:invoke"]
    if invoked is not None and not invoked.by_name:
        grant = lambda_invoke.grants[0]
        return [Access(state.name, state.where, grant.sid, grant.actions, ((Piece(resource, "function"),),),
                       target=resource)], []  # fmt: skip
    if _ACTIVITY_ARN.match(resource):
        return [], []  # workers poll activities with their own credentials
    reason = None
    if PLACEHOLDER.fullmatch(resource):
        reason = _UNKNOWN_PLACEHOLDER
    elif state.fields.get("Credentials") is not None:
        reason = "it runs with other credentials (Credentials), which need sts:AssumeRole"
    if reason is None and invoked is not None:
        return _apply(
            state,
            resource,
            lambda_invoke,
            call.pattern,
            arguments=arguments_of(state.fields),
            passable_roles=passable_roles,
        )
    if reason is None and call.integration is None and not call.sdk:
        reason = "this is not a service integration this component knows"
    if reason is not None:
        return [], [Unscoped(state.name, state.where, resource, reason)]
    return _service_accesses(state, call, passable_roles)


def _service_accesses(state: State, call: Call, passable_roles: Sequence[str]) -> Needs:
    if call.sdk:
        return _sdk_accesses(state, call)
    integration = OPTIMISED.get(f"{call.service}:{call.action}")
    if integration is None:
        return [], [Unscoped(state.name, state.where, call.resource,
                             "this service integration is not one this component scopes")]  # fmt: skip
    if call.pattern not in integration.patterns:
        why = f"the {call.pattern or 'request-response'} pattern of {integration.key} is not one this component scopes"
        return [], [Unscoped(state.name, state.where, call.resource, why)]
    return _apply(
        state,
        call.resource,
        integration,
        call.pattern,
        arguments=arguments_of(state.fields),
        passable_roles=passable_roles,
    )


def _sdk_accesses(state: State, call: Call) -> Needs:
    """An AWS SDK integration: its grants derived from IAM's data (`sdk_table`), applied as an optimised one's."""
    arguments = arguments_of(state.fields)
    built = sdk_integration(call.service or "", call.action or "", call.pattern, arguments)
    if not isinstance(built, Integration):
        why, actions = built
        return [], [Unscoped(state.name, state.where, call.resource, why, actions)]
    needs, problems = _apply(state, call.resource, built, call.pattern, arguments=arguments, passable_roles=())
    # A refused state is granted by hand as a whole (granted_states): name every action the call needs,
    # not only the one whose target is unknown (a transaction's items computed at run time).
    actions = tuple(dict.fromkeys(action for grant in built.grants for action in grant.actions))
    return needs, [replace(problem, actions=actions) for problem in problems]


def _distributed_map(state: State) -> Needs:
    """A Distributed Map runs its children as executions of this state machine, reads its items
    from S3 (ItemReader) and may write its results there (ResultWriter)."""
    found, problems = _apply(state, "a Distributed Map", CHILD_EXECUTIONS, "", arguments={}, passable_roles=())
    for field in ("ItemReader", "ResultWriter"):
        config = state.fields.get(field)
        if not isinstance(config, dict) or "Resource" not in config:
            continue
        resource = config["Resource"]
        matched = _READER_RESOURCE.match(resource) if isinstance(resource, str) else None
        key = matched["key"] if matched else None
        integration = ITEM_READERS.get(key or "") if field == "ItemReader" else None
        if field == "ResultWriter" and key == RESULT_WRITER.key:
            integration = RESULT_WRITER
        if integration is None:
            problems.append(Unscoped(state.name, state.where, f"{field} {resource}",
                                     "this reader or writer is not one this component scopes"))  # fmt: skip
            continue
        needs, unscoped = _apply(
            state, f"{field} {resource}", integration, "", arguments=arguments_of(config), passable_roles=()
        )
        reader = config.get("ReaderConfig")
        if isinstance(reader, dict) and reader.get("InputType") == "MANIFEST" and not unscoped:
            written = arguments_of(config)
            manifest = written.get("Key") if isinstance(written, dict) else None
            if reader.get("ManifestType") == ATHENA_MANIFEST:
                unscoped = [Unscoped(state.name, state.where, f"{field} {resource}",
                                     "an Athena manifest names its data files only in itself, wherever the query "
                                     "wrote them", MANIFEST_DATA.actions)]  # fmt: skip
            elif isinstance(manifest, str) and not PLACEHOLDER.search(manifest) and not _inventory_manifest(manifest):
                unscoped = [Unscoped(state.name, state.where, f"{field} {resource}",
                                     f"its Key {manifest!r} is not where S3 Inventory publishes a manifest "
                                     f"({_MANIFEST_KEY}), so where its data files are is not known",
                                     MANIFEST_DATA.actions)]  # fmt: skip
            else:
                more, unscoped = _grants(
                    state, f"{field} {resource}", (MANIFEST_DATA,), arguments=written, passable_roles=()
                )
                needs += more
        found += needs
        problems += unscoped
    return found, problems


def _apply(
    state: State,
    resource: str,
    integration: Integration,
    pattern: str,
    *,
    arguments: Any,
    passable_roles: Sequence[str],
) -> Needs:
    grants = tuple(grant for grant in integration.grants if pattern in grant.patterns)
    if integration.each is None:
        needs, problems = _grants(
            state,
            resource,
            grants,
            arguments=arguments,
            passable_roles=passable_roles,
            encrypted_with=integration.encrypted_with,
        )
        return needs, problems
    # One target per item of a list (EventBridge Entries).
    status, items = argument(arguments, integration.each)
    actions = tuple(sorted({a for grant in grants for a in grant.actions}))
    if status != GIVEN or not isinstance(items, list):
        why = f"its {integration.each} are computed at run time, so the targets are unknown"
        return [], [Unscoped(state.name, state.where, resource, why, actions)]
    found: list[Access] = []
    for item in items:
        if not isinstance(item, dict):
            return [], [Unscoped(state.name, state.where, resource, "an entry is computed at run time", actions)]
        needs, problems = _grants(
            state,
            resource,
            grants,
            arguments=item,
            passable_roles=passable_roles,
            encrypted_with=integration.encrypted_with,
        )
        if problems:
            return [], problems
        found += needs
    return found, []


def _grants(
    state: State,
    resource: str,
    grants: Iterable[Grant],
    *,
    arguments: Any,
    passable_roles: Sequence[str],
    encrypted_with: str | None = None,
) -> Needs:
    found: list[Access] = []
    late: list[Unscoped] = []
    for grant in grants:
        if grant.passable_roles is not None:
            if passable_roles:
                roles = tuple((Piece(role, "role"),) for role in passable_roles)
                found.append(Access(state.name, state.where, grant.sid, grant.actions, roles,
                                    _condition(grant, {}), target=passable_roles[0]))  # fmt: skip
            elif not any(a.sid == grant.sid for a in found):
                why = (
                    "it passes the roles of the task definition it names (task role, execution role), which the "
                    "definition does not show; list them in passable_roles (in the catalogue: "
                    "WorkflowSpec.passable_roles), role ARNs or ${Name} placeholders"
                )
                late.append(Unscoped(state.name, state.where, resource, why, grant.actions))
            continue
        keys = dict(grant.keys)
        values: dict[str, str] = {**dict(grant.defaults), **keys}
        skipped = False
        templates = [*grant.resources, *(value for _, _, value in grant.condition)]
        for name in dict.fromkeys(m["name"] for template in templates for m in _ARGUMENT.finditer(template)):
            if name in keys:
                continue
            value, status = _text(arguments, name)
            if value is not None:
                values[name] = value
            elif status == ABSENT and name in grant.optional:
                skipped = True
            elif status == COMPUTED:
                why = f"{name} is taken from the execution data, so the target is unknown until it runs"
                return [], [Unscoped(state.name, state.where, resource, why, grant.actions)]
            elif name not in values:
                return [], [Unscoped(state.name, state.where, resource, f"it has no {name}", grant.actions)]
        if skipped:
            continue
        resources = tuple(_template(text, values) for text in grant.resources)
        target = next((p.text for r in resources for p in r if p.form is not None), "")
        found.append(Access(state.name, state.where, grant.sid, grant.actions, resources,
                            _condition(grant, values), target, encrypted_with))  # fmt: skip
    return found, late


def _template(text: str, values: Mapping[str, str]) -> Template:
    pieces: list[Piece] = []
    position = 0
    for match in _ARGUMENT.finditer(text):
        if match.start() > position:
            pieces.append(Piece(text[position : match.start()]))
        pieces.append(Piece(values[match["name"]], match["form"] or ""))
        position = match.end()
    if position < len(text):
        pieces.append(Piece(text[position:]))
    return tuple(pieces)


def _condition(grant: Grant, values: Mapping[str, str]) -> tuple[tuple[str, str, Template], ...]:
    return tuple((operator, key, _template(value, values)) for operator, key, value in grant.condition)


# --- from targets to ARNs, once the values are known ---------------------------------


@dataclass(frozen=True)
class Environment:
    partition: str
    region: str
    account_id: str
    state_machine: str = ""
    """The workflow's own state machine name (the HTTP Task and the Distributed Map name it)."""

    def fill(self, text: str) -> str:
        for token, value in (("{partition}", self.partition), ("{region}", self.region),
                             ("{account}", self.account_id), ("{state_machine}", self.state_machine)):  # fmt: skip
            text = text.replace(token, value)
        return text


class IntegrationError(ValueError):
    """A target that, once its placeholders are filled, does not name a resource of its kind."""


Form = Callable[[str, Environment], str]


def _arn_or(template: str) -> Form:
    """A resource named by its ARN, or by its name (in this account and region)."""

    def form(value: str, env: Environment) -> str:
        return value if value.startswith("arn:") else env.fill(template).replace("{name}", value)

    return form


def _must_be_arn(value: str, env: Environment) -> str:
    if not value.startswith("arn:"):
        raise IntegrationError(f"{value!r} is not an ARN")
    return value


def _function(value: str, env: Environment) -> str:
    if value.startswith("arn:"):
        return value
    if ":function:" in value:  # "123456789012:function:name", a partial ARN
        return f"arn:{env.partition}:lambda:{env.region}:{value}"
    return f"arn:{env.partition}:lambda:{env.region}:{env.account_id}:function:{value}"


def _queue_arn(url: str, env: Environment) -> str:
    parsed = urlparse(url)
    parts = parsed.path.strip("/").split("/")
    host = parsed.hostname or ""
    if parsed.scheme != "https" or len(parts) != 2 or not parts[0].isdigit():
        raise IntegrationError(f"{url!r} is not an SQS queue URL (https://sqs.<region>.../<account>/<name>)")
    labels = host.split(".")
    # sqs.<region>.amazonaws.com[.cn], or the legacy <region>.queue.amazonaws.com
    region = labels[1] if labels[0] == "sqs" else labels[0]
    return f"arn:{env.partition}:sqs:{region}:{parts[0]}:{parts[1]}"


def _executions_of(value: str, env: Environment) -> str:
    if ":stateMachine:" not in value:
        raise IntegrationError(f"{value!r} is not a state machine ARN")
    return value.replace(":stateMachine:", ":execution:") + ":*"


def _with_revision(template: str) -> Form:
    """A task or job definition named `family`, `family:revision` or by ARN; a family alone may run any revision."""
    named = _arn_or(template)

    def form(value: str, env: Environment) -> str:
        arn = named(value, env)
        return arn if ":" in arn.rsplit("/", 1)[-1] else f"{arn}:*"

    return form


def _ecs_tasks_of(value: str, env: Environment) -> str:
    if value.startswith("arn:"):
        prefix, _, cluster = value.partition(":cluster/")
        if not cluster:
            raise IntegrationError(f"{value!r} is not an ECS cluster ARN")
        return f"{prefix}:task/{cluster}/*"
    return f"arn:{env.partition}:ecs:{env.region}:{env.account_id}:task/{value}/*"


def _s3_object(value: str, env: Environment) -> str:
    if not value.startswith("s3://") or "/" not in value[5:]:
        raise IntegrationError(f"{value!r} is not an S3 URI (s3://bucket/key)")
    return f"arn:{env.partition}:s3:::{value[5:]}"


_MANIFEST_KEY = "<prefix>/<source bucket>/<config ID>/<YYYY-MM-DDTHH-MMZ>/manifest.json"


# The folder of one inventory's publication: its date and hour, YYYY-MM-DDTHH-MMZ.
_INVENTORY_RUN = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}Z$")


def _inventory_manifest(key: str) -> bool:
    """Whether `key` is where S3 Inventory publishes a manifest (S3 User Guide, "Locating your inventory list")."""
    parts = key.split("/")
    return (
        len(parts) >= 4 and parts[-1] == "manifest.json" and all(parts[-4:-2]) and bool(_INVENTORY_RUN.match(parts[-2]))
    )


def _s3_inventory_data(value: str, env: Environment) -> str:
    # The data files an S3 Inventory manifest lists are under <prefix>/<source bucket>/<config ID>/data/.
    if not _inventory_manifest(value):
        raise IntegrationError(f"{value!r} is not an S3 Inventory manifest's key ({_MANIFEST_KEY})")
    return "/".join(value.split("/")[:-2]) + "/data/*"


def _connection_secret(value: str, env: Environment) -> str:
    # EventBridge keeps a connection's credentials in a secret named events!connection/<name>/<id>.
    arn = _must_be_arn(value, env)
    parts = arn.split(":")
    if len(parts) != 6 or parts[2] != "events" or not parts[5].startswith("connection/"):
        raise IntegrationError(f"{value!r} is not an EventBridge connection ARN")
    name = parts[5].split("/")[1]
    return f"arn:{parts[1]}:secretsmanager:{parts[3]}:{parts[4]}:secret:events!connection/{name}/*"


_EXECUTE_API = re.compile(
    r"^(?:https://)?(?P<api>[a-z0-9]+)\.execute-api\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(\.cn)?/?$"
)


_SECRET_SUFFIX = re.compile(r"-[A-Za-z0-9]{6}$")


def _secret(value: str, env: Environment) -> str:
    # A secret's ARN ends with "-" and six random characters Secrets Manager adds to its name; "-??????"
    # matches them (Secrets Manager User Guide, "Limiting Access to Specific Secrets"). A name gets it, and
    # so does a partial ARN without them: an ARN that ends so is complete, as Secrets Manager reads it too.
    if not value.startswith("arn:"):
        return f"arn:{env.partition}:secretsmanager:{env.region}:{env.account_id}:secret:{value}-??????"
    return value if _SECRET_SUFFIX.search(value) else f"{value}-??????"


def _ssm_parameter(value: str, env: Environment) -> str:
    # IAM's parameter ARN has no leading slash in the name (parameter/app/db for /app/db), and no
    # ":label" or ":version" selector, which GetParameter's Name may end with; names hold no ":".
    if value.startswith("arn:"):
        arn, _, name = value.partition(":parameter/")
        return f"{arn}:parameter/{name.split(':', maxsplit=1)[0]}"
    return value.split(":", maxsplit=1)[0].removeprefix("/")


def _s3_copy_source(value: str, env: Environment) -> str:
    # "bucket/key", URL-encoded, optionally with "?versionId=...", as CopyObject takes it.
    bucket_key = unquote(value.lstrip("/").split("?", 1)[0])
    if "/" not in bucket_key:
        raise IntegrationError(f"{value!r} is not an S3 copy source (bucket/key)")
    return f"arn:{env.partition}:s3:::{bucket_key}"


def _execute_api(value: str, env: Environment) -> str:
    matched = _EXECUTE_API.match(value)
    if matched is None:
        raise IntegrationError(f"{value!r} is not an API Gateway endpoint (<api>.execute-api.<region>.amazonaws.com)")
    return f"arn:{env.partition}:execute-api:{matched['region']}:{env.account_id}:{matched['api']}"


FORMS: dict[str, Form] = {
    "": lambda value, env: value,
    "arn": _must_be_arn,
    "function": _function,
    "queue-url": _queue_arn,
    "executions-of": _executions_of,
    "dynamodb-table": _arn_or("arn:{partition}:dynamodb:{region}:{account}:table/{name}"),
    "event-bus": _arn_or("arn:{partition}:events:{region}:{account}:event-bus/{name}"),
    "batch-job-queue": _arn_or("arn:{partition}:batch:{region}:{account}:job-queue/{name}"),
    "batch-job-definition": _with_revision("arn:{partition}:batch:{region}:{account}:job-definition/{name}"),
    "ecs-task-definition": _with_revision("arn:{partition}:ecs:{region}:{account}:task-definition/{name}"),
    "ecs-tasks-of-cluster": _ecs_tasks_of,
    "role": _arn_or("arn:{partition}:iam::{account}:role/{name}"),
    "bedrock-model": _arn_or("arn:{partition}:bedrock:{region}::foundation-model/{name}"),
    "mediaconvert-queue": _arn_or("arn:{partition}:mediaconvert:{region}:{account}:queues/{name}"),
    "s3-object": _s3_object,
    "s3-inventory-data": _s3_inventory_data,
    "connection-secret": _connection_secret,
    "execute-api": _execute_api,
    "secret": _secret,
    "s3-copy-source": _s3_copy_source,
    "name-or-arn": lambda value, env: value,
    "ssm-parameter": _ssm_parameter,
    "s3-bucket-name": lambda value, env: value,
}
"""How an argument's value becomes (part of) an ARN: the forms `integration_table` names."""


def _render(template: Template, env: Environment, fill: Callable[[str], str], lenient: bool = False) -> str:
    text = []
    for piece in template:
        if piece.form is None:
            text.append(env.fill(piece.text))
            continue
        value = fill(piece.text)
        try:
            if piece.form in NO_ARN_FORMS and names_by_arn(value):
                raise IntegrationError(f"{value!r} is an ARN where a bucket is named: {NOT_DERIVED_FOR_ARNS}")
            formed = FORMS[piece.form](value, env)
            if piece.form in NAME_OR_ARN_FORMS and formed.startswith("arn:"):
                text = [formed]  # the ARN of what the text so far names: the rest (an index) follows it
                continue
            text.append(formed)
        except IntegrationError:
            if not lenient:
                raise
            # A stand-in (a run of characters as long as the value can be) is no resource of its
            # kind: an ARN around it is longer than anything a form makes of a value that long.
            text.append(f"arn:{env.partition}:{'x' * 16}:{env.region}:{env.account_id}:{value}")
    return "".join(text)


def resource_arns(
    access: Access, env: Environment, fill: Callable[[str], str] = str, *, lenient: bool = False
) -> list[str]:
    """The ARNs `access` needs, with `fill` putting the values in its placeholders. `lenient` takes
    a value that is no resource of its kind (a stand-in, to bound a policy's size) without refusing it."""
    try:
        return [_render(template, env, fill, lenient) for template in access.resources]
    except IntegrationError as error:
        raise IntegrationError(f"{access.where}: {error}") from None


Statement = tuple[str, tuple[str, ...], list[str], dict[str, dict[str, str]]]
"""(sid, actions, resources, condition)."""

# The statements this project has always written come first, in their order: a role's policy
# does not change because more integrations became known.
_FIRST = ("InvokeTaskFunctions", "PublishToTopics", "SendToQueues", "ReadTableItems", "PutTableItems",
          "UpdateTableItems", "DeleteTableItems", "StartNestedWorkflows", "PutEventsOnBuses",
          "FollowNestedExecutions", "ManageNestedExecutionRule")  # fmt: skip
_TABLES = (*OPTIMISED.values(), *ITEM_READERS.values(), RESULT_WRITER, CHILD_EXECUTIONS)
KEYED_SERVICES = tuple(sorted({entry.encrypted_with for entry in _TABLES if entry.encrypted_with}))
"""The services through which a role may use its targets' customer managed keys (`statements`' target_keys)."""
_ORDER = list(dict.fromkeys([*_FIRST, *(g.sid for entry in _TABLES for g in entry.grants), MANIFEST_DATA.sid,
                              KMS_TARGET.sid]))  # fmt: skip


def statements(
    found: Iterable[Access],
    env: Environment,
    fill: Callable[[str], str] = str,
    target_keys: Mapping[str, str] | None = None,
    *,
    lenient: bool = False,
) -> list[Statement]:
    """The role's statements for `found`: one per sid and condition, resources sorted, in a stable order.

    `target_keys` maps a target as written (`${Topic}`) to the customer managed KMS key that
    encrypts it: the role may use that key only through the target's service."""
    grouped: dict[tuple[str, str], tuple[set[str], set[str], dict[str, dict[str, str]]]] = {}
    for access in found:
        condition: dict[str, dict[str, str]] = {}
        for operator, key, value in access.condition:
            condition.setdefault(operator, {})[key] = _render(value, env, fill, lenient)
        entry = grouped.setdefault((access.sid, repr(sorted(condition.items()))), (set(), set(), condition))
        entry[0].update(access.actions)
        entry[1].update(resource_arns(access, env, fill, lenient=lenient))
        key_arn = (target_keys or {}).get(access.target)
        if key_arn is not None and access.encrypted_with is not None:
            via = {"StringEquals": {"kms:ViaService": f"{access.encrypted_with}.{env.region}.amazonaws.com"}}
            kms = grouped.setdefault((KMS_TARGET.sid, repr(sorted(via.items()))), (set(), set(), via))
            kms[0].update(KMS_TARGET.actions)
            kms[1].add(key_arn)
    # Then the AWS SDK integrations' statements, by Sid.
    ordered = sorted(grouped.items(), key=lambda item: (_rank(item[0][0]), item[0][0], item[0][1]))
    result: list[Statement] = []
    seen: dict[str, int] = {}
    for (sid, _), (actions, resources, condition) in ordered:
        seen[sid] = seen.get(sid, 0) + 1
        # The same grant under different conditions (two S3 prefixes, two HTTP endpoints) stays apart.
        numbered = sid if seen[sid] == 1 else f"{sid}{seen[sid]}"
        result.append((numbered, tuple(sorted(actions)), sorted(resources), condition))
    return result


def _rank(sid: str) -> int:
    return _ORDER.index(sid) if sid in _ORDER else len(_ORDER)


def star_grants() -> set[str]:
    """Every action some table grants on `*`."""
    return {a for entry in _TABLES for g in entry.grants if STAR in g.resources for a in g.actions}


def any_bucket_grants() -> set[str]:
    """Every action some table grants on every S3 bucket."""
    return {a for entry in _TABLES for g in entry.grants if ANY_BUCKET in g.resources for a in g.actions}
