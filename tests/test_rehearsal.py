"""End to end: the program deployed into an in-memory AWS (moto), its workflows executed.

Lambda invocations run the handler code from the deployment package the
program declared, in an isolated interpreter (see rehearsal/moto_aws.py).
The deployment is shared (`shared_cloud`): these tests only run executions.
"""

from __future__ import annotations

import dataclasses
import io
import json
import re
import threading
import time
import zipfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from pulumi.runtime import MockResourceArgs

from ops import execution_tree, executions
from ops.verify import Report
from rehearsal.moto_aws import InMemoryAws, RehearsalError
from rehearsal.program import PROJECT_ROOT
from serverless_workflows.lambda_package import handler_sources
from serverless_workflows.workflow import ResolvedSchedule
from settings import StackSettings
from stack_files import stack_config
from tests.support import INTAKE, NIGHTLY_REPORT, ORDER_AUDIT, SUITE_CATALOGUE, TUTORIALS, CloudStack, Deploy, seed_for
from workflows.outputs import read_workflows

# The whole module is the rehearsal layer's: `-m unit` and `-m program` do not even import it
# (tests/conftest.py), since loading moto and its engine takes a second or two a process.
pytestmark = pytest.mark.rehearsal

TASK_PATH = ["Open Case", "Assign Case", "Work on Case", "Is Case Resolved"]
Seed = Callable[[int | None], None]


def call_center(stack: CloudStack, payload: Any) -> execution_tree.Execution:
    return executions.run(stack.client("stepfunctions"), stack.workflow("call-center")["stateMachineArn"], payload)


def test_a_resolved_case_is_closed(shared_cloud: CloudStack, seeded: Seed) -> None:
    seeded(seed_for(1))
    execution = call_center(shared_cloud, {"inputCaseID": "001"})
    assert execution.status == "SUCCEEDED"
    assert execution.output == {
        "Case": "001",
        "Status": 1,
        "Message": "Case 001: opened...assigned...resolved...closed.",
    }
    assert execution.path == [*TASK_PATH, "Close Case"]
    # Data passes from function to function: each state's input is the previous one's output.
    for before, after in zip(execution.steps, execution.steps[1:], strict=False):
        assert after.input == before.output


def test_an_unresolved_case_is_escalated_and_fails(shared_cloud: CloudStack, seeded: Seed) -> None:
    seeded(seed_for(0))
    execution = call_center(shared_cloud, {"inputCaseID": "001"})
    assert execution.status == "FAILED"
    assert execution.cause == "Engage Tier 2 Support."
    assert execution.path == [*TASK_PATH, "Escalate Case", "Fail"]
    escalated = execution.steps[-2].output
    assert escalated == {
        "Case": "001",
        "Status": 0,
        "Message": "Case 001: opened...assigned...unresolved...escalating.",
    }


def test_unseeded_runs_end_in_one_of_the_two_outcomes(shared_cloud: CloudStack) -> None:
    for case_id in ("101", "102", "103"):
        execution = call_center(shared_cloud, {"inputCaseID": case_id})
        if execution.status == "SUCCEEDED":
            assert execution.output["Message"] == f"Case {case_id}: opened...assigned...resolved...closed."
        else:
            assert (execution.status, execution.cause) == ("FAILED", "Engage Tier 2 Support.")
            assert execution.steps[-2].output["Message"].endswith("unresolved...escalating.")


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({}, "The event has no 'inputCaseID'"),
        ({"inputCaseID": ""}, "'inputCaseID' must be a non-empty string"),
        ({"inputCaseID": 1}, "'inputCaseID' must be a non-empty string, got 1"),
        (["001"], "The event must be a JSON object, got list"),
    ],
)
def test_bad_input_fails_with_the_named_error_and_is_not_retried(
    shared_cloud: CloudStack, payload: Any, message: str
) -> None:
    invocations = shared_cloud.cloud.sandbox.invocations
    before = len(invocations)
    execution = call_center(shared_cloud, payload)
    assert execution.status == "FAILED"
    assert execution.error == "InvalidCaseInput"
    assert message in json.loads(execution.cause or "{}")["errorMessage"]
    assert execution.path == ["Open Case"]
    assert [name for name, _ in invocations[before:]] == ["serverless-workflows-shared-open-case"]


def test_the_functions_run_from_the_declared_package(shared_cloud: CloudStack) -> None:
    call_center(shared_cloud, {"inputCaseID": "001"})
    packages = shared_cloud.cloud.sandbox.packages
    assert "serverless-workflows-shared-work-on-case" in packages
    for function in ("open-case", "work-on-case"):
        with zipfile.ZipFile(io.BytesIO(packages[f"serverless-workflows-shared-{function}"])) as bundle:
            assert sorted(bundle.namelist()) == sorted(handler_sources("handlers.call_center.open_case"))


def test_a_scheduler_tick_runs_the_hello_world_workflow(shared_cloud: CloudStack) -> None:
    schedule = shared_cloud.workflow("scheduled")["schedule"]
    target = shared_cloud.client("scheduler").get_schedule(Name=schedule["name"], GroupName=schedule["group"])["Target"]
    assert target["Arn"] == shared_cloud.workflow("scheduled")["stateMachineArn"]
    execution = executions.run(shared_cloud.client("stepfunctions"), target["Arn"], json.loads(target["Input"]))
    assert execution.status == "SUCCEEDED"
    assert execution.output == {"Payload": "This is a test.", "taskresult": "World"}
    assert execution.path == ["Hello", "World"]


def test_each_schedule_retries_and_dead_letters_and_each_log_group_expires_as_declared(
    shared_cloud: CloudStack,
) -> None:
    # AWS takes each of these left out, and then retries 185 times over a day, loses what fails
    # for good, and keeps logs forever; the in-memory AWS does the same, so this test names it.
    declared = ResolvedSchedule(expression="rate(1 minute)")
    retries = {
        "MaximumRetryAttempts": declared.retry_attempts,
        "MaximumEventAgeInSeconds": declared.max_event_age_seconds,
    }
    scheduled = [name for name in shared_cloud.outputs["workflows"] if shared_cloud.deployed(name).schedule]
    assert scheduled
    for name in scheduled:
        schedule = shared_cloud.deployed(name).schedule
        assert schedule is not None
        target = shared_cloud.client("scheduler").get_schedule(Name=schedule.name, GroupName=schedule.group)["Target"]
        assert target.get("RetryPolicy") == retries, (
            f"{name}'s schedule retries as {target.get('RetryPolicy')}, not as declared ({retries})"
        )
        queue = shared_cloud.client("sqs").get_queue_attributes(
            QueueUrl=schedule.dead_letter_queue_url, AttributeNames=["QueueArn"]
        )["Attributes"]["QueueArn"]
        assert target.get("DeadLetterConfig") == {"Arn": queue}, (
            f"{name}'s schedule has no dead-letter queue: a start that fails for good is lost"
        )
    retention = StackSettings.from_config(stack_config("dev"), shared_cloud.stack, SUITE_CATALOGUE).log_retention_days
    logs = shared_cloud.client("logs")
    groups = [group.inputs["name"] for group in shared_cloud.run.of_type("aws:cloudwatch/logGroup:LogGroup")]
    assert groups
    for group in groups:
        # By prefix, which another workflow's name may extend (order-audit, order-audit-suite).
        listed = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]
        (found,) = [listed_group for listed_group in listed if listed_group["logGroupName"] == group]
        kept = found.get("retentionInDays")
        assert kept == retention, (
            f"log group {group} keeps its logs {f'{kept} days' if kept else 'forever'}, "
            f"not the {retention} days declared"
        )


# --- the worked example: a workflow declared only through the catalogue ---------------------


def test_the_example_workflow_runs_end_to_end_with_its_parallel_map_lambda_and_topic(
    shared_cloud: CloudStack,
) -> None:
    entry = shared_cloud.workflow(NIGHTLY_REPORT.name)
    sns = shared_cloud.client("sns")
    topic = entry["resources"]["ready"]["arn"]
    queue_url = shared_cloud.client("sqs").create_queue(QueueName="nightly-report-listener")["QueueUrl"]
    queue_arn = shared_cloud.client("sqs").get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn["Attributes"]["QueueArn"])

    execution = executions.run(shared_cloud.client("stepfunctions"), entry["stateMachineArn"], {"report": "nightly"})
    assert execution.status == "SUCCEEDED", execution
    assert execution.path == ["Gather", "Announce"]
    report, ledger = execution.output["gathered"]
    assert report["summaries"] == [{"region": "eu-west", "orders": 14}, {"region": "us-east", "orders": 14}]
    assert len(report["day"]) == len("2026-11-22")
    assert ledger == {"ledger": "closed"}
    inside = [step.name for step in execution.every_step()]
    assert inside == ["Gather", "Build report", "Summarise regions", "Summarise", "Summarise",
                      "Let the ledger settle", "Stamp", "Announce"]  # fmt: skip

    received = shared_cloud.client("sqs").receive_message(QueueUrl=queue_url, WaitTimeSeconds=1)["Messages"]
    assert json.loads(json.loads(received[0]["Body"])["Message"]) == execution.output["gathered"]


def test_the_example_workflow_is_wired_with_least_privilege_for_its_lambda_and_topic(
    shared_cloud: CloudStack,
) -> None:
    entry = shared_cloud.workflow(NIGHTLY_REPORT.name)
    role = entry["roleArn"].rsplit("/", 1)[-1]
    iam = shared_cloud.client("iam")
    (policy_name,) = iam.list_role_policies(RoleName=role)["PolicyNames"]
    statements = iam.get_role_policy(RoleName=role, PolicyName=policy_name)["PolicyDocument"]["Statement"]
    grants = {s["Sid"]: (s["Action"], s["Resource"]) for s in statements}
    assert grants["InvokeTaskFunctions"] == (
        ["lambda:InvokeFunction"],
        [entry["functions"][NIGHTLY_REPORT.functions[0].name]["functionArn"]],
    )
    assert grants["PublishToTopics"] == (["sns:Publish"], [entry["resources"]["ready"]["arn"]])
    assert set(grants) == {"DeliverExecutionLogs", "WriteTraces", "InvokeTaskFunctions", "PublishToTopics"}
    schedule = entry["schedule"]
    created = shared_cloud.client("scheduler").get_schedule(Name=schedule["name"], GroupName=schedule["group"])
    assert (created["ScheduleExpression"], created["ScheduleExpressionTimezone"]) == (
        "cron(0 2 * * ? *)",
        "Europe/Paris",
    )


# --- what the rehearsal can create ----------------------------------------------------------


def test_a_type_the_rehearsal_cannot_create_stops_it_before_anything_is_created(
    moto: InMemoryAws, monkeypatch: pytest.MonkeyPatch
) -> None:
    supported = dict(InMemoryAws.SUPPORTED)
    del supported["aws:sns/topic:Topic"]
    monkeypatch.setattr(InMemoryAws, "SUPPORTED", supported)
    before = len(moto.created)
    with pytest.raises(RehearsalError, match=r"The rehearsal cannot create aws:sns/topic:Topic; it creates aws:"):
        moto.deploy(stack="unsupported", config=stack_config("dev"), catalogue=SUITE_CATALOGUE)
    assert len(moto.created) == before


def test_resources_are_created_one_at_a_time_because_moto_backends_are_not_thread_safe(
    moto: InMemoryAws, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pulumi's mocks call new_resource from several threads; two alarms created at once made
    moto fail with "dictionary changed size during iteration"."""
    inside = 0
    most_inside = 0
    counting = threading.Lock()

    def slow_create(_: InMemoryAws, inputs: dict[str, Any], name: str) -> tuple[str, dict[str, Any]]:
        nonlocal inside, most_inside
        with counting:
            inside += 1
            most_inside = max(most_inside, inside)
        time.sleep(0.01)
        with counting:
            inside -= 1
        return name, {}

    monkeypatch.setattr(InMemoryAws, "SUPPORTED", {**InMemoryAws.SUPPORTED, "test:index:Slow": slow_create})
    requests = [
        MockResourceArgs(typ="test:index:Slow", name=f"slow-{n}", inputs={}, provider="", resource_id="", custom=True)
        for n in range(6)
    ]
    with ThreadPoolExecutor(max_workers=6) as pool:
        created = list(pool.map(moto.new_resource, requests))
    assert [resource_id for resource_id, _ in created] == [f"slow-{n}" for n in range(6)]
    assert most_inside == 1


def test_every_type_the_catalogue_can_declare_is_one_the_rehearsal_creates(deploy: Deploy) -> None:
    run = deploy(catalogue=SUITE_CATALOGUE)
    declared = {r.type for r in run if r.custom and not r.type.startswith("pulumi:providers:")}
    assert declared <= set(InMemoryAws.SUPPORTED)
    assert {"aws:sns/topic:Topic", "aws:lambda/function:Function"} <= declared
    assert NIGHTLY_REPORT.name in run.outputs["workflows"]


def test_make_demo_ticks_runs_and_verifies_each_workflow_it_is_given(
    shared_cloud: CloudStack, capsys: pytest.CaptureFixture[str]
) -> None:
    from rehearsal import demo

    # The tutorials and the example: a team's own entries in the shared stack may have no smoke test.
    exercised = (*TUTORIALS, NIGHTLY_REPORT)
    assert demo.exercise(shared_cloud.cloud, shared_cloud.stack, exercised, read_workflows(shared_cloud.outputs))
    printed = capsys.readouterr().out
    example = NIGHTLY_REPORT.name
    assert f"== Two scheduler ticks of scheduled, {example}" in printed
    assert f"== python -m ops run {example} --input " + '\'{"report": "nightly"}\'' not in printed  # ticked
    assert f"PASS  {example} outcomes: published all seen in 1 run(s)" in printed
    assert f"PASS  {example} schedule: ENABLED, cron(0 2 * * ? *)" in printed
    assert "Verdict: every workflow works." in printed
    # As `ops failures` prints them, at most one per workflow: only the call center failed, on the
    # input it refuses; the others' runs all succeeded.
    shown = printed.split("== python -m ops failures (the last hour)\n", 1)[1].split("\n\n== ", 1)[0].splitlines()
    assert [line.split("  ", 1)[0] for line in shown if not line.startswith(" ")] == ["call-center"]
    at = next(n for n, line in enumerate(shown) if line.startswith("call-center  "))
    assert re.fullmatch(r"call-center  \d{4}-\d\d-\d\d \d\d:\d\d:\d\d  FAILED  run-[0-9a-f-]+", shown[at])
    assert shown[at + 1].startswith("    at state '")


def test_make_demo_works_for_the_team_like_workflows_too(
    shared_cloud: CloudStack, capsys: pytest.CaptureFixture[str]
) -> None:
    """What a team's catalogue gets from `make demo`: its scheduled JSONPath workflow ticked twice
    (its function called by both ticks at once), its JSONata one run, refused and verified."""
    from rehearsal import demo

    exercised = (ORDER_AUDIT, INTAKE)
    assert demo.exercise(shared_cloud.cloud, shared_cloud.stack, exercised, read_workflows(shared_cloud.outputs))
    printed = capsys.readouterr().out
    assert f"PASS  {ORDER_AUDIT.name} scheduled executions: 2 recent execution(s) checked, each SUCCEEDED" in printed
    assert f"PASS  {INTAKE.name} outcomes: queued all seen in 1 run(s)" in printed
    assert "Verdict: every workflow works." in printed
    # Only the intake failed, on the input it refuses, with the error its entry names.
    shown = printed.split("== python -m ops failures (the last hour)\n", 1)[1].split("\n\n== ", 1)[0].splitlines()
    assert [line.split("  ", 1)[0] for line in shown if not line.startswith(" ")] == [INTAKE.name]
    assert f"at state 'Refuse it' (Fail): {INTAKE.refused_error}:" in printed


@pytest.mark.parametrize(
    "definition", ["jsonata_explicit_state_language.asl.json", "jsonata_state_in_jsonpath_machine.asl.json"]
)
def test_the_demo_runs_jsonata_workflows_and_names_what_it_did_not_verify(definition: str) -> None:
    from rehearsal import demo

    jsonata = dataclasses.replace(
        NIGHTLY_REPORT, name="uses-jsonata", definition=str(PROJECT_ROOT / "tests/fixtures/asl/valid" / definition)
    )
    # moto's engine evaluates JSONata here (rehearsal/jsonata_engine.py): nothing keeps it from running.
    assert demo.not_rehearsable((*TUTORIALS, jsonata)) == {}
    passed = Report()
    passed.add("call-center outcomes", True, "resolved and escalated all seen")
    assert demo.verdict(passed, {}) == "Verdict: every workflow works."
    not_run = {"reads": "state 'Read': it calls the AWS SDK integration s3:getObject, which is not run here"}
    assert demo.verdict(passed, not_run) == (
        "Verdict: every workflow checked works; not verified here: reads (state 'Read': it calls the AWS SDK "
        "integration s3:getObject, which is not run here)."
    )
    passed.skip("quiet", "no schedule and no smoke test")
    assert (
        demo.verdict(passed, {})
        == "Verdict: every workflow checked works; not verified here: quiet (nothing checks it)."
    )
    assert demo.verdict(passed, {}, {"quiet": "FAILED"}) == (
        "Verdict: every workflow checked works; not verified here: quiet (nothing checks it; "
        "its sample run ended FAILED)."
    )
    mocked = {"quiet": "its states 'Ask' ran on mocked responses (Offline)"}
    assert demo.verdict(passed, mocked) == (
        "Verdict: every workflow checked works; not verified here: quiet (its states 'Ask' ran on mocked "
        "responses (Offline); nothing checks it)."
    )
    passed.add("scheduled schedule", False, "DISABLED")
    assert demo.verdict(passed, {}) == "Verdict: something is broken (see FAIL above)."


def test_make_demo_refuses_an_unknown_stack_or_bad_config_in_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from rehearsal import demo

    assert demo.cli(["dev", "extra"]) == 2
    assert capsys.readouterr().err == "make demo: give one stack name at most (make demo STACK=prod), not dev extra\n"
    assert demo.main("prdo") == 2
    assert capsys.readouterr().err == (
        "make demo: There is no stack 'prdo' here (no Pulumi.prdo.yaml); stacks: dev, prod. Did you mean prod? "
        "To add a stack named prdo: make deploy STACK=prdo NEW=1 (see docs/delivery.md#adding-an-environment)\n"
    )
    assert demo.main("../dev") == 2
    assert capsys.readouterr().err == (
        "make demo: There is no stack '../dev' here: a stack name is 1 to 20 lowercase letters, digits or '-', "
        "starting with a letter or digit; stacks: dev, prod\n"
    )
    import stack_files

    config = stack_config("dev")
    config["serverless-workflows:logRetentionDays"] = "10"
    monkeypatch.setattr(stack_files, "stack_config", lambda stack: config)
    assert demo.main("dev") == 2
    err = capsys.readouterr().err
    assert err.startswith("make demo: Config serverless-workflows:logRetentionDays = '10' is not valid")
    assert "Traceback" not in err


def test_the_rehearsal_creates_tables_queues_and_subscriptions(moto: InMemoryAws) -> None:
    import pulumi_aws as aws

    from rehearsal.program import run_under_mocks

    def declare() -> None:
        aws.dynamodb.Table(
            "orders", name="rehearsal-orders", billing_mode="PAY_PER_REQUEST", hash_key="id", range_key="at",
            attributes=[aws.dynamodb.TableAttributeArgs(name="id", type="S"),
                        aws.dynamodb.TableAttributeArgs(name="at", type="S")],
            server_side_encryption=aws.dynamodb.TableServerSideEncryptionArgs(enabled=True),
        )  # fmt: skip
        # No retention given, as a catalogue Queue declares it: SQS's default applies.
        queue = aws.sqs.Queue("jobs", name="rehearsal-jobs", sqs_managed_sse_enabled=True)
        topic = aws.sns.Topic("news", name="rehearsal-news")
        aws.sns.TopicSubscription("listener", topic=topic.arn, protocol="sqs", endpoint=queue.arn)

    run_under_mocks(declare, moto.new_resource, moto.call)
    table = moto.client("dynamodb").describe_table(TableName="rehearsal-orders")["Table"]
    assert [k["AttributeName"] for k in table["KeySchema"]] == ["id", "at"]
    topic_arn = "arn:aws:sns:us-east-1:123456789012:rehearsal-news"
    (subscription,) = moto.client("sns").list_subscriptions_by_topic(TopicArn=topic_arn)["Subscriptions"]
    assert subscription["Endpoint"].endswith(":rehearsal-jobs")


def test_a_function_invoked_by_two_executions_at_once_is_unpacked_once_and_runs_in_both(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two ticks of one workflow call its function at the same moment; each unpacked its package
    into one folder, and one failed with 'File exists'."""
    import io
    import threading
    import time
    import zipfile
    from types import SimpleNamespace

    from rehearsal.moto_aws import LambdaSandbox

    bundle = io.BytesIO()
    with zipfile.ZipFile(bundle, "w") as archive:
        archive.writestr("pkg/__init__.py", "")
        archive.writestr("pkg/echo.py", "def handler(event, context):\n    return event\n")
    unpacked: list[str] = []
    extract = zipfile.ZipFile.extractall

    def slow_extract(self: zipfile.ZipFile, path: Any = None, *args: Any, **kwargs: Any) -> None:
        # Slow enough that every thread reaches the package while the first unpacks it.
        unpacked.append(str(path))
        time.sleep(0.2)
        extract(self, path, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "extractall", slow_extract)
    echo = SimpleNamespace(function_name="echo", code_bytes=bundle.getvalue(), handler="pkg.echo.handler", timeout=30)
    sandbox = LambdaSandbox()
    results: list[tuple[str, bool, str]] = []
    try:

        def run(number: int) -> None:
            results.append(sandbox.invoke(echo, {"n": number}))  # type: ignore[arg-type]

        threads = [threading.Thread(target=run, args=(number,)) for number in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sandbox.close()
    assert len(unpacked) == 1, f"the package was unpacked {len(unpacked)} times at once"
    assert sorted(json.loads(payload)["n"] for payload, errored, _ in results if not errored) == [0, 1, 2, 3], results
