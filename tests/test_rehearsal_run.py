"""`python -m rehearsal run` and the `rehearse` helper, on the shared in-memory deployment; every
catalogue workflow rehearsed with no test written for it; `make demo` with a JSONata workflow
that holds an order for an hour."""

from __future__ import annotations

import dataclasses
import datetime
import functools
import importlib.util
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from rehearsal import demo, mock_config, run, runnable
from rehearsal.__main__ import main as rehearsal_main
from rehearsal.moto_aws import ACCOUNT_ID, REGION, InMemoryAws
from rehearsal.moto_patches import NO_CHILD_EXECUTIONS
from rehearsal.program import PROJECT_ROOT
from rehearsal.run import Rehearsal, UsageError, deployment, mocks_for, rehearse, run_workflow
from stack_files import stack_config
from tests.support import NIGHTLY_REPORT, SUITE_CATALOGUE, TUTORIALS, CloudStack, clear_of
from workflows.catalogue import CATALOGUE
from workflows.outputs import minimal_entry, read_workflows
from workflows.spec import CatalogueError, FunctionSpec, OfflineMocks, Table, WorkflowSpec, check_catalogue

# The whole module is the rehearsal layer's: `-m unit` and `-m program` do not even import it
# (tests/conftest.py), since loading moto and its engine takes a second or two a process.
pytestmark = pytest.mark.rehearsal

MOCKS = PROJECT_ROOT / "tests" / "fixtures" / "mocks" / "call_center.json"
ORDER_HOLD_DIR = PROJECT_ROOT / "tests" / "fixtures" / "order_hold"


DISTRIBUTED_MAP_DIR = PROJECT_ROOT / "tests" / "fixtures" / "distributed_map"


def _fixture_entry(folder: Path, name: str) -> WorkflowSpec:
    spec = importlib.util.spec_from_file_location(f"{folder.name}_entry", folder / "entry.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    entry: WorkflowSpec = getattr(module, name)
    return entry


ORDER_HOLD = _fixture_entry(ORDER_HOLD_DIR, "ORDER_HOLD")
# Its Task calls Textract's AnalyzeDocument, which moto does not implement: it runs on the mocked
# responses its entry's offline_mocks names (Textract throttles once, then reads two pages).
READ_FORM = _fixture_entry(PROJECT_ROOT / "tests" / "fixtures" / "read_form", "READ_FORM")
READ_FORM_CATALOGUE = (*TUTORIALS, READ_FORM)
(SCORE_ORDERS,) = clear_of(CATALOGUE, (_fixture_entry(DISTRIBUTED_MAP_DIR, "SCORE_ORDERS"),))


@pytest.fixture
def rehearsal_cloud(shared_cloud: CloudStack) -> Iterator[InMemoryAws]:
    """The shared deployment (the dev stack's config) stands in for `rehearse`'s own deployment of
    the catalogue, so that these tests deploy nothing more."""
    cloud = shared_cloud.cloud
    keys = [("dev", tuple(id(spec) for spec in catalogue)) for catalogue in (CATALOGUE, SUITE_CATALOGUE)]
    before = dict(cloud.deployments)
    for key in keys:
        cloud.deployments.setdefault(key, (shared_cloud.run, SUITE_CATALOGUE))
    yield cloud
    cloud.deployments.clear()
    cloud.deployments.update(before)


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = rehearsal_main(list(argv))
    printed = capsys.readouterr()
    return code, printed.out, printed.err


# --- the command --------------------------------------------------------------------------------


def test_the_throttled_case_retries_open_case_twice_and_succeeds(
    rehearsal_cloud: InMemoryAws, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = cli(capsys, "run", "call-center", "--mock-config", str(MOCKS), "--test-case", "Throttled")
    assert (code, err) == (0, "")
    assert "1. [ok] Open Case (Task)" in out
    assert "(retried 2x)" in out.splitlines()[2]
    assert "5. [ok] Close Case (Task)" in out
    assert "status  SUCCEEDED" in out


def test_a_mocked_work_on_case_forces_the_escalated_path(
    rehearsal_cloud: InMemoryAws, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = cli(capsys, "run", "call-center", "--mock-config", str(MOCKS), "--test-case", "Escalated")
    assert code == 1
    assert "5. [ok] Escalate Case (Task)" in out
    assert "cause   Engage Tier 2 Support." in out


def test_the_input_is_given_as_json_or_in_a_file(
    rehearsal_cloud: InMemoryAws, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, _ = cli(capsys, "run", "call-center", "--input", '{"inputCaseID": ""}')
    assert code == 1
    assert "InvalidCaseInput" in out
    given = tmp_path / "input.json"
    given.write_text('{"inputCaseID": "from-a-file"}')
    code, out, _ = cli(capsys, "run", "call-center", "--input-file", str(given), "--mock-config", str(MOCKS),
                       "--test-case", "Throttled")  # fmt: skip
    assert code == 0
    assert 'input   {"inputCaseID": "from-a-file"}' in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["run", "call-centre"], "there is no workflow 'call-centre'; the catalogue has scheduled, call-center"),
        (["run", "call-center", "--test-case", "Throttled"], "give a mock config and one of its test cases together"),
        (["run", "call-center", "--mock-config", str(MOCKS), "--test-case", "Throttle"],
         "state machine 'call-center' has no test case 'Throttle'; its test cases: 'Throttled', 'Escalated'"),
        (["run", "call-center", "--input", "{nope"], "--input is not JSON"),
        (["run", "call-center", "--stack", "prdo"], "There is no stack 'prdo' here"),
        (["walk", "call-center"], "unknown command 'walk'"),
        (["run"], "the following arguments are required: name"),
    ],
)  # fmt: skip
def test_usage_and_config_errors_are_one_line_and_exit_2(
    rehearsal_cloud: InMemoryAws, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, _, err = cli(capsys, *argv)
    assert code == 2
    assert message in err
    assert "Traceback" not in err


def write_mocks(folder: Path, states: dict[str, str], responses: dict[str, Any]) -> str:
    path = folder / "mocks.json"
    document = {"StateMachines": {"call-center": {"TestCases": {"Case": states}}}, "MockedResponses": responses}
    path.write_text(json.dumps(document))
    return str(path)


OK = {"Return": {"StatusCode": 200, "Payload": {}}}


@pytest.mark.parametrize(
    ("states", "responses", "message"),
    [
        ({"Open Cse": "R"}, {"R": {"0": OK}}, "test case 'Case' mocks state 'Open Cse', which workflow 'call-center' "
         "does not have; its Task states: Assign Case, Close Case"),
        ({"Fail": "R"}, {"R": {"0": OK}}, "mocks state 'Fail', a Fail state; only Task states can be mocked"),
        ({"Open Case": "R"}, {"R": {"1-0": OK}}, "'1-0' is not an attempt or a range of attempts"),
        ({"Open Case": "R"}, {"R": {"0": OK, "2": OK}}, "attempt 1 is missing"),
        ({"Open Case": "R"}, {"R": {"0-1": OK, "1": OK}}, "attempt 1 is given twice"),
        ({"Open Case": "Q"}, {"R": {"0": OK}}, "uses mocked response 'Q', which MockedResponses does not define"),
        ({"Open Case": "R"}, {"R": {"0": {"Return": {"Case": "1"}}}}, "return the Invoke response"),
        ({"Open Case": "R"}, {"R": {"0": {"Throw": {"Cause": "x"}}}}, "throws without an \"Error\" name"),
    ],
)  # fmt: skip
def test_a_mock_config_mistake_is_one_line_naming_it(  # noqa: PLR0917 - fixtures and parameters
    rehearsal_cloud: InMemoryAws,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    states: dict[str, str],
    responses: dict[str, Any],
    message: str,
) -> None:
    path = write_mocks(tmp_path, states, responses)
    code, _, err = cli(capsys, "run", "call-center", "--mock-config", path, "--test-case", "Case")
    assert code == 2
    assert message in err
    assert len(err.splitlines()) == 1


def test_the_physical_state_machine_name_works_as_in_step_functions_local(
    rehearsal_cloud: InMemoryAws, shared_cloud: CloudStack, tmp_path: Path
) -> None:
    document = json.loads(MOCKS.read_text())
    physical = shared_cloud.deployed("call-center").state_machine_name
    document["StateMachines"] = {physical: document["StateMachines"]["call-center"]}
    result = rehearse("call-center", mocks=document, case="Escalated")
    assert result.path[-2:] == ["Escalate Case", "Fail"]


# --- the helper: the worked example of docs/testing-offline.md#from-a-test ----------------------


def test_open_case_is_retried_when_lambda_throttles(rehearsal_cloud: InMemoryAws) -> None:
    result = rehearse("call-center", input={"inputCaseID": "001"}, mocks=MOCKS, case="Throttled")
    assert result.status == "SUCCEEDED"
    assert result.path == ["Open Case", "Assign Case", "Work on Case", "Is Case Resolved", "Close Case"]
    assert result.step("Open Case").retries == 2
    # Unmocked states ran the deployed functions: Assign Case added its part to the mocked message.
    assert result.output["Message"] == "Case 001: opened...assigned...resolved...closed."


def test_a_case_throttled_throughout_fails_once_its_retries_are_spent(rehearsal_cloud: InMemoryAws) -> None:
    # The call center catches nothing: after its three retries the error ends the execution.
    result = rehearse("call-center", mocks=MOCKS, case="ThrottledThroughout")
    assert (result.status, result.error, result.cause) == (
        "FAILED",
        "Lambda.TooManyRequestsException",
        "Rate exceeded.",
    )
    assert result.path == ["Open Case"]
    assert result.step("Open Case").retries == 3


def test_an_unresolved_case_is_escalated(rehearsal_cloud: InMemoryAws) -> None:
    result: Rehearsal = rehearse("call-center", mocks=MOCKS, case="Escalated")
    assert (result.status, result.cause) == ("FAILED", "Engage Tier 2 Support.")
    assert result.path[-2:] == ["Escalate Case", "Fail"]


def test_rehearse_runs_an_entry_on_its_offline_mocks_by_default(moto: InMemoryAws) -> None:
    assert runnable.unrunnable_states(READ_FORM).keys() == {"Read Form"}
    result = rehearse(READ_FORM.name, catalogue=READ_FORM_CATALOGUE, cloud=moto)
    # Unmocked, the state fails (moto has no AnalyzeDocument); mocked, it throttles once, is
    # retried, and reads the two pages of the mocked return.
    assert result.status == "SUCCEEDED", result.show()
    assert result.step("Read Form").retries == 1
    assert result.output == {"key": "forms/1.pdf", "read": {"pages": 2}}


def test_a_mocked_error_is_caught_and_takes_the_catchs_way(moto: InMemoryAws) -> None:
    """The worked example of a Catch: Textract refusing the document is caught, not retried, and the run
    ends in the entry's own Fail state."""
    mocks = PROJECT_ROOT / "tests" / "fixtures" / "read_form" / "workflows" / "read_form.mocks.json"
    result = rehearse(READ_FORM.name, catalogue=READ_FORM_CATALOGUE, cloud=moto, mocks=mocks, case="Unreadable")
    assert (result.status, result.error, result.cause) == (
        "FAILED",
        "FormUnreadable",
        "Textract cannot read the document.",
    ), result.show()
    assert result.path == ["Read Form", "Unreadable"]
    assert result.step("Read Form").retries == 0


def test_the_command_exits_1_naming_the_state_of_an_execution_that_does_not_end(
    moto: InMemoryAws, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # A function that takes real time (Waits take none): 3 s, past the half second the command waits.
    (tmp_path / "handlers").mkdir()
    (tmp_path / "handlers" / "__init__.py").write_text("")
    (tmp_path / "handlers" / "slow.py").write_text(
        "import time\n\n\ndef handle(event, context):\n    time.sleep(3)\n    return event\n"
    )
    definition = tmp_path / "slow.asl.json"
    definition.write_text(json.dumps({"StartAt": "Think", "TimeoutSeconds": 60, "States": {
        "Think": {"Type": "Task", "Resource": "${SlowArn}", "TimeoutSeconds": 30, "End": True,
                  "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 1}]}}}))  # fmt: skip
    function = FunctionSpec(name="slow", handler="handlers.slow.handle", placeholder="SlowArn", source_root=tmp_path)
    (slow,) = clear_of(CATALOGUE, (WorkflowSpec(name="slow", title="Slow", definition=definition,
                                                functions=(function,)),))  # fmt: skip
    # The command's own rehearse, of a catalogue holding that workflow, with half a second of patience.
    monkeypatch.setattr(run, "rehearse", functools.partial(rehearse, catalogue=(*TUTORIALS, slow), cloud=moto))
    monkeypatch.setattr(run, "run_workflow", functools.partial(run_workflow, real_time_limit=0.5))
    code, out, err = cli(capsys, "run", slow.name)
    assert (code, out) == (1, "")
    assert err.startswith("rehearsal run: rehearsal-")
    assert err.endswith("still RUNNING after 0.5 s of real time, in 'Think' (Task)\n")
    assert err.count("\n") == 1
    assert "Traceback" not in err


# --- every catalogue workflow, rehearsed ----------------------------------------------------------


def rehearsal_cases(catalogue: tuple[WorkflowSpec, ...]) -> list[Any]:
    """One case per workflow of `catalogue`; a workflow the rehearsal cannot run is skipped, with
    the reason."""
    not_run = runnable.not_rehearsable(catalogue)
    return [
        pytest.param(spec, id=spec.name, marks=[pytest.mark.skip(reason=f"not rehearsed: {not_run[spec.name]}")])
        if spec.name in not_run
        else pytest.param(spec, id=spec.name)
        for spec in catalogue
    ]


@pytest.mark.parametrize("spec", rehearsal_cases(SUITE_CATALOGUE))
def test_every_workflow_runs_its_sample_input_and_refuses_its_refused_input(
    rehearsal_cloud: InMemoryAws, spec: WorkflowSpec
) -> None:
    sample = rehearse(spec.name, catalogue=SUITE_CATALOGUE)
    # It ends where its definition says it may: it succeeds, or a Fail state of its own ends it.
    ended_at_fail = bool(sample.execution.steps) and sample.execution.steps[-1].type == "Fail"
    assert sample.status == "SUCCEEDED" or (sample.status == "FAILED" and ended_at_fail), sample.show()
    if spec.refused_input is not None:
        refused = rehearse(spec.name, input=spec.refused_input, catalogue=SUITE_CATALOGUE)
        assert refused.status == "FAILED", refused.show()
        if spec.refused_error is not None:
            assert refused.error == spec.refused_error, refused.show()


def test_a_workflow_calling_what_moto_does_not_run_is_not_rehearsed_unless_mocked(tmp_path: Path) -> None:
    definition = tmp_path / "reads.asl.json"
    definition.write_text(json.dumps({
        "StartAt": "Read", "TimeoutSeconds": 60,
        "States": {"Read": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:textract:analyzeDocument",
                            "Parameters": {"Document": {"S3Object": {"Bucket": "b", "Name": "k"}}}, "End": True}},
    }))  # fmt: skip
    reads = dataclasses.replace(NIGHTLY_REPORT, name="reads", definition=definition, functions=(), integrations=())
    reason = (
        "state 'Read': it calls the AWS SDK integration textract:analyzeDocument: "
        "moto's textract does not implement AnalyzeDocument"
    )
    assert runnable.not_rehearsable((*TUTORIALS, reads)) == {"reads": reason}
    cases = rehearsal_cases((*TUTORIALS, reads))
    assert [case.marks[0].kwargs["reason"] for case in cases if case.marks] == [f"not rehearsed: {reason}"]
    mocks = tmp_path / "reads.mocks.json"
    mocks.write_text(json.dumps({
        "StateMachines": {"reads": {"TestCases": {"Offline": {"Read": "Object"}}}},
        "MockedResponses": {"Object": {"0": {"Return": {"Body": "hello"}}}},
    }))  # fmt: skip
    mocked = dataclasses.replace(reads, offline_mocks=OfflineMocks(mocks, "Offline"))
    assert runnable.not_rehearsable((mocked,)) == {}
    wrong_case = dataclasses.replace(reads, offline_mocks=OfflineMocks(mocks, "Online"))
    assert "has no test case 'Online'" in runnable.not_rehearsable((wrong_case,))["reads"]


def test_the_catalogue_checks_offline_mocks_and_refused_error() -> None:
    broken = (
        dataclasses.replace(NIGHTLY_REPORT, offline_mocks=OfflineMocks("", "Case")),
        dataclasses.replace(CATALOGUE[0], name="no-refusal", refused_error="Oops", shortcut_outputs={}),
        dataclasses.replace(CATALOGUE[1], name="typed", offline_mocks="mocks.json", shortcut_outputs={}),  # type: ignore[arg-type]
    )
    with pytest.raises(CatalogueError) as raised:
        check_catalogue(broken)
    assert "workflow 'typed': offline_mocks must be OfflineMocks | None; got 'mocks.json' (str)" in str(raised.value)
    with pytest.raises(CatalogueError) as raised:
        check_catalogue(broken[:2])
    assert "offline_mocks needs a mock configuration file and the name of one of its test cases" in str(raised.value)
    assert "refused_error names the error of a refused_input, and there is none" in str(raised.value)


def test_mock_configs_are_read_from_files_with_one_line_errors(tmp_path: Path) -> None:
    with pytest.raises(mock_config.MockConfigError, match=r"mock config .*missing.json: cannot be read"):
        mock_config.load(tmp_path / "missing.json")
    (tmp_path / "typo.json").write_text('{"StateMachine": {}}')
    with pytest.raises(mock_config.MockConfigError, match=r"unknown key\(s\) StateMachine; it has StateMachines and"):
        mock_config.load(tmp_path / "typo.json")
    reads = tmp_path / "r.asl.json"
    reads.write_text(json.dumps({"StartAt": "R", "TimeoutSeconds": 60, "States": {"R": {
        "Type": "Task", "Resource": "arn:aws:states:::aws-sdk:textract:analyzeDocument", "End": True}}}))  # fmt: skip
    spec = dataclasses.replace(NIGHTLY_REPORT, name="r", definition=reads, functions=(), integrations=())
    entry = minimal_entry("arn:aws:states:us-east-1:123456789012:stateMachine:r")
    with pytest.raises(UsageError, match="cannot be rehearsed unless these states are mocked"):
        mocks_for(spec, entry, None, None)


def test_the_distributed_map_example_rehearses_as_far_as_moto_models_it(moto: InMemoryAws) -> None:
    # The CSV its ItemReader names, and the bucket its ResultWriter writes to, in moto's S3 first.
    s3 = moto.client("s3")
    for bucket in ("uploads", "results"):
        s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket="uploads", Key="orders/today.csv", Body=b"inputCaseID,amount\n001,5\n002,7\n003,2\n")
    deployed = moto.deploy(stack="dmap", config=stack_config("dev"), catalogue=(*TUTORIALS, SCORE_ORDERS))
    result = run_workflow(moto, read_workflows(deployed.outputs)[SCORE_ORDERS.name], {})
    assert result.status == "SUCCEEDED", result.show()
    # Every row ran through the function, in a child of its Map Run.
    run = moto.client("stepfunctions").describe_map_run(mapRunArn=result.output["MapRunArn"])
    assert run["itemCounts"]["total"] == run["itemCounts"]["succeeded"] == 3, run["itemCounts"]
    # The ResultWriter wrote its manifest under its prefix in the results bucket.
    written = result.output["ResultWriterDetails"]
    assert written["Bucket"] == "results"
    assert written["Key"] == f"scored/{run['mapRunArn'].rsplit(':', 1)[-1]}/manifest.json"
    manifest = json.loads(s3.get_object(Bucket="results", Key=written["Key"])["Body"].read())
    assert manifest["DestinationBucket"] == "results"
    # What moto does not model: the children as executions of their own (ops shows why it lists none).
    assert NO_CHILD_EXECUTIONS in result.show()


def test_aws_sdk_calls_to_what_moto_implements_run_there_granted_without_statements(
    moto: InMemoryAws, tmp_path: Path
) -> None:
    # S3 and DynamoDB through the AWS SDK integration, as Step Functions names their parameters and
    # results; the table is the entry's own, the bucket one the stack does not create. CloudWatch Logs
    # and Step Functions by the names Step Functions gives them (cloudwatchlogs, sfn), not botocore's.
    described = f"arn:aws:states:{REGION}:{ACCOUNT_ID}:stateMachine:sdk-described"
    calls = {
        "Store": ("s3:putObject", {"Bucket": "sdk-rehearsal", "Key": "orders/1.json", "Body": {"id": 1}}),
        "Fetch": ("s3:getObject", {"Bucket": "sdk-rehearsal", "Key": "orders/1.json"}),
        "Record": ("dynamodb:putItem", {"TableName": "${Orders}", "Item": {"id": {"S": "1"}}}),
        "Find": ("dynamodb:query", {"TableName": "${Orders}", "KeyConditionExpression": "id = :id",
                                    "ExpressionAttributeValues": {":id": {"S": "1"}}}),
        "Log": ("cloudwatchlogs:createLogGroup", {"LogGroupName": "sdk-rehearsal"}),
        "Describe": ("sfn:describeStateMachine", {"StateMachineArn": described}),
    }  # fmt: skip
    names = list(calls)
    states = {
        name: {"Type": "Task", "Resource": f"arn:aws:states:::aws-sdk:{call}", "Parameters": arguments,
               "ResultPath": f"$.{name}", **({"Next": names[n + 1]} if n + 1 < len(names) else {"End": True})}
        for n, (name, (call, arguments)) in enumerate(calls.items())
    }  # fmt: skip
    definition = tmp_path / "sdk_calls.asl.json"
    definition.write_text(json.dumps({"StartAt": names[0], "TimeoutSeconds": 60, "States": states}))
    entry = WorkflowSpec(name="sdk-calls", title="SDK calls", definition=definition,
                         integrations=(Table(name="orders", placeholder="Orders"),))  # fmt: skip
    (entry,) = clear_of(CATALOGUE, (entry,))
    assert runnable.unrunnable_states(entry) == {}
    moto.client("s3").create_bucket(Bucket="sdk-rehearsal")
    sfn = moto.client("stepfunctions")
    sfn.create_state_machine(
        name="sdk-described",
        roleArn=f"arn:aws:iam::{ACCOUNT_ID}:role/described",
        definition=json.dumps({"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}),
    )
    deployed = moto.deploy(stack="sdk", config=stack_config("dev"), catalogue=(*TUTORIALS, entry))
    result = run_workflow(moto, read_workflows(deployed.outputs)[entry.name], {})
    assert result.status == "SUCCEEDED", result.show()
    # The body written as JSON comes back as its text; DynamoDB finds the item recorded.
    assert json.loads(result.output["Fetch"]["Body"]) == {"id": 1}
    assert result.output["Find"]["Items"] == [{"id": {"S": "1"}}]
    assert result.output["Find"]["Count"] == 1
    # aws-sdk:cloudwatchlogs reached CloudWatch Logs (botocore's logs).
    assert [g["logGroupName"] for g in moto.client("logs").describe_log_groups(logGroupNamePrefix="sdk-")[
        "logGroups"]] == ["sdk-rehearsal"]  # fmt: skip
    # A result's members as Step Functions writes them (first letter in upper case), and its dates as
    # ISO 8601 text, the instant the API gives: JSON has no dates.
    description = result.output["Describe"]
    assert description["StateMachineArn"] == described
    assert description["Name"] == "sdk-described"
    created = sfn.describe_state_machine(stateMachineArn=described)["creationDate"]
    assert isinstance(description["CreationDate"], str)
    assert datetime.datetime.fromisoformat(description["CreationDate"]) == created
    assert isinstance(result.output["Fetch"]["LastModified"], str)


def test_the_optimised_integrations_moto_runs_take_effect_there(moto: InMemoryAws, tmp_path: Path) -> None:
    # The request-response integrations runnable.RUN_HERE claims beyond those the tutorials' and the
    # team fixtures' runs use (SNS, SQS, putItem), deployed with the project's own grants, run in moto.
    key = {"id": {"S": "1"}}
    task = "arn:aws:states:::"
    states = {
        "Record": {"Type": "Task", "Resource": f"{task}dynamodb:putItem", "ResultPath": None, "Next": "Read",
                   "Parameters": {"TableName": "${Orders}", "Item": {**key, "status": {"S": "new"}}}},
        "Read": {"Type": "Task", "Resource": f"{task}dynamodb:getItem", "ResultPath": "$.read", "Next": "Ship",
                 "Parameters": {"TableName": "${Orders}", "Key": key}},
        "Ship": {"Type": "Task", "Resource": f"{task}dynamodb:updateItem", "ResultPath": "$.shipped", "Next": "Forget",
                 "Parameters": {"TableName": "${Orders}", "Key": key, "UpdateExpression": "SET #s = :s",
                                "ExpressionAttributeNames": {"#s": "status"},
                                "ExpressionAttributeValues": {":s": {"S": "shipped"}}, "ReturnValues": "ALL_NEW"}},
        "Forget": {"Type": "Task", "Resource": f"{task}dynamodb:deleteItem", "ResultPath": "$.forgotten",
                   "Next": "Read Again",
                   "Parameters": {"TableName": "${Orders}", "Key": key, "ReturnValues": "ALL_OLD"}},
        "Read Again": {"Type": "Task", "Resource": f"{task}dynamodb:getItem", "ResultPath": "$.readAgain",
                       "Next": "Announce", "Parameters": {"TableName": "${Orders}", "Key": key}},
        "Announce": {"Type": "Task", "Resource": f"{task}events:putEvents", "ResultPath": "$.announced",
                     "End": True, "Parameters": {"Entries": [{"EventBusName": "default",
                     "Source": "rehearsal.orders", "DetailType": "Order shipped", "Detail": {"id": "1"}}]}},
    }  # fmt: skip
    definition = tmp_path / "integrations.asl.json"
    definition.write_text(json.dumps({"StartAt": "Record", "TimeoutSeconds": 60, "States": states}))
    entry = WorkflowSpec(name="integrations", title="Integrations", definition=definition,
                         integrations=(Table(name="orders", placeholder="Orders"),))  # fmt: skip
    (entry,) = clear_of(CATALOGUE, (entry,))
    assert runnable.unrunnable_states(entry) == {}
    # A rule on the default bus delivers the workflow's events to a queue, where the test reads them.
    sqs, events = moto.client("sqs"), moto.client("events")
    queue = sqs.create_queue(QueueName="rehearsal-announced")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(Name="rehearsal-announced", EventPattern=json.dumps({"source": ["rehearsal.orders"]}))
    events.put_targets(Rule="rehearsal-announced", Targets=[{"Id": "queue", "Arn": queue_arn}])
    deployed = moto.deploy(stack="integrations", config=stack_config("dev"), catalogue=(*TUTORIALS, entry))
    result = run_workflow(moto, read_workflows(deployed.outputs)[entry.name], {})
    assert result.status == "SUCCEEDED", result.show()
    # DynamoDB: the item recorded is read, updated and deleted, after which it is not found.
    assert result.output["read"]["Item"] == {**key, "status": {"S": "new"}}
    assert result.output["shipped"]["Attributes"] == {**key, "status": {"S": "shipped"}}
    assert result.output["forgotten"]["Attributes"] == {**key, "status": {"S": "shipped"}}
    assert "Item" not in result.output["readAgain"]
    # EventBridge accepted the event, and its rule delivered it.
    assert result.output["announced"]["FailedEntryCount"] == 0
    delivered = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", [])
    assert [json.loads(message["Body"])["detail"] for message in delivered] == [{"id": "1"}]


# --- make demo -------------------------------------------------------------------------------------


def test_make_demo_runs_a_jsonata_workflow_that_holds_an_order_for_an_hour(
    moto: InMemoryAws, capsys: pytest.CaptureFixture[str]
) -> None:
    catalogue = (*TUTORIALS, ORDER_HOLD)
    began = time.monotonic()
    deployed = moto.deploy(stack="hold", config=stack_config("dev"), catalogue=catalogue)
    assert demo.exercise(moto, "hold", catalogue, read_workflows(deployed.outputs))
    assert time.monotonic() - began < 30
    printed = capsys.readouterr().out
    assert "Verdict: every workflow works." in printed
    assert "not verified" not in printed
    assert '== python -m ops run order-hold --input \'{"order": "A-1", "quantity": 3}\'' in printed
    assert "2. [ok] Hold (Wait)  36000" in printed
    assert "PASS  order-hold outcomes: released all seen in 1 run(s)" in printed
    assert "order-hold  " in printed.split("== python -m ops failures (the last hour)", 1)[1]


def test_make_demo_runs_an_entry_on_its_offline_mocks_and_says_so(
    moto: InMemoryAws, capsys: pytest.CaptureFixture[str]
) -> None:
    # The deployment rehearse made of this catalogue, if that test ran first; else one of its own.
    deployed = deployment(moto, "dev", READ_FORM_CATALOGUE)
    assert demo.exercise(moto, "dev", READ_FORM_CATALOGUE, deployed)
    printed = capsys.readouterr().out
    assert "deployed but not run" not in printed
    # The sample run, and ops verify's smoke test, each got the mocked pages after one retry.
    assert "1. [ok] Read Form (Task)" in printed
    assert "(retried 1x)" in printed.split("== python -m ops run read-form", 1)[1].splitlines()[3]
    assert "PASS  read-form outcomes: read all seen in 1 run(s)" in printed
    assert printed.rstrip().endswith(
        "Verdict: every workflow checked works; not verified here: "
        "read-form (its states 'Read Form' ran on mocked responses (Offline))."
    )
