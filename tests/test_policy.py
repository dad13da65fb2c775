"""The policy pack's rules: the program passes them on every stack, and each rule can fail."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest

import deployment
import stack_files
from policy import rules
from policy.rules import ADVISORY, MANDATORY, RULES, Resource, evaluate
from rehearsal.program import PROJECT_ROOT, ProgramRun, stack_config
from serverless_workflows import iam
from serverless_workflows.asl import house_rules, integration_table
from serverless_workflows.asl.asl_language import EXPRESS_MAX_SECONDS
from serverless_workflows.asl.house_rules import TRANSIENT_LAMBDA_ERRORS
from serverless_workflows.defaults import SUPPORTED_RUNTIMES
from settings import StackSettings
from tests.support import NIGHTLY_REPORT, STACKS, SUITE_CATALOGUE, TUTORIALS, Deploy, brought
from workflows.catalogue import CATALOGUE


def declared(run: ProgramRun) -> list[Resource]:
    return [Resource(r.type, r.name, r.inputs) for r in run]


@pytest.mark.parametrize("stack", STACKS)
def test_the_program_passes_every_rule(deploy: Deploy, stack: str) -> None:
    run = deploy(stack=stack, config=stack_config(stack), catalogue=SUITE_CATALOGUE)
    assert evaluate(declared(run)) == []


def test_a_workflow_added_through_the_catalogue_passes_every_rule(deploy: Deploy) -> None:
    run = deploy(catalogue=SUITE_CATALOGUE)
    assert f"{NIGHTLY_REPORT.name}-state-machine" in {r.name for r in run}
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
    logs_and_traces = {action for grant in star_grants for action in grant["Action"]}
    # The pack allows '*' on every action IAM defines no resource type for (tests/test_iam_data.py).
    allowed = {action.lower() for action in logs_and_traces | integration_table.NO_RESOURCE_TYPE}
    assert allowed <= rules.STAR_RESOURCE_ACTIONS
    granted = {
        action
        for policy in deploy().of_type(rules.ROLE_POLICY)
        for statement in json.loads(policy.inputs["policy"])["Statement"]
        if statement["Resource"] == ["*"]
        for action in statement["Action"]
    }
    assert logs_and_traces <= granted
    assert {action.lower() for action in granted} <= rules.STAR_RESOURCE_ACTIONS


@pytest.mark.parametrize(
    ("rule", "level"),
    [("log-retention", MANDATORY), ("trust-source-conditions", MANDATORY), ("lambda-task-retries", MANDATORY),
     ("lambda-task-timeout", MANDATORY), ("top-level-timeout", MANDATORY), ("callback-task-timeout", MANDATORY),
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
        "no-wildcard-iam",
        [Resource("aws:iam/rolePolicy:RolePolicy", "p", {"policy": policy_json(
            {"Effect": "Allow", "Action": ["s3:DeleteObject", "s3:GetObject"], "Resource": ["arn:aws:s3:::*"]})})],
        "grants s3:DeleteObject on every S3 bucket; only Athena's query grants may",
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
        "lambda-task-retries",
        [Resource("aws:sfn/stateMachine:StateMachine", "sm", {"definition": json.dumps({"States": {
            "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "TimeoutSeconds": 5,
                  "Parameters": {"FunctionName": LAMBDA_ARN}, "End": True}}})})],
        "task 'T' does not retry Lambda.AWSLambdaException",
    ),
    (
        "top-level-timeout",
        [Resource("aws:sfn/stateMachine:StateMachine", "sm", {"definition": json.dumps({"StartAt": "P", "States": {
            "P": {"Type": "Pass", "End": True}}})})],
        "has no top-level TimeoutSeconds",
    ),
    (
        "top-level-timeout",
        [Resource("aws:sfn/stateMachine:StateMachine", "sm", {"type": "EXPRESS", "definition": json.dumps({
            "StartAt": "P", "TimeoutSeconds": 301, "States": {"P": {"Type": "Pass", "End": True}}})})],
        "is EXPRESS with TimeoutSeconds 301; an Express execution stops at 300",
    ),
    (
        "callback-task-timeout",
        [Resource("aws:sfn/stateMachine:StateMachine", "sm", {"definition": json.dumps({"States": {
            "P": {"Type": "Parallel", "End": True, "Branches": [{"States": {
                "Ask": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                        "End": True}}}]}}})})],
        "task 'Ask' waits for a job or a callback with neither TimeoutSeconds nor HeartbeatSeconds",
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
        "lambda-task-timeout",
        [Resource("aws:sfn/stateMachine:StateMachine", "sm", {"definition": json.dumps({"States": {
            "T": {"Type": "Task", "Resource": LAMBDA_ARN, "Retry": GOOD_RETRY, "End": True}}})})],
        "task 'T' has no TimeoutSeconds",
    ),
    (
        "lambda-task-retries",
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
    assert [v for v in evaluate([machine]) if v.rule.startswith(("lambda-", "top-level-", "callback-"))] == []


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
    assert [v for v in judged if v.rule == "lambda-task-retries"] == []
    invoke = evaluate([machine("arn:aws:states:::aws-sdk:lambda:invoke")])
    assert [v.message for v in invoke if v.rule == "lambda-task-retries"] == [
        "task 'T' does not retry Lambda.AWSLambdaException, Lambda.SdkClientException, Lambda.ServiceException, "
        "Lambda.TooManyRequestsException."
    ]


# --- the project rules take the stack's levels --------------------------------------------------


def test_the_packs_project_rules_are_the_house_rules_table() -> None:
    assert tuple((r.name, r.description, r.default) for r in house_rules.HOUSE_RULES) == rules.HOUSE_RULES
    assert [r.name for r in RULES if r.house_rule] == list(house_rules.RULE_NAMES)
    assert rules.EXPRESS_MAX_SECONDS == EXPRESS_MAX_SECONDS
    assert rules.EXEMPT == deployment.PACK_EXEMPT


def test_each_project_rule_is_a_policy_whose_config_may_exempt_state_machines() -> None:
    pack = {p.name: p for p in load_pack().policies()}
    for name in house_rules.RULE_NAMES:
        schema = pack[name].config_schema
        assert schema is not None
        assert set(schema.properties) == {rules.EXEMPT}
    assert pack["function-runtime"].config_schema is None


def _undeclared_timeout(name: str) -> SimpleNamespace:
    definition = json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
    return SimpleNamespace(
        resource_type=rules.STATE_MACHINE, name=f"{name}-state-machine", props={"name": name, "definition": definition}
    )


def test_the_pack_leaves_an_exempt_state_machine_to_the_program() -> None:
    (policy,) = [p for p in load_pack().policies() if p.name == "top-level-timeout"]
    legacy, new = "serverless-workflows-dev-legacy", "serverless-workflows-dev-new"
    machines = [_undeclared_timeout(legacy), _undeclared_timeout(new)]
    reported: list[str] = []
    args = SimpleNamespace(resources=machines, get_config=lambda: {rules.EXEMPT: [legacy]})
    policy.validate(args, lambda message, urn: reported.append(message))
    message = "has no top-level TimeoutSeconds; a stuck execution could run for a year."
    assert reported == [f"{new}-state-machine: {message}"]
    unconfigured = SimpleNamespace(resources=machines, get_config=lambda: {})
    reported.clear()
    policy.validate(unconfigured, lambda message, urn: reported.append(message))
    assert len(reported) == 2


def test_the_pack_config_holds_the_stacks_levels_and_the_entries_that_set_their_own() -> None:
    catalogue = (*TUTORIALS, brought(house_rules={"top-level-timeout": "disabled"}))
    values = {**stack_config("dev"), "serverless-workflows:houseRules": '{"lambda-task-retries": "advisory"}'}
    settings = StackSettings.from_config(values, "dev", catalogue)
    config = deployment.policy_pack_config(catalogue, settings)
    assert list(config) == list(house_rules.RULE_NAMES)
    assert config["lambda-task-retries"] == {"enforcementLevel": "advisory", "exempt": []}
    exempt = ["serverless-workflows-dev-legacy"]
    assert config["top-level-timeout"] == {"enforcementLevel": "mandatory", "exempt": exempt}
    assert config["callback-task-timeout"] == {"enforcementLevel": "mandatory", "exempt": []}


def test_python_m_deployment_prints_the_pack_config_of_a_stack_file_and_refuses_a_bad_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    good = {**stack_config("dev"), "serverless-workflows:houseRules": '{"top-level-timeout": "advisory"}'}
    monkeypatch.setattr(stack_files, "stack_config", lambda stack: good)
    assert deployment.main(["--policy-pack-config", "dev"]) == 0
    assert json.loads(capsys.readouterr().out)["top-level-timeout"] == {"enforcementLevel": "advisory", "exempt": []}
    bad = {**good, "serverless-workflows:houseRules": '{"top-level-timeout": "warn"}'}
    monkeypatch.setattr(stack_files, "stack_config", lambda stack: bad)
    assert deployment.main(["--policy-pack-config", "dev"]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1
    assert "houseRules.top-level-timeout = 'warn' is not valid: use one of mandatory, advisory, disabled" in error
    assert deployment.main([]) == 2


def test_advisory_levels_deploy_what_the_pack_reports_at_that_level(deploy: Deploy) -> None:
    """A stack that makes top-level-timeout advisory deploys a definition without one; the pack
    then reports it, and the stack's pack config makes that report advisory, not mandatory."""
    catalogue = (*TUTORIALS, brought())
    values = {**stack_config("dev"), "serverless-workflows:houseRules": '{"top-level-timeout": "advisory"}'}
    violations = evaluate(declared(deploy(config=values, catalogue=catalogue)))
    assert [(v.rule, v.resource) for v in violations] == [("top-level-timeout", "legacy-state-machine")]
    settings = StackSettings.from_config(values, "dev", catalogue)
    assert deployment.policy_pack_config(catalogue, settings)["top-level-timeout"]["enforcementLevel"] == ADVISORY
