"""End to end: the program deployed into an in-memory AWS (moto), its workflows executed.

Lambda invocations run the handler code from the deployment package the
program declared, in an isolated interpreter (see rehearsal/moto_aws.py).
"""

from __future__ import annotations

import io
import json
import random
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from components.packaging import handler_sources
from ops import executions
from rehearsal.moto_aws import InMemoryAws
from rehearsal.program import ProgramRun, run_program

TASK_PATH = ["Open Case", "Assign Case", "Work on Case", "Is Case Resolved"]


def seed_for(status: int) -> int:
    """A seed under which WorkOnCase's first draw, random.randint(0, 1), is `status`."""
    return next(seed for seed in range(100) if random.Random(seed).randint(0, 1) == status)


@dataclass
class Rehearsal:
    cloud: InMemoryAws
    run: ProgramRun

    @property
    def sfn(self) -> Any:
        return self.cloud.client("stepfunctions")

    def call_center(self, payload: Any) -> executions.Execution:
        return executions.run(self.sfn, self.run.outputs["callCenterStateMachineArn"], payload)


@pytest.fixture
def rehearse(request: pytest.FixtureRequest) -> Iterator[Rehearsal]:
    """Deploy the dev stack into a fresh moto; parametrize indirectly with a random seed."""
    with InMemoryAws.running(random_seed=getattr(request, "param", None)) as cloud:
        yield Rehearsal(cloud, run_program(cloud.new_resource, cloud.call, stack="dev"))


@pytest.mark.parametrize("rehearse", [seed_for(1)], indirect=True)
def test_a_resolved_case_is_closed(rehearse: Rehearsal) -> None:
    execution = rehearse.call_center({"inputCaseID": "001"})
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


@pytest.mark.parametrize("rehearse", [seed_for(0)], indirect=True)
def test_an_unresolved_case_is_escalated_and_fails(rehearse: Rehearsal) -> None:
    execution = rehearse.call_center({"inputCaseID": "001"})
    assert execution.status == "FAILED"
    assert execution.cause == "Engage Tier 2 Support."
    assert execution.path == [*TASK_PATH, "Escalate Case", "Fail"]
    escalated = execution.steps[-2].output
    assert escalated == {
        "Case": "001",
        "Status": 0,
        "Message": "Case 001: opened...assigned...unresolved...escalating.",
    }


def test_unseeded_runs_end_in_one_of_the_two_outcomes(rehearse: Rehearsal) -> None:
    for case_id in ("101", "102", "103"):
        execution = rehearse.call_center({"inputCaseID": case_id})
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
    rehearse: Rehearsal, payload: Any, message: str
) -> None:
    execution = rehearse.call_center(payload)
    assert execution.status == "FAILED"
    assert execution.error == "InvalidCaseInput"
    assert message in json.loads(execution.cause or "{}")["errorMessage"]
    assert execution.path == ["Open Case"]
    assert [name for name, _ in rehearse.cloud.sandbox.invocations] == ["serverless-workflows-dev-open-case"]


def test_the_functions_run_from_the_declared_package(rehearse: Rehearsal) -> None:
    rehearse.call_center({"inputCaseID": "001"})
    packages = rehearse.cloud.sandbox.packages
    assert "serverless-workflows-dev-work-on-case" in packages
    for code in packages.values():
        with zipfile.ZipFile(io.BytesIO(code)) as bundle:
            assert sorted(bundle.namelist()) == sorted(handler_sources())


def test_a_scheduler_tick_runs_the_hello_world_workflow(rehearse: Rehearsal) -> None:
    scheduler = rehearse.cloud.client("scheduler")
    schedule = scheduler.get_schedule(
        Name=rehearse.run.outputs["scheduleName"], GroupName=rehearse.run.outputs["scheduleName"]
    )
    target = schedule["Target"]
    assert target["Arn"] == rehearse.run.outputs["scheduledStateMachineArn"]
    execution = executions.run(rehearse.sfn, target["Arn"], json.loads(target["Input"]))
    assert execution.status == "SUCCEEDED"
    assert execution.output == {"Payload": "This is a test.", "taskresult": "World"}
    assert execution.path == ["Hello", "World"]
