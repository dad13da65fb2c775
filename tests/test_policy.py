"""The policy pack's rules: the program passes them on every stack, and each rule can fail."""

from __future__ import annotations

import importlib.util
import json
import sys
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest

from components import iam
from components.defaults import SUPPORTED_RUNTIMES
from policy import rules
from policy.rules import ADVISORY, MANDATORY, RULES, Resource, evaluate
from rehearsal.program import PROJECT_ROOT, ProgramRun, stack_config
from tests.support import STACKS, SUITE_CATALOGUE, Deploy
from workflows.catalogue import CATALOGUE
from workflows.house_rules import TRANSIENT_LAMBDA_ERRORS


def declared(run: ProgramRun) -> list[Resource]:
    return [Resource(r.type, r.name, r.inputs) for r in run]


@pytest.mark.parametrize("stack", STACKS)
def test_the_program_passes_every_rule(deploy: Deploy, stack: str) -> None:
    run = deploy(stack=stack, config=stack_config(stack), catalogue=SUITE_CATALOGUE)
    assert evaluate(declared(run)) == []


def test_a_workflow_added_through_the_catalogue_passes_every_rule(deploy: Deploy) -> None:
    run = deploy(catalogue=SUITE_CATALOGUE)
    assert "nightly-report-state-machine" in {r.name for r in run}
    assert evaluate(declared(run)) == []


# The pack runs on its own (only pulumi-policy, from the policy/ folder), so it keeps copies of
# what it checks against; these pin each copy to the constant it restates.


def test_the_packs_transient_lambda_errors_are_the_house_rules_ones() -> None:
    assert frozenset(TRANSIENT_LAMBDA_ERRORS) == rules.LAMBDA_TRANSIENT_ERRORS


def test_the_packs_current_runtimes_are_the_ones_the_components_allow() -> None:
    assert frozenset(SUPPORTED_RUNTIMES) == rules.CURRENT_RUNTIMES


def test_the_packs_star_resource_actions_are_the_ones_the_program_grants_on_star(deploy: Deploy) -> None:
    star_grants = [iam.grant_states_log_delivery(), iam.grant_xray_write()]
    assert all(grant["Resource"] == ["*"] for grant in star_grants)
    assert {action for grant in star_grants for action in grant["Action"]} == rules.STAR_RESOURCE_ACTIONS
    granted = {
        action
        for policy in deploy().of_type(rules.ROLE_POLICY)
        for statement in json.loads(policy.inputs["policy"])["Statement"]
        if statement["Resource"] == ["*"]
        for action in statement["Action"]
    }
    assert granted == rules.STAR_RESOURCE_ACTIONS


@pytest.mark.parametrize(
    ("rule", "level"),
    [("log-retention", MANDATORY), ("trust-source-conditions", MANDATORY), ("lambda-task-resilience", MANDATORY),
     ("no-wildcard-iam", MANDATORY), ("schedule-resilience", MANDATORY)],
)  # fmt: skip
def test_defects_are_mandatory_so_they_stop_a_deployment(rule: str, level: str) -> None:
    assert {r.enforcement for r in RULES if r.name == rule} == {level}


def test_log_level_off_is_reported_as_advisory(deploy: Deploy) -> None:
    config = stack_config("dev")
    config["serverless-workflows:logLevel"] = "OFF"
    violations = evaluate(declared(deploy(config=config)))
    assert {(v.rule, v.resource) for v in violations} == {
        ("state-machine-logging", f"{spec.name}-state-machine") for spec in CATALOGUE
    }
    assert {rule.enforcement for rule in RULES if rule.name == "state-machine-logging"} == {ADVISORY}


def policy_json(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


LAMBDA_ARN = "arn:aws:lambda:us-east-1:123456789012:function:f"
GOOD_RETRY = [{"ErrorEquals": ["Lambda.ServiceException", "Lambda.AWSLambdaException",
                               "Lambda.SdkClientException", "Lambda.TooManyRequestsException"]}]  # fmt: skip

BAD_EXAMPLES: list[tuple[str, list[Resource], str]] = [
    (
        "no-wildcard-iam",
        [Resource("aws:iam/rolePolicy:RolePolicy", "p", {"policy": policy_json(
            {"Effect": "Allow", "Action": "lambda:*", "Resource": LAMBDA_ARN})})],
        "allows wildcard action 'lambda:*'",
    ),
    (
        "no-wildcard-iam",
        [Resource("aws:iam/rolePolicy:RolePolicy", "p", {"policy": policy_json(
            {"Effect": "Allow", "Action": ["lambda:InvokeFunction", "xray:PutTraceSegments"], "Resource": "*"})})],
        "grants lambda:InvokeFunction on Resource '*'",
    ),
    (
        "trust-source-conditions",
        [Resource("aws:iam/role:Role", "r", {"assumeRolePolicy": policy_json(
            {"Effect": "Allow", "Principal": {"Service": "states.amazonaws.com"}, "Action": "sts:AssumeRole",
             "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}}})})],
        "trusts states.amazonaws.com without aws:SourceArn",
    ),
    (
        "trust-source-conditions",
        [Resource("aws:iam/role:Role", "r", {"assumeRolePolicy": policy_json(
            {"Effect": "Allow", "Principal": {"Service": "scheduler.amazonaws.com"}, "Action": "sts:AssumeRole",
             "Condition": {"ArnLike": {"aws:SourceArn": "arn:aws:scheduler:us-east-1:1:schedule-group/g"}}})})],
        "trusts scheduler.amazonaws.com without aws:SourceAccount",
    ),
    (
        "lambda-task-resilience",
        [Resource("aws:sfn/stateMachine:StateMachine", "sm", {"definition": json.dumps({"States": {
            "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "TimeoutSeconds": 5,
                  "Parameters": {"FunctionName": LAMBDA_ARN}, "End": True}}})})],
        "task 'T' does not retry Lambda.AWSLambdaException",
    ),
    ("log-retention", [Resource("aws:cloudwatch/logGroup:LogGroup", "g", {"name": "/x"})], "keeps logs forever"),
    (
        "state-machine-logging",
        [Resource("aws:sfn/stateMachine:StateMachine", "sm", {"loggingConfiguration": {
            "level": "ALL", "logDestination": "arn:aws:logs:us-east-1:1:log-group:/elsewhere:*"}})],
        "not to a log group of this stack",
    ),
    (
        "state-machine-tracing",
        [Resource("aws:sfn/stateMachine:StateMachine", "sm", {"tracingConfiguration": {"enabled": False}})],
        "is not traced with X-Ray",
    ),
    (
        "lambda-task-resilience",
        [Resource("aws:sfn/stateMachine:StateMachine", "sm", {"definition": json.dumps({"States": {
            "T": {"Type": "Task", "Resource": LAMBDA_ARN, "Retry": GOOD_RETRY, "End": True}}})})],
        "task 'T' has no TimeoutSeconds",
    ),
    (
        "lambda-task-resilience",
        [Resource("aws:sfn/stateMachine:StateMachine", "sm", {"definition": json.dumps({"States": {
            "P": {"Type": "Parallel", "End": True, "Branches": [{"States": {
                "T": {"Type": "Task", "Resource": LAMBDA_ARN, "TimeoutSeconds": 5, "End": True}}}]}}})})],
        "task 'T' does not retry Lambda.AWSLambdaException",
    ),
    (
        "schedule-resilience",
        [Resource("aws:scheduler/schedule:Schedule", "s", {"target": {"arn": "a", "deadLetterConfig": {"arn": "q"}}})],
        "has no retry policy",
    ),
    (
        "schedule-resilience",
        [Resource("aws:scheduler/schedule:Schedule", "s", {"target": {"retryPolicy": {"maximumRetryAttempts": 1}}})],
        "has no dead-letter queue",
    ),
    (
        "function-sizing",
        [Resource("aws:lambda/function:Function", "f", {"name": "f", "timeout": 5, "runtime": "python3.14"})],
        "leaves memory (memorySize) to the default",
    ),
    (
        "function-runtime",
        [Resource("aws:lambda/function:Function", "f", {"name": "f", "runtime": "python3.9"})],
        "runtime 'python3.9' is not a current one",
    ),
    (
        "function-log-group",
        [Resource("aws:lambda/function:Function", "f", {"name": "f", "runtime": "python3.14"})],
        "logs to /aws/lambda/f, which this stack does not declare",
    ),
]  # fmt: skip


@pytest.mark.parametrize(
    ("rule", "resources", "message"), BAD_EXAMPLES, ids=[f"{c[0]}-{i}" for i, c in enumerate(BAD_EXAMPLES)]
)
def test_each_rule_fails_on_a_bad_example(rule: str, resources: list[Resource], message: str) -> None:
    (chosen,) = [r for r in RULES if r.name == rule]
    violations = evaluate(resources, [chosen])
    assert [v.rule for v in violations] == [rule]
    assert message in violations[0].message


def test_every_rule_has_a_bad_example() -> None:
    assert {rule.name for rule in RULES} == {example[0] for example in BAD_EXAMPLES}


def test_lambda_trust_is_exempt_and_documented_as_such() -> None:
    trust = {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
    role = Resource("aws:iam/role:Role", "fn-role", {"assumeRolePolicy": policy_json(trust)})
    assert evaluate([role]) == []


def test_unknown_values_at_preview_are_not_judged() -> None:
    # Under `pulumi preview` an input computed from another resource may still be unknown.
    machine = Resource("aws:sfn/stateMachine:StateMachine", "sm", {"definition": object()})
    assert [v for v in evaluate([machine]) if v.rule == "lambda-task-resilience"] == []


def load_pack() -> ModuleType:
    policy_dir = PROJECT_ROOT / "policy"
    sys.path.insert(0, str(policy_dir))
    try:
        spec = importlib.util.spec_from_file_location("policy_pack_main", policy_dir / "__main__.py")
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(policy_dir))


def test_the_pack_holds_one_policy_per_rule_with_its_enforcement() -> None:
    from pulumi_policy import EnforcementLevel

    policies = load_pack().policies()
    levels = {EnforcementLevel.MANDATORY: MANDATORY, EnforcementLevel.ADVISORY: ADVISORY}
    assert [(p.name, levels[p.enforcement_level]) for p in policies] == [(r.name, r.enforcement) for r in RULES]


def test_the_pack_reports_what_the_rule_finds() -> None:
    (policy,) = [p for p in load_pack().policies() if p.name == "function-runtime"]
    args = SimpleNamespace(
        resources=[
            SimpleNamespace(resource_type="aws:lambda/function:Function", name="old", props={"runtime": "nodejs12.x"})
        ]
    )
    reported: list[str] = []
    policy.validate(args, lambda message, urn: reported.append(message))
    assert reported == ["old: runtime 'nodejs12.x' is not a current one (python3.12, python3.13, python3.14)."]


def test_the_pack_judges_the_lambda_tasks_the_program_judges_and_no_others() -> None:
    """The pack's Lambda detector is the model's (tests/test_model.py pins the twin): an AWS SDK
    call to Lambda's control plane is no invocation, so it needs no Lambda retries; the SDK's
    Invoke is one."""
    no_retry = {"TimeoutSeconds": 5, "End": True}

    def machine(resource: str) -> Resource:
        definition = {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": resource, **no_retry}}}
        return Resource("aws:sfn/stateMachine:StateMachine", "sm", {"definition": json.dumps(definition)})

    judged = [v for v in evaluate([machine("arn:aws:states:::aws-sdk:lambda:listFunctions")])]
    assert [v for v in judged if v.rule == "lambda-task-resilience"] == []
    invoke = evaluate([machine("arn:aws:states:::aws-sdk:lambda:invoke")])
    assert [v.message for v in invoke if v.rule == "lambda-task-resilience"] == [
        "task 'T' does not retry Lambda.AWSLambdaException, Lambda.SdkClientException, Lambda.ServiceException, "
        "Lambda.TooManyRequestsException."
    ]
