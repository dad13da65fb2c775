"""Which Task states the in-memory AWS runs for real, and which need mocked responses.

moto's engine runs Lambda functions (from the deployment package, see `moto_aws.LambdaSandbox`),
the request-response integrations this project grants (SNS, SQS, DynamoDB items, EventBridge
events, starting another workflow), and the AWS SDK integrations of the operations moto
implements, against moto's own services. Anything else (an operation or a service moto does not
implement, `.sync` or `.waitForTaskToken`, an activity, another service) would prove nothing
here: such a state must be mocked (docs/testing-offline.md#what-the-rehearsal-runs), or the
workflow is not rehearsed.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Mapping

from rehearsal.mock_config import MockConfigError, TestCase, load
from serverless_workflows.asl import model, sdk_models
from workflows.spec import WorkflowSpec

# Optimised integrations (service:action, request-response) that moto's engine runs against
# moto's services.
RUN_HERE = frozenset(
    {
        "sns:publish",
        "sqs:sendMessage",
        "dynamodb:getItem",
        "dynamodb:putItem",
        "dynamodb:updateItem",
        "dynamodb:deleteItem",
        "events:putEvents",
        # Named as Step Functions names them by rehearsal.moto_patches.start_execution.
        "states:startExecution",
    }
)
# Optimised integrations moto's engine has but fails on, and why (tests/test_rehearsal_engine.py
# shows each failing, so that a moto upgrade that fixes one is noticed). None today.
NOT_RUN_HERE: dict[str, str] = {}


def unrunnable_states(spec: WorkflowSpec) -> dict[str, str]:
    """Each Task state of `spec` the in-memory AWS cannot run for real -> why."""
    functions = set(spec.function_placeholders)
    found: dict[str, str] = {}
    for state in model.read(spec.load_definition().document).tasks():
        call = state.call
        if call is None:
            continue
        lambda_call = state.lambda_call(functions)
        if lambda_call is not None:
            if lambda_call.function is None and not lambda_call.by_name:
                found[state.name] = f"it invokes {call.resource}, a function this stack does not deploy"
            continue
        if call.integration in RUN_HERE and not call.pattern:
            continue
        if call.pattern == ".waitForTaskToken":
            found[state.name] = "it waits for a task token, which nothing sends here"
        elif call.sdk:
            if (why := sdk_unrunnable(call.service or "", call.action or "")) is not None:
                found[state.name] = why
        else:
            why = NOT_RUN_HERE.get(call.integration or "") if not call.pattern else None
            found[state.name] = f"it calls {call.resource}, which the in-memory AWS does not run" + (
                f": {why}" if why else ""
            )
    return found


def sdk_unrunnable(service: str, action: str) -> str | None:
    """Why the in-memory AWS cannot run the AWS SDK call `service:action`, or None if it can: moto
    answers the operations whose handler its service's responses define."""
    import inspect  # noqa: PLC0415 - moto is loaded only by the rehearsal, which asks this

    from moto.backends import ALT_SERVICE_NAMES  # noqa: PLC0415
    from moto.core.responses import BaseResponse  # noqa: PLC0415
    from moto.core.utils import camelcase_to_underscores  # noqa: PLC0415

    what = f"it calls the AWS SDK integration {service}:{action}"
    found = sdk_models.service(service)
    if found is None:
        return f"{what}, a service botocore does not know"
    module_name = ALT_SERVICE_NAMES.get(found.botocore.replace("-", ""), found.botocore.replace("-", ""))
    if importlib.util.find_spec(f"moto.{module_name}") is None:
        return f"{what}: moto does not implement {found.botocore}"
    try:
        responses = importlib.import_module(f"moto.{module_name}.responses")
    except ImportError as missing:  # an extra of moto's not installed
        return f"{what}: moto's {found.botocore} cannot be loaded here ({missing})"
    handler = camelcase_to_underscores(sdk_models.operation_name(action))
    classes = [c for _, c in inspect.getmembers(responses, inspect.isclass) if issubclass(c, BaseResponse)]
    if not any(handler in vars(c) for c in classes):
        return f"{what}: moto's {found.botocore} does not implement {sdk_models.operation_name(action)}"
    return None


def offline_test_case(spec: WorkflowSpec, state_machine_name: str | None = None) -> TestCase | None:
    """The test case `spec.offline_mocks` names, read and checked against the definition."""
    if spec.offline_mocks is None:
        return None
    config = load(spec.offline_mocks.path)
    names = [spec.name] + ([state_machine_name] if state_machine_name else [])
    case = config.test_case(names, spec.offline_mocks.test_case)
    case.check_against(model.read(spec.load_definition().document), set(spec.function_placeholders))
    return case


def not_rehearsable(catalogue: tuple[WorkflowSpec, ...]) -> dict[str, str]:
    """The workflows the rehearsal cannot run, with the reason: Task states it cannot run for real
    that the entry's `offline_mocks` does not mock."""
    found: dict[str, str] = {}
    for spec in catalogue:
        unrunnable = unrunnable_states(spec)
        if not unrunnable:
            continue
        try:
            case = offline_test_case(spec)
        except MockConfigError as error:
            found[spec.name] = f"its offline_mocks cannot be used: {error}"
            continue
        left = _unmocked(unrunnable, case.states if case else {})
        if left:
            found[spec.name] = "; ".join(f"state {name!r}: {why}" for name, why in left.items())
    return found


def _unmocked(unrunnable: Mapping[str, str], mocked: Mapping[str, object]) -> dict[str, str]:
    return {name: why for name, why in unrunnable.items() if name not in mocked}
