"""The AWS SDK's services and operations, read from the service models botocore ships.

Step Functions names an AWS SDK integration `aws-sdk:SERVICE:action` with the AWS SDK for Java
2.x's names: the service's `serviceId` in lowercase, a trailing " Service" and every space or
hyphen dropped (`sfn`, `cloudwatchlogs`, `eventbridge`), and the operation in camelCase. botocore
names most services the same once its hyphens are dropped (`s3`, `application-autoscaling`); the
others are in SDK_NAMES, which tests/test_sdk.py derives anew from every service's `serviceId`.
A service's IAM prefix is its signing name (`sfn` signs as `states`, `logs` as `logs`), except
for the few in IAM_PREFIXES, each tested against IAM's data.

`parameter_problems` checks each Task's parameters against the operation's input shape: member
names at every depth and the operation's required parameters, before anything is declared. It strips `.$` keys and
`{% %}` values (their values are known only at run time) and allows what the Amazon States
Language allows and the raw API does not: a member name with its first letter in upper case
(`LogGroupName` for `logGroupName`), and any JSON where the API takes a string or bytes (an
SQS `MessageBody`, an SNS `Message`, a Lambda `Payload`).

botocore is imported when a model is first read, so that importing this module costs nothing.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from serverless_workflows.asl import model
from serverless_workflows.asl.integration_table import ONE_API_CALL

SDK_NAMES = {
    "applicationdiscovery": "discovery",
    "cloudwatchlogs": "logs",
    "cognitoidentityprovider": "cognito-idp",
    "costandusagereport": "cur",
    "costexplorer": "ce",
    "databasemigration": "dms",
    "directory": "ds",
    "directoryservicedata": "ds-data",
    "elasticloadbalancing": "elb",
    "elasticloadbalancingv2": "elbv2",
    "elasticsearch": "es",
    "eventbridge": "events",
    "iotdataplane": "iot-data",
    "iotjobsdataplane": "iot-jobs-data",
    "lexmodelbuilding": "lex-models",
    "lexmodelsv2": "lexv2-models",
    "lexruntimev2": "lexv2-runtime",
    "marketplacemetering": "meteringmarketplace",
    "migrationhub": "mgh",
    "serverlessapplicationrepository": "serverlessrepo",
    "sfn": "stepfunctions",
    "simpledb": "sdb",
}
"""The SDK names Step Functions uses that are not botocore's with its hyphens dropped -> botocore's."""

IAM_PREFIXES = {
    "cloudcontrol": "cloudformation",
    "cloudwatch": "cloudwatch",
    "iot-data": "iot",
    "iot-jobs-data": "iotjobsdata",
    "iotsecuretunneling": "iot",
    "mturk": "mechanicalturk",
    "resourcegroupstaggingapi": "tag",
}
"""botocore services whose signing name is no IAM prefix -> the prefix IAM authorises their calls under."""


def sdk_name(service_id: str) -> str:
    """The name Step Functions (the AWS SDK for Java 2.x) gives a service, from its serviceId."""
    return re.sub(r"[^a-z0-9]", "", re.sub(r" Service$", "", service_id).lower())


@dataclass(frozen=True)
class SdkService:
    name: str
    """As Step Functions names it (`sfn`)."""
    botocore: str
    """As botocore names it (`stepfunctions`)."""
    iam_prefix: str
    """Whose actions authorise its calls (`states`)."""


@functools.cache
def _session() -> Any:
    import botocore.session  # noqa: PLC0415 - only the modules that read a model load botocore

    return botocore.session.get_session()


@functools.cache
def _botocore_names() -> dict[str, str]:
    """botocore's services by their name without hyphens."""
    names = _session().get_component("data_loader").list_available_services("service-2")
    return {name.replace("-", ""): name for name in names}


@functools.cache
def _model(botocore_name: str) -> Any:
    return _session().get_service_model(botocore_name)


def step_functions_name(botocore_name: str) -> str:
    """The name Step Functions gives botocore's service in `aws-sdk:NAME:action` (`logs` -> `cloudwatchlogs`)."""
    return _STEP_FUNCTIONS_NAMES.get(botocore_name) or botocore_name.replace("-", "")


_STEP_FUNCTIONS_NAMES = {botocore_name: name for name, botocore_name in SDK_NAMES.items()}


def _botocore_name(name: str) -> str | None:
    """botocore's service that `name` means, as Step Functions writes it or as botocore does."""
    return SDK_NAMES.get(name) or _botocore_names().get(name.replace("-", ""))


@functools.cache
def service(name: str) -> SdkService | None:
    """The service Step Functions calls `name` in `aws-sdk:name:action`, or None if it calls none
    so: botocore has none, or botocore's own name is not the one Step Functions uses (`logs`)."""
    botocore_name = _botocore_name(name)
    if botocore_name is None or step_functions_name(botocore_name) != name:
        return None
    metadata = _model(botocore_name).metadata
    prefix = IAM_PREFIXES.get(botocore_name) or metadata.get("signingName") or metadata["endpointPrefix"]
    return SdkService(name, botocore_name, prefix)


def operation_name(action: str) -> str:
    """The API's name of the operation Step Functions writes in camelCase: `getObject` -> `GetObject`."""
    return action[:1].upper() + action[1:]


def _as_step_functions_writes(operation: str) -> str:
    """An operation as Step Functions writes it, in camelCase: `GetObject` -> `getObject`."""
    return operation[:1].lower() + operation[1:]


def operation(sdk: SdkService, action: str) -> Any | None:
    """botocore's model of the operation, or None if the service has no such operation."""
    found = _model(sdk.botocore)
    name = operation_name(action)
    return found.operation_model(name) if name in found.operation_names else None


def call_problem(name: str, action: str) -> str | None:
    """Why `aws-sdk:name:action` calls no operation, or None when it calls one: the service is not
    one Step Functions names so, or the action is not one of its operations in camelCase."""
    sdk = service(name)
    if sdk is None:
        botocore_name = _botocore_name(name)
        if botocore_name is not None:
            written = step_functions_name(botocore_name)
            return f"Step Functions calls the service {name!r} {written}: write aws-sdk:{written}:{action}"
        known = sorted({step_functions_name(b) for b in _botocore_names().values()})
        close = difflib.get_close_matches(name, known, n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        return f"botocore knows no AWS SDK service {name!r}{hint}"
    if operation(sdk, action) is None:
        operations = list(_model(sdk.botocore).operation_names)
        close = difflib.get_close_matches(operation_name(action), operations, n=1)
        hint = f"; did you mean {_as_step_functions_writes(close[0])}?" if close else ""
        return f"botocore's model of {sdk.botocore} has no operation {operation_name(action)}{hint}"
    if action != _as_step_functions_writes(action):
        return f"Step Functions writes the action {action} in camelCase: {_as_step_functions_writes(action)}"
    return None


OPTIMISED_SERVICES = {"states": "stepfunctions"}
"""An optimised integration's service (`arn:aws:states:::SERVICE:action`) -> botocore's name for it,
where the two differ: Step Functions names its own API by its IAM prefix."""


def one_api_call(key: str) -> Any:
    """botocore's model of the operation an optimised integration in ONE_API_CALL (`sqs:sendMessage`) is."""
    name, action = key.split(":")
    return _model(OPTIMISED_SERVICES.get(name, name)).operation_model(operation_name(action))


# --- the parameters of a Task, against the operation's input shape -------------------------------


def _as_written(member: str) -> str:
    """A member's name as a definition writes it: botocore's, first letter in upper case."""
    return member[:1].upper() + member[1:]


def parameter_problems(document: Any) -> list[str]:
    """One line for each parameter of an AWS SDK task (or of an optimised integration that is one
    API call) that the operation does not take, and each required one missing. A Task without
    Parameters or Arguments gets its state input as parameters, which is known only at run time."""
    problems: list[str] = []
    for state in model.read(document).tasks():
        call = state.call
        if call is None or call.service is None or call.action is None:
            continue
        if call.sdk:
            problem = call_problem(call.service, call.action)
            sdk = service(call.service)
            found = operation(sdk, call.action) if sdk is not None and problem is None else None
            if found is None:
                problems.append(f"{state.where} calls {call.resource}: {problem}")
                continue
        elif f"{call.service}:{call.action}" in ONE_API_CALL:
            found = one_api_call(f"{call.service}:{call.action}")
        else:
            continue
        arguments = model.arguments_of(state.fields)
        if isinstance(arguments, dict):
            what = f"{state.where} calls {call.resource}: {found.name}"
            problems.extend(_shape_problems(what, found.input_shape, arguments, ""))
    return problems


def _shape_problems(what: str, shape: Any, value: dict[str, Any], path: str) -> Iterator[str]:
    if shape is None or getattr(shape, "is_document_type", False):
        return
    members = {_as_written(name): name for name in shape.members}
    # Case is not checked, only spelling: Step Functions' SDK follows the Java SDK's member names,
    # which may differ from botocore's in case alone (DynamoDB's BOOL and SS are Bool and Ss in
    # its results), and nothing AWS documents says which case it refuses.
    by_case = {written.casefold(): name for written, name in members.items()}
    given: set[str] = set()
    for key, item in value.items():
        if not isinstance(key, str):
            continue
        written = key[:-2] if key.endswith(".$") else key
        name = by_case.get(written.casefold())
        if name is None:
            close = difflib.get_close_matches(_as_written(written), list(members), n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            yield (f"{what} has no parameter {path}{written!r}{hint}; it takes {', '.join(sorted(members)) or 'none'}")
            continue
        given.add(name)
        if not model.computed(key, item):
            yield from _value_problems(what, shape.members[name], item, f"{path}{_as_written(name)}.")
    # The operation's own required parameters; inside a structure only names are checked, since a
    # definition may leave a nested object for a later state to fill.
    for name in shape.required_members if not path else ():
        member = shape.members[name]
        # The SDK fills an idempotency token itself.
        if name not in given and not member.metadata.get("idempotencyToken"):
            yield f"{what} requires parameter {_as_written(name)!r}, which is missing"


def _value_problems(what: str, shape: Any, value: Any, path: str) -> Iterator[str]:
    """What is wrong inside a member's value: structures are checked, strings and bytes take any JSON."""
    if shape.type_name == "structure" and isinstance(value, dict):
        yield from _shape_problems(what, shape, value, path)
    elif shape.type_name == "list" and isinstance(value, list):
        for number, item in enumerate(value):
            yield from _value_problems(what, shape.member, item, f"{path[:-1]}[{number}].")
    elif shape.type_name == "map" and isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and not model.computed(key, item):
                yield from _value_problems(what, shape.value, item, f"{path}{key}.")
