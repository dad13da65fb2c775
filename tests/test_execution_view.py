"""The execution view: a tree of states built from an execution's events, whatever their source.

Pure tests feed synthetic event lists linked the way the service links them
(each event names the one it follows); the moto tests run real state machines
in moto's Step Functions engine and check the rendered view.
"""

from __future__ import annotations

import itertools
import json
import random
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest

from ops import execution_tree, executions, render
from ops.__main__ import main as ops_main
from ops.execution_tree import Event, Execution

if TYPE_CHECKING:
    # Annotations only: the rehearsal layer's fixtures import moto, which takes a second or two.
    from rehearsal.moto_aws import InMemoryAws

T0 = datetime(2026, 1, 1, tzinfo=UTC)
ARN = "arn:aws:states:us-east-1:123456789012:execution:machine:e1"
ROLE = "arn:aws:iam::123456789012:role/x"


def ev(event_id: int, previous: int, kind: str, **details: Any) -> Event:
    """An event at T0 + its id in ms, so that durations are differences of ids."""
    return Event(event_id, previous, kind, T0 + timedelta(milliseconds=event_id), details)


def entered(event_id: int, previous: int, kind: str, name: str, value: Any) -> Event:
    return ev(event_id, previous, f"{kind}StateEntered", name=name, input=json.dumps(value))


def exited(event_id: int, previous: int, kind: str, name: str, value: Any) -> Event:
    return ev(event_id, previous, f"{kind}StateExited", name=name, output=json.dumps(value))


def started(event_id: int, value: Any) -> Event:
    return ev(event_id, 0, "ExecutionStarted", input=json.dumps(value))


# Map "Each" > iteration > Parallel "Split" > [Pass "Double"], [Map "Inner" > iteration > Pass "Leaf"]:
# a Map inside a Parallel inside a Map. The two iterations run at once, so
# their events interleave, and a Parallel exits after the last event of a
# branch, as moto's engine writes it.
NESTED = [
    started(1, {"items": [1, 2]}),
    entered(2, 0, "Map", "Each", {"items": [1, 2]}),
    ev(3, 2, "MapStateStarted", length=2),
    ev(4, 3, "MapIterationStarted", name="Each", index=0),
    ev(5, 3, "MapIterationStarted", name="Each", index=1),
    entered(6, 4, "Parallel", "Split", 1),
    entered(7, 5, "Parallel", "Split", 2),
    ev(8, 6, "ParallelStateStarted"),
    ev(9, 7, "ParallelStateStarted"),
    entered(10, 8, "Pass", "Double", 1),
    entered(11, 8, "Map", "Inner", 1),
    entered(12, 9, "Pass", "Double", 2),
    ev(13, 11, "MapStateStarted", length=1),
    exited(14, 10, "Pass", "Double", 2),
    ev(15, 13, "MapIterationStarted", name="Inner", index=0),
    entered(16, 9, "Map", "Inner", 2),
    entered(17, 15, "Pass", "Leaf", "x1"),
    exited(18, 12, "Pass", "Double", 4),
    ev(19, 16, "MapStateStarted", length=1),
    exited(20, 17, "Pass", "Leaf", "x1!"),
    ev(21, 19, "MapIterationStarted", name="Inner", index=0),
    ev(22, 20, "MapIterationSucceeded", name="Inner", index=0),
    ev(23, 22, "MapStateSucceeded"),
    exited(24, 22, "Map", "Inner", ["x1!"]),
    entered(25, 21, "Pass", "Leaf", "x2"),
    ev(26, 24, "ParallelStateSucceeded"),
    exited(27, 24, "Parallel", "Split", [2, ["x1!"]]),
    ev(28, 27, "MapIterationSucceeded", name="Each", index=0),
    exited(29, 25, "Pass", "Leaf", "x2!"),
    ev(30, 29, "MapIterationSucceeded", name="Inner", index=0),
    ev(31, 30, "MapStateSucceeded"),
    exited(32, 30, "Map", "Inner", ["x2!"]),
    ev(33, 32, "ParallelStateSucceeded"),
    exited(34, 32, "Parallel", "Split", [4, ["x2!"]]),
    ev(35, 34, "MapIterationSucceeded", name="Each", index=1),
    ev(36, 35, "MapStateSucceeded"),
    exited(37, 35, "Map", "Each", [[2, ["x1!"]], [4, ["x2!"]]]),
    ev(38, 37, "ExecutionSucceeded", output=json.dumps([[2, ["x1!"]], [4, ["x2!"]]])),
]

NESTED_VIEW = """\
execution e1
  input   {"items": [1, 2]}
  1. [ok] Each (Map)  35 ms
         -> [[2, ["x1!"]], [4, ["x2!"]]]
         [ok] iteration 0  24 ms
           1. [ok] Split (Parallel)  21 ms
                  <- 1
                  -> [2, ["x1!"]]
                  [ok] branch 1  4 ms
                    1. [ok] Double (Pass)  4 ms
                           -> 2
                  [ok] branch 2  13 ms
                    1. [ok] Inner (Map)  13 ms
                           -> ["x1!"]
                           [ok] iteration 0  7 ms
                             1. [ok] Leaf (Pass)  3 ms
                                    <- x1
                                    -> x1!
         [ok] iteration 1  30 ms
           1. [ok] Split (Parallel)  27 ms
                  <- 2
                  -> [4, ["x2!"]]
                  [ok] branch 1  6 ms
                    1. [ok] Double (Pass)  6 ms
                           -> 4
                  [ok] branch 2  16 ms
                    1. [ok] Inner (Map)  16 ms
                           -> ["x2!"]
                           [ok] iteration 0  9 ms
                             1. [ok] Leaf (Pass)  4 ms
                                    <- x2
                                    -> x2!
  status  SUCCEEDED
  output  [[2, ["x1!"]], [4, ["x2!"]]]"""


NESTED_DEFINITION = {
    "StartAt": "Each",
    "States": {
        "Each": {
            "Type": "Map",
            "ItemsPath": "$.items",
            "End": True,
            "Iterator": {
                "StartAt": "Split",
                "States": {
                    "Split": {
                        "Type": "Parallel",
                        "End": True,
                        "Branches": [
                            {"StartAt": "Double", "States": {"Double": {"Type": "Pass", "End": True}}},
                            {
                                "StartAt": "Inner",
                                "States": {
                                    "Inner": {
                                        "Type": "Map",
                                        "End": True,
                                        "Iterator": {
                                            "StartAt": "Leaf",
                                            "States": {"Leaf": {"Type": "Pass", "End": True}},
                                        },
                                    }
                                },
                            },
                        ],
                    }
                },
            },
        }
    },
}


def test_nested_map_parallel_map_is_a_tree_whose_containers_show_their_own_result() -> None:
    run = execution_tree.from_events(ARN, NESTED)
    assert render.execution(run) == NESTED_VIEW
    assert run.path == ["Each"]
    assert [s.name for s in run.every_step()] == ["Each"] + ["Split", "Double", "Inner", "Leaf"] * 2


def test_the_tree_follows_the_links_not_the_order_of_ids() -> None:
    # Events are placed by the event they follow, so the order they are given in does not matter.
    shuffled = NESTED.copy()
    random.Random(7).shuffle(shuffled)
    assert render.execution(execution_tree.from_events(ARN, shuffled)) == NESTED_VIEW


FAILED_ITERATION = [
    started(1, {"items": ["a", "b"]}),
    entered(2, 0, "Map", "Check", {"items": ["a", "b"]}),
    ev(3, 2, "MapStateStarted", length=2),
    ev(4, 3, "MapIterationStarted", name="Check", index=0),
    ev(5, 3, "MapIterationStarted", name="Check", index=1),
    entered(6, 4, "Pass", "Accept", "a"),
    entered(7, 5, "Fail", "Reject", "b"),
    ev(8, 7, "MapIterationFailed", name="Check", index=1),
    exited(9, 6, "Pass", "Accept", "a ✓"),
    ev(10, 7, "MapStateFailed"),
    # A Fail state with a Cause and no Error: the failure carries the cause alone.
    ev(11, 10, "ExecutionFailed", cause="Montant refusé : 12 €"),
    ev(12, 9, "MapIterationSucceeded", name="Check", index=0),
]


def test_a_failed_iteration_and_its_fail_state_show_the_cause_as_written() -> None:
    run = execution_tree.from_events(ARN, FAILED_ITERATION)
    assert (run.status, run.error, run.cause) == ("FAILED", None, "Montant refusé : 12 €")
    assert render.execution(run).splitlines()[2:] == [
        "  1. [ x] Check (Map)  8 ms",
        "         [ok] iteration 0  8 ms",
        "           1. [ok] Accept (Pass)  3 ms",
        "                  <- a",
        "                  -> a ✓",
        "         [ x] iteration 1  3 ms",
        "           1. [ x] Reject (Fail)  1 ms   <-- failed here",
        "                  <- b",
        "                  cause Montant refusé : 12 €",
        "  status  FAILED",
        "  cause   Montant refusé : 12 €",
    ]


def test_a_long_map_shows_its_first_iterations_and_every_failed_one() -> None:
    events = [started(1, list(range(25))), entered(2, 0, "Map", "Many", list(range(25))), ev(3, 2, "MapStateStarted")]
    for index in range(25):
        begin = 10 + 4 * index
        events.append(ev(begin, 3, "MapIterationStarted", name="Many", index=index))
        if index == 22:
            events.append(ev(begin + 1, begin, "TaskStateEntered", name="Work", input=str(index)))
            events.append(ev(begin + 2, begin + 1, "TaskFailed", error="Boom", cause="item 22"))
            events.append(ev(begin + 3, begin + 2, "MapIterationFailed", name="Many", index=index))
        else:
            events.append(entered(begin + 1, begin, "Pass", "Work", index))
            events.append(exited(begin + 2, begin + 1, "Pass", "Work", index))
            events.append(ev(begin + 3, begin + 2, "MapIterationSucceeded", name="Many", index=index))
    lines = render.execution(execution_tree.from_events(ARN, events)).splitlines()
    headers = [line.strip() for line in lines if "] iteration " in line]
    assert headers == [f"[ok] iteration {i}  3 ms" for i in range(render.MAX_ITERATIONS)] + ["[ x] iteration 22  3 ms"]
    assert "         ... 4 more iterations not shown, none failed" in lines
    assert "                  error Boom: item 22" in lines


def test_a_fail_state_takes_error_and_cause_from_the_failure_it_causes_and_is_never_ok() -> None:
    run = execution_tree.from_events(
        ARN,
        [
            started(1, {}),
            entered(2, 0, "Fail", "Give Up", {}),
            ev(3, 2, "ExecutionFailed", error="Escalated", cause='{"errorMessage": "kept as written"}'),
        ],
    )
    (step,) = run.steps
    assert (step.error, step.cause, step.failed, step.duration_ms) == (
        "Escalated", '{"errorMessage": "kept as written"}', True, 1
    )  # fmt: skip
    text = render.execution(run)
    # A Fail state's cause is the author's text, not a Lambda error report to unwrap.
    assert '         error Escalated: {"errorMessage": "kept as written"}' in text.splitlines()
    assert "  1. [ x] Give Up (Fail)  1 ms   <-- failed here" in text.splitlines()


def test_a_fail_states_long_cause_is_shown_whole_where_a_task_errors_is_shortened() -> None:
    cause = "Le dossier est incomplet : " + "pièce manquante, " * 12 + "fin."
    assert len(cause) > 160
    run = execution_tree.from_events(ARN, [started(1, {}), entered(2, 0, "Fail", "Refuse", {}),
                                      ev(3, 2, "ExecutionFailed", error="Incomplete", cause=cause)])  # fmt: skip
    lines = render.execution(run).splitlines()
    assert f"         error Incomplete: {cause}" in lines
    assert f"  error   Incomplete: {cause}" in lines
    # A task's error report is not the author's text: it stays one short line.
    task = Execution(ARN, "FAILED", {}, error="Boom", cause=cause, steps=[execution_tree.Step("Work", "Task")])
    assert render.execution(task).splitlines()[-1] == f"  error   Boom: {cause[:157]}..."


# A Distributed Map (ProcessorConfig Mode DISTRIBUTED) as the parent's history records it: its items
# run as child executions of a Map Run, whose events are not in this history.
MAP_RUN_ARN = "arn:aws:states:us-east-1:123456789012:mapRun:machine/Each:7c1e7b0a-6b1e-4a0d-9a55-3f0f0e7d2c11"
DISTRIBUTED = [
    started(1, {"items": [1, 2, 3]}),
    entered(2, 1, "Map", "Each", {"items": [1, 2, 3]}),
    ev(3, 2, "MapRunStarted", mapRunArn=MAP_RUN_ARN),
    ev(4, 3, "MapRunSucceeded"),
    exited(5, 4, "Map", "Each", [2, 4, 6]),
    ev(6, 5, "ExecutionSucceeded", output=json.dumps([2, 4, 6])),
]


def test_a_distributed_map_shows_its_map_run_and_how_to_list_its_child_executions() -> None:
    run = execution_tree.from_events(ARN, DISTRIBUTED)
    (each,) = run.steps
    assert (each.map_run_arn, each.blocks, each.status) == (MAP_RUN_ARN, [], "SUCCEEDED")
    assert render.execution(run).splitlines()[2:] == [
        "  1. [ok] Each (Map)  3 ms",
        "         -> [2, 4, 6]",
        f"         map run {MAP_RUN_ARN}",
        "         its items ran as child executions, not shown here: "
        "`aws stepfunctions list-executions --map-run-arn` lists them",
        "  status  SUCCEEDED",
        "  output  [2, 4, 6]",
    ]
    assert f"  3 00:00:00 MapRunStarted  mapRunArn={MAP_RUN_ARN}" in render.history(DISTRIBUTED).splitlines()


def test_a_failed_map_run_fails_its_map_with_the_map_runs_error() -> None:
    failed = [*DISTRIBUTED[:3], ev(4, 3, "MapRunFailed", error="States.ExceedToleratedFailureThreshold",
                                   cause="The specified tolerated failure threshold was exceeded"),
              ev(5, 4, "MapStateFailed"),
              ev(6, 5, "ExecutionFailed", error="States.ExceedToleratedFailureThreshold")]  # fmt: skip
    lines = render.execution(execution_tree.from_events(ARN, failed)).splitlines()
    assert "  1. [ x] Each (Map)  3 ms   <-- failed here" in lines
    assert "         error States.ExceedToleratedFailureThreshold: The specified tolerated failure threshold " \
        "was exceeded" in lines  # fmt: skip
    assert f"         map run {MAP_RUN_ARN}" in lines


# Where a timeout or an abort found an execution: no event of the state records it.
SLOW = [
    started(1, {}),
    entered(2, 1, "Pass", "Prepare", {}),
    exited(3, 2, "Pass", "Prepare", {}),
    entered(4, 3, "Parallel", "Both", {}),
    ev(5, 4, "ParallelStateStarted"),
    entered(6, 5, "Pass", "Quick", {}),
    entered(7, 5, "Task", "Slow Task", {}),
    exited(8, 6, "Pass", "Quick", {}),
    ev(9, 7, "TaskScheduled", resource="invoke"),
    ev(10, 9, "TaskStarted", resource="invoke"),
]


@pytest.mark.parametrize(
    ("end", "status", "line"),
    [
        (ev(11, 10, "ExecutionTimedOut", error="States.Timeout", cause="The execution timed out"), "TIMED_OUT",
         "    timed out in state 'Slow Task' (Task): States.Timeout: The execution timed out"),
        (ev(11, 10, "ExecutionAborted"), "ABORTED", "    aborted in state 'Slow Task' (Task)"),
    ],
)  # fmt: skip
def test_failures_names_the_state_a_timeout_or_an_abort_found_the_execution_in(
    end: Event, status: str, line: str
) -> None:
    run = execution_tree.from_events(ARN, [*SLOW, end])
    assert run.status == status
    assert render.failure("wf", T0, run).splitlines() == [f"wf  2026-01-01 00:00:00  {status}  e1", line]
    # The view marks it as still running when the execution stopped.
    assert "           1. [..] Slow Task (Task)" in render.execution(run).splitlines()


def test_a_fail_state_built_by_hand_is_failed_even_without_an_error() -> None:
    step = execution_tree.Step("Stop", "Fail", input={})
    run = Execution(ARN, "FAILED", {}, cause="Engage Tier 2 Support.", steps=[step])
    lines = render.execution(run).splitlines()
    assert "  1. [ x] Stop (Fail)   <-- failed here" in lines
    assert "  cause   Engage Tier 2 Support." in lines
    assert not any("-:" in line for line in lines)


def test_a_run_ended_with_neither_error_nor_cause_shows_an_empty_error() -> None:
    lines = render.execution(Execution(ARN, "ABORTED", {}, steps=[])).splitlines()
    assert lines[-2:] == ["  status  ABORTED", "  error   -"]


CAUGHT = [
    started(1, {}),
    entered(2, 0, "Parallel", "Try", {}),
    ev(3, 2, "ParallelStateStarted"),
    entered(4, 3, "Fail", "Oops", {}),
    ev(5, 4, "ParallelStateFailed"),
    entered(6, 5, "Pass", "Recover", {"recovered": True}),
    exited(7, 6, "Pass", "Recover", {"recovered": True}),
    ev(8, 7, "ExecutionSucceeded", output='{"recovered": true}'),
]


def test_a_caught_failure_is_marked_caught_and_the_path_goes_on() -> None:
    run = execution_tree.from_events(ARN, CAUGHT)
    lines = render.execution(run).splitlines()
    assert run.path == ["Try", "Recover"]
    assert "  1. [ x] Try (Parallel)  3 ms   <-- failed, caught" in lines
    assert "           1. [ x] Oops (Fail)  1 ms   <-- failed here" in lines
    assert "  2. [ok] Recover (Pass)  1 ms" in lines


# Both branches fail; the Task failed first, so its failure is the one that ended the Parallel, and the execution.
TASK_AND_FAIL = [
    started(1, {}),
    entered(2, 0, "Parallel", "Both", {}),
    ev(3, 2, "ParallelStateStarted"),
    entered(4, 3, "Task", "Call", {}),
    ev(5, 4, "TaskScheduled"),
    ev(6, 5, "TaskFailed", error="Lambda.Unknown", cause="timed out"),
    entered(7, 3, "Fail", "Refuse", {}),
    ev(8, 6, "ParallelStateFailed"),
    ev(9, 8, "ExecutionFailed", error="Lambda.Unknown", cause="timed out"),
]


def test_a_fail_state_does_not_take_the_error_of_a_task_that_failed_beside_it() -> None:
    run = execution_tree.from_events(ARN, TASK_AND_FAIL)
    steps = {step.name: step for step in run.every_step()}
    assert (steps["Call"].error, steps["Call"].cause) == ("Lambda.Unknown", "timed out")
    assert (steps["Refuse"].failed, steps["Refuse"].error, steps["Refuse"].cause) == (True, None, None)


def test_a_retried_task_that_then_succeeds_is_ok_and_says_it_was_retried() -> None:
    run = execution_tree.from_events(
        ARN,
        [
            started(1, {}),
            entered(2, 0, "Task", "Call", {}),
            ev(3, 2, "TaskScheduled"),
            ev(4, 3, "TaskFailed", error="Lambda.ServiceException", cause="busy"),
            ev(5, 4, "TaskScheduled"),
            ev(6, 5, "TaskSucceeded", output="{}"),
            exited(7, 6, "Task", "Call", {"done": 1}),
            ev(8, 7, "ExecutionSucceeded", output='{"done": 1}'),
        ],
    )
    (step,) = run.steps
    assert (step.failed, step.retries, step.output) == (False, 1, {"done": 1})
    assert "  1. [ok] Call (Task)  5 ms  (retried 1x)" in render.execution(run).splitlines()


def test_branches_are_numbered_as_the_definition_lists_them_when_it_is_given() -> None:
    definition = {
        "StartAt": "Both",
        "States": {
            "Both": {
                "Type": "Parallel",
                "End": True,
                "Branches": [
                    {"StartAt": "First", "States": {"First": {"Type": "Pass", "End": True}}},
                    {"StartAt": "Second", "States": {"Second": {"Type": "Pass", "End": True}}},
                ],
            }
        },
    }
    events = [
        started(1, {}),
        entered(2, 0, "Parallel", "Both", {}),
        ev(3, 2, "ParallelStateStarted"),
        entered(4, 3, "Pass", "Second", {}),  # the second branch happened to start first
        entered(5, 3, "Pass", "First", {}),
    ]
    by_start = execution_tree.build(events).steps[0].blocks
    by_definition = execution_tree.build(events, json.dumps(definition)).steps[0].blocks
    assert [(b.label, b.steps[0].name) for b in by_start] == [("branch 1", "Second"), ("branch 2", "First")]
    assert [(b.label, b.steps[0].name) for b in by_definition] == [("branch 1", "First"), ("branch 2", "Second")]


def test_history_lists_each_branch_and_iteration_under_its_state() -> None:
    lines = render.history(NESTED).splitlines()
    assert lines[:9] == [
        '  1 00:00:00 ExecutionStarted  input={"items": [1, 2]}',
        '  2 00:00:00 MapStateEntered  name=Each, input={"items": [1, 2]}',
        "  3 00:00:00 MapStateStarted  length=2",
        "             iteration 0",
        "  4 00:00:00   MapIterationStarted  name=Each, index=0",
        "  6 00:00:00   ParallelStateEntered  name=Split, input=1",
        "  8 00:00:00   ParallelStateStarted",
        "               branch 1",
        " 10 00:00:00     PassStateEntered  name=Double, input=1",
    ]
    assert "             iteration 1" in lines
    assert "                 iteration 0" in lines  # Inner's, two levels further in
    assert lines[-1] == ' 38 00:00:00 ExecutionSucceeded  output=[[2, ["x1!"]], [4, ["x2!"]]]'
    assert sorted(int(line[:3]) for line in lines if line[:3].strip()) == list(range(1, 39))


# --- CloudWatch Logs execution records (Express workflows) -------------------------------------------------

EXPRESS_ARN = "arn:aws:states:us-east-1:123456789012:express:machine:e1:5b1d4e2c-0f3a-4c1e-9a7b-2d6f0e8c1a90"


def as_log_record(event: Event, execution_arn: str = EXPRESS_ARN) -> str:
    """The event as Step Functions writes it to CloudWatch Logs: ids and the epoch-ms timestamp as strings."""
    assert event.timestamp is not None
    record = {
        "id": str(event.id),
        "type": event.type,
        "details": dict(event.details),
        "previous_event_id": str(event.previous_id),
        "event_timestamp": str(round(event.timestamp.timestamp() * 1000)),
        "execution_arn": execution_arn,
    }
    return json.dumps(record, ensure_ascii=False)


def test_an_execution_log_record_reads_as_the_same_event() -> None:
    record = (
        '{"id": "3", "type": "PassStateExited", "details": {"name": "Greet", "output": "\\"Olá\\"", '
        '"outputDetails": {"truncated": false}}, "previous_event_id": "2", '
        f'"event_timestamp": "1767225600042", "execution_arn": "{EXPRESS_ARN}", "redrive_count": "0"}}'
    )
    (event,) = execution_tree.from_execution_log([record])
    assert (event.id, event.previous_id, event.type) == (3, 2, "PassStateExited")
    assert event.timestamp == datetime(2026, 1, 1, 0, 0, 0, 42000, tzinfo=UTC)
    assert event.details["output"] == '"Olá"'


def test_execution_log_records_give_the_same_view_as_the_history() -> None:
    records: list[Any] = [as_log_record(e) for e in NESTED]
    records += [as_log_record(e, EXPRESS_ARN.replace(":e1:", ":e2:")) for e in FAILED_ITERATION]  # another run
    random.Random(3).shuffle(records)  # log delivery keeps no order across streams
    records[0] = {"timestamp": 0, "message": records[0]}  # as FilterLogEvents returns one
    events = execution_tree.from_execution_log(records, execution_arn=EXPRESS_ARN)
    run = execution_tree.from_events(EXPRESS_ARN, events)
    assert run.status == "SUCCEEDED"
    assert render.execution(run).splitlines()[1:] == NESTED_VIEW.splitlines()[1:]


def test_execution_log_records_without_execution_data_still_give_the_path() -> None:
    # includeExecutionData=false: the records carry no input or output.
    records = [as_log_record(Event(e.id, e.previous_id, e.type, e.timestamp, {
        k: v for k, v in e.details.items() if k not in ("input", "output")
    })) for e in FAILED_ITERATION]  # fmt: skip
    run = execution_tree.from_events(EXPRESS_ARN, execution_tree.from_execution_log(records))
    assert [s.name for s in run.every_step()] == ["Check", "Accept", "Reject"]
    assert "                  cause Montant refusé : 12 €" in render.execution(run).splitlines()


# --- Real runs in moto's Step Functions engine ------------------------------------------------------------


@pytest.fixture(scope="module")
def sfn(moto: InMemoryAws) -> Any:
    return moto.client("stepfunctions")


def create(sfn: Any, name: str, definition: dict[str, Any]) -> str:
    arn: str = sfn.create_state_machine(name=name, definition=json.dumps(definition), roleArn=ROLE)["stateMachineArn"]
    return arn


def without_durations(text: str) -> str:
    return re.sub(r"  \d+ ms", "", text)


def recorded(sfn: Any, execution_arn: str) -> list[Event]:
    return execution_tree.from_history(executions.history(sfn, execution_arn))


MOTO_ORDER_CASES = 25
"""Other recordings checked of each history moto records: see `assert_any_order_gives_the_same_tree`."""


ORDERS = {
    "StartAt": "Orders",
    "States": {
        "Orders": {
            "Type": "Map",
            "ItemsPath": "$.orders",
            "Next": "Summary",
            "Iterator": {
                "StartAt": "Check",
                "States": {
                    "Check": {
                        "Type": "Parallel",
                        "End": True,
                        "Branches": [
                            {
                                "StartAt": "Price",
                                "States": {
                                    "Price": {"Type": "Pass", "Result": "prix validé", "Next": "Hold"},
                                    "Hold": {"Type": "Wait", "Seconds": 0, "End": True},
                                },
                            },
                            {
                                "StartAt": "Lines",
                                "States": {
                                    "Lines": {
                                        "Type": "Map",
                                        "ItemsPath": "$.lines",
                                        "End": True,
                                        "Iterator": {
                                            "StartAt": "Kind",
                                            "States": {
                                                "Kind": {
                                                    "Type": "Choice",
                                                    "Choices": [
                                                        {"Variable": "$", "StringEquals": "livre", "Next": "Book"}
                                                    ],
                                                    "Default": "Other",
                                                },
                                                "Book": {"Type": "Pass", "Result": "📚", "End": True},
                                                "Other": {"Type": "Pass", "Result": "?", "End": True},
                                            },
                                        },
                                    }
                                },
                            },
                        ],
                    }
                },
            },
        },
        "Summary": {"Type": "Pass", "End": True},
    },
}

ORDERS_VIEW = """\
  input   {"orders": [{"lines": ["livre", "stylo"]}, {"lines": []}]}
  1. [ok] Orders (Map)
         -> [["prix validé", ["📚", "?"]], ["prix validé", []]]
         [ok] iteration 0
           1. [ok] Check (Parallel)
                  <- {"lines": ["livre", "stylo"]}
                  -> ["prix validé", ["📚", "?"]]
                  [ok] branch 1
                    1. [ok] Price (Pass)
                           -> prix validé
                    2. [ok] Hold (Wait)
                           -> prix validé
                  [ok] branch 2
                    1. [ok] Lines (Map)
                           -> ["📚", "?"]
                           [ok] iteration 0
                             1. [ok] Kind (Choice)
                                    <- livre
                                    -> livre
                             2. [ok] Book (Pass)
                                    -> 📚
                           [ok] iteration 1
                             1. [ok] Kind (Choice)
                                    <- stylo
                                    -> stylo
                             2. [ok] Other (Pass)
                                    -> ?
         [ok] iteration 1
           1. [ok] Check (Parallel)
                  <- {"lines": []}
                  -> ["prix validé", []]
                  [ok] branch 1
                    1. [ok] Price (Pass)
                           -> prix validé
                    2. [ok] Hold (Wait)
                           -> prix validé
                  [ok] branch 2
                    1. [ok] Lines (Map)
                           -> []
  2. [ok] Summary (Pass)
         -> [["prix validé", ["📚", "?"]], ["prix validé", []]]
  status  SUCCEEDED
  output  [["prix validé", ["📚", "?"]], ["prix validé", []]]"""


def test_moto_map_in_parallel_in_map_renders_as_nested_blocks(sfn: Any) -> None:
    run = executions.run(sfn, create(sfn, "orders", ORDERS), {"orders": [{"lines": ["livre", "stylo"]}, {"lines": []}]})
    text = render.execution(run)
    assert without_durations(text).split("\n", 1)[1] == ORDERS_VIEW
    # Every state, iteration and branch that finished has a duration, the first iteration included.
    assert all(step.duration_ms is not None for step in run.every_step())
    orders = run.steps[0]
    assert all(block.duration_ms is not None for block in orders.blocks)
    assert orders.output == [["prix validé", ["📚", "?"]], ["prix validé", []]]
    assert_any_order_gives_the_same_tree(recorded(sfn, run.arn), ORDERS, cases=MOTO_ORDER_CASES)


def test_moto_ops_run_and_history_show_the_nesting(sfn: Any, capsys: pytest.CaptureFixture[str]) -> None:
    arn = create(sfn, "orders-cli", ORDERS)
    payload = json.dumps({"orders": [{"lines": ["livre"]}]}, ensure_ascii=False)
    assert ops_main(["run", "call-center", "--arn", arn, "--input", payload]) == 0
    printed = capsys.readouterr().out
    assert "                             2. [ok] Book (Pass)" in without_durations(printed)
    assert "\\u" not in printed
    (summary,) = sfn.list_executions(stateMachineArn=arn)["executions"]
    assert ops_main(["history", summary["executionArn"]]) == 0
    listed = capsys.readouterr().out.splitlines()
    headers = [line for line in listed if not line[:3].strip()]
    # `ops history` has no definition to number the branches by: they are numbered as they
    # started, and moto starts them in no set order.
    assert sorted(header.strip() for header in headers) == ["branch 1", "branch 2", "iteration 0", "iteration 0"]

    def header_over(state: str) -> str:
        at = next(i for i, line in enumerate(listed) if f"StateEntered  name={state}," in line)
        return next(line for line in reversed(listed[:at]) if not line[:3].strip())

    def depth(line: str) -> int:
        return len(line) - len(line.lstrip())

    assert header_over("Check").strip() == "iteration 0"
    assert {header_over("Price").strip(), header_over("Lines").strip()} == {"branch 1", "branch 2"}
    assert depth(header_over("Price")) == depth(header_over("Lines")) > depth(header_over("Check"))
    assert header_over("Kind").strip() == "iteration 0"
    assert depth(header_over("Kind")) > depth(header_over("Lines"))
    assert any(line.endswith("PassStateExited  name=Book, output=📚") for line in listed)


NO_TWOS = {
    "StartAt": "Each",
    "States": {
        "Each": {
            "Type": "Map",
            "End": True,
            "Iterator": {
                "StartAt": "Even?",
                "States": {
                    "Even?": {
                        "Type": "Choice",
                        "Choices": [{"Variable": "$", "NumericEquals": 2, "Next": "No Twos"}],
                        "Default": "Fine",
                    },
                    "Fine": {"Type": "Pass", "End": True},
                    "No Twos": {"Type": "Fail", "Error": "TwoFound", "Cause": "deux est refusé"},
                },
            },
        }
    },
}


def test_moto_failed_iteration_shows_the_fail_states_error_and_cause(sfn: Any) -> None:
    run = executions.run(sfn, create(sfn, "no-twos", NO_TWOS), [1, 2])
    lines = without_durations(render.execution(run)).splitlines()
    assert (run.status, run.error, run.cause) == ("FAILED", "TwoFound", "deux est refusé")
    at = lines.index("         [ x] iteration 1")
    assert lines[at + 1 : at + 6] == [
        "           1. [ok] Even? (Choice)",
        "                  <- 2",
        "                  -> 2",
        "           2. [ x] No Twos (Fail)   <-- failed here",
        "                  error TwoFound: deux est refusé",
    ]
    assert "  status  FAILED" in lines[at + 6 :]
    assert "  1. [ x] Each (Map)" in lines
    # Moto's engine may record iteration 0, and finish it, after the execution has failed: the
    # history read may hold all of it, part of it, or (in principle) nothing yet.
    assert [block.index for block in run.steps[0].blocks] in ([1], [0, 1])
    assert lines[-1] == "  error   TwoFound: deux est refusé"
    assert_any_order_gives_the_same_tree(recorded(sfn, run.arn), NO_TWOS, cases=MOTO_ORDER_CASES)


ESCALATE = {
    "StartAt": "Work",
    "States": {
        "Work": {
            "Type": "Parallel",
            "End": True,
            "Branches": [
                {"StartAt": "Wait a bit", "States": {"Wait a bit": {"Type": "Wait", "Seconds": 0, "End": True}}},
                # The call-center Fail state's shape: a Cause and no Error.
                {
                    "StartAt": "Escalate",
                    "States": {"Escalate": {"Type": "Fail", "Cause": "Engage Tier 2 Support."}},
                },
            ],
        }
    },
}


def test_moto_fail_with_only_a_cause_in_a_parallel_shows_just_the_cause(sfn: Any) -> None:
    run = executions.run(sfn, create(sfn, "escalate", ESCALATE), {})
    lines = without_durations(render.execution(run)).splitlines()
    assert "           1. [ x] Escalate (Fail)   <-- failed here" in lines
    assert "                  cause Engage Tier 2 Support." in lines
    assert "  1. [ x] Work (Parallel)" in lines
    assert lines[-2:] == ["  status  FAILED", "  cause   Engage Tier 2 Support."]
    assert not any("-:" in line for line in lines)
    assert_any_order_gives_the_same_tree(recorded(sfn, run.arn), ESCALATE, cases=MOTO_ORDER_CASES)


TOO_BIG = {
    "StartAt": "Outer",
    "States": {
        "Outer": {
            "Type": "Map",
            "End": True,
            "Iterator": {
                "StartAt": "Inner",
                "States": {
                    "Inner": {
                        "Type": "Map",
                        "End": True,
                        "Iterator": {
                            "StartAt": "Big?",
                            "States": {
                                "Big?": {
                                    "Type": "Choice",
                                    "Choices": [{"Variable": "$", "NumericGreaterThan": 2, "Next": "Too Big"}],
                                    "Default": "Keep",
                                },
                                "Keep": {"Type": "Pass", "End": True},
                                "Too Big": {"Type": "Fail", "Error": "TooBig", "Cause": "plus que deux"},
                            },
                        },
                    }
                },
            },
        }
    },
}


def test_moto_a_failure_in_a_map_in_a_map_fails_both_maps(sfn: Any) -> None:
    # The outer Map's MapStateFailed may follow the inner Map's: it must still end the outer one.
    run = executions.run(sfn, create(sfn, "too-big", TOO_BIG), [[1, 2], [3]])
    lines = without_durations(render.execution(run)).splitlines()
    assert "  1. [ x] Outer (Map)" in lines
    assert "           1. [ x] Inner (Map)" in lines
    at = lines.index("                    2. [ x] Too Big (Fail)   <-- failed here")
    assert lines[at + 1] == "                           error TooBig: plus que deux"
    assert lines[-2:] == ["  status  FAILED", "  error   TooBig: plus que deux"]
    assert_any_order_gives_the_same_tree(recorded(sfn, run.arn), TOO_BIG, cases=MOTO_ORDER_CASES)


# --- Any order an engine may emit and link events in ------------------------------------------------------
#
# Branches and iterations run concurrently, so one execution can be recorded in many orders, and an
# engine links some events across branches and iterations as its threads happen to finish. From a
# recorded run whose tree the tests above check, `Threads` reads which branch or iteration each
# event belongs to and what each must come after; `Threads.variant` then makes another recording an
# engine could have written of the same run. The tree built from any of them must be the same.

_CONTAINER_ENDS = tuple(
    f"{kind}State{end}" for kind in ("Map", "Parallel") for end in ("Succeeded", "Failed", "Aborted")
)
_EXECUTION_ENDS = ("ExecutionSucceeded", "ExecutionFailed", "ExecutionTimedOut", "ExecutionAborted")


@dataclass
class Container:
    """A Parallel or Map as its events record it: the threads it opened, and how it ended."""

    opener: int
    """Its ParallelStateStarted or MapStateStarted."""
    children: list[int]
    """The threads of its branches or iterations."""
    end: int | None
    """Its MapState... or ParallelState... end, if recorded yet."""
    exit: int | None
    """Its ...StateExited, when it comes right after the end."""
    waits_for: list[int]
    """The threads whose last event its end comes after: all of them, or, when it failed, the first that failed."""


class Threads:
    """The threads of one recorded run: the execution's, each branch's and each iteration's events in order."""

    def __init__(self, events: list[Event], definition: dict[str, Any] | None) -> None:
        self.events = {event.id: event for event in events}
        self.threads: list[list[int]] = []
        self.thread_of: dict[int, int] = {}
        self.containers: list[Container] = []
        self._read(execution_tree.build(events, definition))
        assert sum(len(thread) for thread in self.threads) == len(self.events) == len(self.thread_of)
        # The links an engine chooses as its threads finish: anything else is kept as recorded.
        self.loose: dict[int, tuple[str, Container]] = {}
        for container in self.containers:
            for child in container.children:
                first = self.events[self.threads[child][0]]
                if first.type == "MapIterationStarted":
                    self.loose[first.id] = ("iteration start", container)
            if container.end is not None:
                self.loose[container.end] = ("end", container)
            if container.exit is not None:
                self.loose[container.exit] = ("exit", container)

    def _read(self, block: execution_tree.Block) -> int:
        number = len(self.threads)
        ids = sorted(event.id for event in block.events)
        self.threads.append(ids)
        self.thread_of.update(dict.fromkeys(ids, number))
        for step in block.steps:
            if not step.blocks:
                continue
            opener = step.blocks[0].after_event
            assert all(child.after_event == opener for child in step.blocks)
            assert opener in ids
            children = [self._read(child) for child in step.blocks]
            rest = ids[ids.index(opener) + 1 :]
            end = rest[0] if rest and self.events[rest[0]].type in _CONTAINER_ENDS else None
            exit_ = rest[1] if end and rest[1:] and self.events[rest[1]].type == f"{step.type}StateExited" else None
            failed = [thread for thread, child in zip(children, step.blocks, strict=True) if child.failed]
            if end is None:
                waits_for = []
            elif self.events[end].type.endswith("Succeeded"):
                waits_for = children
            else:
                waits_for = sorted(failed, key=lambda thread: self.threads[thread][-1])[:1]
            self.containers.append(Container(opener, children, end, exit_, waits_for))
        return number

    def must_follow(self) -> dict[int, set[int]]:
        after: dict[int, set[int]] = {event_id: set() for event_id in self.events}
        for thread in self.threads:
            for earlier, later in itertools.pairwise(thread):
                after[later].add(earlier)
        for container in self.containers:
            for child in container.children:
                after[self.threads[child][0]].add(container.opener)
            if container.end is not None:
                after[container.end].update(self.threads[thread][-1] for thread in container.waits_for)
        for event in self.events.values():
            if event.id not in self.loose and event.previous_id in self.events:
                after[event.id].add(event.previous_id)
        return after

    def link_options(self, event: Event, position: dict[int, int], links: dict[int, int]) -> list[int]:
        role, container = self.loose[event.id]
        if role == "exit":
            assert container.end is not None
            return sorted({container.end, links[container.end]})
        options = [container.opener]
        for child in container.children:
            thread = self.threads[child]
            if role == "iteration start" and child != self.thread_of[event.id]:
                # The engine's worker that ran it may have run another iteration first.
                options += [other for other in thread if position[other] < position[event.id]]
            elif role == "end" and position[thread[-1]] < position[event.id]:
                # The last event of a finished branch or iteration, or the one before its iteration's end.
                options += thread[-2:] if self.events[thread[-1]].type.startswith("MapIteration") else thread[-1:]
        return options

    def variant(self, rng: random.Random) -> tuple[list[Event], set[str]]:
        """Another recording of the same run, and what sets it apart from the recorded one."""
        waiting = self.must_follow()
        speed = [rng.choice((0.1, 1.0, 10.0)) for _ in self.threads]  # a slow thread runs on after the others end
        order: list[int] = []
        while waiting:
            ready = [event_id for event_id, after in waiting.items() if not after]
            (chosen,) = rng.choices(ready, weights=[speed[self.thread_of[event_id]] for event_id in ready])
            order.append(chosen)
            del waiting[chosen]
            for after in waiting.values():
                after.discard(chosen)
        position = {event_id: at for at, event_id in enumerate(order)}
        notes = {"reordered"} if order != sorted(order) else set()
        links: dict[int, int] = {}
        for event_id in order:
            event = self.events[event_id]
            links[event_id] = event.previous_id
            if event_id in self.loose:
                options = self.link_options(event, position, links)
                if event.previous_id not in options or rng.random() < 0.5:
                    links[event_id] = rng.choice(options)
                if links[event_id] != event.previous_id:
                    notes.add(f"{self.loose[event_id][0]} relinked")
        ends = [at for at, event_id in enumerate(order) if self.events[event_id].type in _EXECUTION_ENDS]
        if ends and ends[0] < len(order) - 1:
            notes.add("runs on after the execution ended")
        # An engine numbers events in the order it writes them.
        new_id = {event_id: at + 1 for at, event_id in enumerate(order)}
        recorded = [
            Event(
                new_id[event_id],
                new_id.get(links[event_id], 0),
                self.events[event_id].type,
                T0 + timedelta(milliseconds=new_id[event_id]),
                self.events[event_id].details,
            )
            for event_id in order
        ]
        return recorded, notes


def shape(steps: list[execution_tree.Step], numbered: bool) -> list[Any]:
    """All the tree says but times. Without a definition, branches are numbered as they
    started, which depends on the order: then they are compared as a set."""
    shaped = []
    for step in steps:
        blocks = [
            (
                block.kind,
                block.index if numbered or block.kind == "iteration" else 0,
                block.status,
                shape(block.steps, numbered),
            )
            for block in step.blocks
        ]
        blocks = blocks if numbered else sorted(blocks, key=repr)
        shaped.append(
            (step.name, step.type, step.status, step.error, step.cause, step.retries, step.input, step.output, blocks)
        )
    return shaped


def assert_within(part: list[execution_tree.Step], whole: list[execution_tree.Step]) -> None:
    """What a history cut short shows is what the whole one shows, or not yet known."""
    assert len(part) <= len(whole)
    for mine, theirs in zip(part, whole, strict=False):
        assert (mine.name, mine.type, mine.input) == (theirs.name, theirs.type, theirs.input)
        for known, final in (
            (mine.status, theirs.status),
            (mine.output, theirs.output),
            (mine.error, theirs.error),
            (mine.cause, theirs.cause),
        ):
            assert known is None or known == final
        blocks = {(block.kind, block.index): block for block in theirs.blocks}
        for block in mine.blocks:
            same = blocks[block.kind, block.index]
            assert block.kind == "branch" or block.status in (None, same.status)
            assert_within(block.steps, same.steps)


def assert_renders(events: list[Event], definition: dict[str, Any] | None) -> None:
    render.execution(execution_tree.from_events(ARN, events, definition))
    listed = render.history(events, definition=definition).splitlines()
    assert sorted(int(line[:3]) for line in listed if line[:3].strip()) == [event.id for event in events]


def listing(events: list[Event]) -> str:
    return "\n".join(
        f"{e.id:>3} <{e.previous_id:>3} {e.type} {e.details.get('name', '')} {e.details.get('index', '')}"
        for e in events
    )


def assert_any_order_gives_the_same_tree(
    events: list[Event], definition: dict[str, Any] | None, *, cases: int
) -> set[str]:
    """Check `cases` other recordings of the run (each also cut short at a random event); what they explored."""
    numbered = definition is not None
    recorded = execution_tree.from_events(ARN, events, definition)
    expected = shape(recorded.steps, numbered)
    threads = Threads(events, definition)
    explored: set[str] = set()
    for case in range(cases):
        rng = random.Random(case)
        variant, notes = threads.variant(rng)
        explored |= notes
        built = execution_tree.from_events(ARN, variant, definition)
        assert shape(built.steps, numbered) == expected, f"case {case}:\n{listing(variant)}"
        assert (built.status, built.error, built.cause) == (recorded.status, recorded.error, recorded.cause)
        assert_renders(variant, definition)
        # A history read while the execution, or an iteration, still runs.
        cut = variant[: rng.randrange(1, len(variant))]
        part = execution_tree.from_events(ARN, cut, definition)
        try:
            assert_within(part.steps, built.steps)
        except AssertionError as error:
            raise AssertionError(f"case {case}, cut short:\n{listing(cut)}") from error
        assert_renders(cut, definition)
        if any(not block.steps for step in part.every_step() for block in step.blocks):
            explored.add("cut before an iteration's first state")
    return explored


# Recorded from moto's engine. Its MapStateFailed follows iteration 0's MapIterationSucceeded, not the failure.
MOTO_NO_TWOS = [
    ev(1, 0, "ExecutionStarted", input="[1, 2]"),
    ev(2, 0, "MapStateEntered", name="Each", input="[1,2]"),
    ev(3, 2, "MapStateStarted"),
    ev(4, 3, "MapIterationStarted", name="Each", index=0),
    ev(5, 4, "ChoiceStateEntered", name="Even?", input="1"),
    ev(6, 5, "ChoiceStateExited", name="Even?", output="1"),
    ev(7, 6, "PassStateEntered", name="Fine", input="1"),
    ev(8, 7, "PassStateExited", name="Fine", output="1"),
    ev(9, 3, "MapIterationStarted", name="Each", index=1),
    ev(10, 9, "ChoiceStateEntered", name="Even?", input="2"),
    ev(11, 10, "ChoiceStateExited", name="Even?", output="2"),
    ev(12, 11, "FailStateEntered", name="No Twos", input="2"),
    ev(13, 12, "MapIterationFailed", name="Each", index=1),
    ev(14, 8, "MapIterationSucceeded", name="Each", index=0),
    ev(15, 14, "MapStateFailed"),
    ev(16, 15, "ExecutionFailed", error="TwoFound", cause="deux est refusé"),
]

# Recorded from moto's engine: the ParallelStateFailed follows the branch that did not fail.
MOTO_ESCALATE = [
    ev(1, 0, "ExecutionStarted", input="{}"),
    ev(2, 0, "ParallelStateEntered", name="Work", input="{}"),
    ev(3, 2, "ParallelStateStarted"),
    ev(4, 3, "FailStateEntered", name="Escalate", input="{}"),
    ev(5, 3, "WaitStateEntered", name="Wait a bit", input="{}"),
    ev(6, 5, "WaitStateExited", name="Wait a bit", output="{}"),
    ev(7, 6, "ParallelStateFailed"),
    ev(8, 7, "ExecutionFailed", cause="Engage Tier 2 Support."),
]

# Recorded from moto's engine, read as the execution failed: Outer's iteration 1 had not begun Inner's
# iteration 1. Inner's iteration 1 in Outer's iteration 0 follows that Inner's iteration 0 (one worker
# ran both); Outer's MapStateFailed follows Inner's.
MOTO_TOO_BIG = [
    ev(1, 0, "ExecutionStarted", input="[[1, 2], [3, 1]]"),
    ev(2, 0, "MapStateEntered", name="Outer", input="[[1,2],[3,1]]"),
    ev(3, 2, "MapStateStarted"),
    ev(4, 3, "MapIterationStarted", name="Outer", index=0),
    ev(5, 4, "MapStateEntered", name="Inner", input="[1,2]"),
    ev(6, 5, "MapStateStarted"),
    ev(7, 3, "MapIterationStarted", name="Outer", index=1),
    ev(8, 7, "MapStateEntered", name="Inner", input="[3,1]"),
    ev(9, 6, "MapIterationStarted", name="Inner", index=0),
    ev(10, 9, "ChoiceStateEntered", name="Big?", input="1"),
    ev(11, 10, "ChoiceStateExited", name="Big?", output="1"),
    ev(12, 11, "PassStateEntered", name="Keep", input="1"),
    ev(13, 12, "PassStateExited", name="Keep", output="1"),
    ev(14, 13, "MapIterationSucceeded", name="Inner", index=0),
    ev(15, 13, "MapIterationStarted", name="Inner", index=1),
    ev(16, 15, "ChoiceStateEntered", name="Big?", input="2"),
    ev(17, 16, "ChoiceStateExited", name="Big?", output="2"),
    ev(18, 17, "PassStateEntered", name="Keep", input="2"),
    ev(19, 18, "PassStateExited", name="Keep", output="2"),
    ev(20, 19, "MapIterationSucceeded", name="Inner", index=1),
    ev(21, 8, "MapStateStarted"),
    ev(22, 20, "MapStateSucceeded"),
    ev(23, 20, "MapStateExited", name="Inner", output="[1,2]"),
    ev(24, 21, "MapIterationStarted", name="Inner", index=0),
    ev(25, 24, "ChoiceStateEntered", name="Big?", input="3"),
    ev(26, 25, "ChoiceStateExited", name="Big?", output="3"),
    ev(27, 26, "FailStateEntered", name="Too Big", input="3"),
    ev(28, 23, "MapIterationSucceeded", name="Outer", index=0),
    ev(29, 27, "MapIterationFailed", name="Inner", index=0),
    ev(30, 27, "MapStateFailed"),
    ev(31, 30, "MapIterationFailed", name="Outer", index=1),
    ev(32, 30, "MapStateFailed"),
    ev(33, 32, "ExecutionFailed", error="TooBig", cause="plus que deux"),
]


def test_recorded_moto_runs_build_the_tree_their_failures_made() -> None:
    no_twos = execution_tree.from_events(ARN, MOTO_NO_TWOS, NO_TWOS)
    (each,) = no_twos.steps
    assert [(block.label, block.status) for block in each.blocks] == [
        ("iteration 0", "SUCCEEDED"),
        ("iteration 1", "FAILED"),
    ]
    assert (each.status, each.blocks[1].steps[-1].error, each.blocks[1].steps[-1].cause) == (
        "FAILED", "TwoFound", "deux est refusé"
    )  # fmt: skip
    escalate = execution_tree.from_events(ARN, MOTO_ESCALATE, ESCALATE)
    assert [(b.label, b.status, b.steps[0].cause) for b in escalate.steps[0].blocks] == [
        ("branch 1", "SUCCEEDED", None), ("branch 2", "FAILED", "Engage Tier 2 Support.")
    ]  # fmt: skip
    too_big = execution_tree.from_events(ARN, MOTO_TOO_BIG, TOO_BIG)
    (outer,) = too_big.steps
    inners = [block.steps[0] for block in outer.blocks]
    assert (outer.status, [inner.status for inner in inners]) == ("FAILED", ["SUCCEEDED", "FAILED"])
    assert [[len(block.steps) for block in inner.blocks] for inner in inners] == [[2, 2], [2]]
    assert (inners[1].blocks[0].steps[-1].name, inners[1].blocks[0].steps[-1].error) == ("Too Big", "TooBig")


ANY_ORDER_CASES = 200


@pytest.mark.parametrize(
    ("events", "definition", "explores"),
    [
        pytest.param(
            NESTED,
            NESTED_DEFINITION,
            {
                "reordered",
                "iteration start relinked",
                "end relinked",
                "exit relinked",
                "cut before an iteration's first state",
            },
            id="map-parallel-map",
        ),
        pytest.param(
            NESTED, None, {"reordered", "iteration start relinked", "end relinked"}, id="branches-numbered-as-started"
        ),
        pytest.param(
            FAILED_ITERATION,
            None,
            {"reordered", "iteration start relinked", "end relinked", "runs on after the execution ended"},
            id="failed-iteration",
        ),
        pytest.param(CAUGHT, None, {"end relinked"}, id="caught-fail"),
        pytest.param(
            TASK_AND_FAIL, None, {"reordered", "end relinked", "runs on after the execution ended"}, id="task-and-fail"
        ),
        pytest.param(
            MOTO_NO_TWOS,
            NO_TWOS,
            {"reordered", "iteration start relinked", "end relinked", "runs on after the execution ended"},
            id="moto-failed-iteration",
        ),
        pytest.param(
            MOTO_ESCALATE,
            ESCALATE,
            {"reordered", "end relinked", "runs on after the execution ended"},
            id="moto-parallel",
        ),
        pytest.param(
            MOTO_TOO_BIG,
            TOO_BIG,
            {
                "reordered",
                "iteration start relinked",
                "end relinked",
                "exit relinked",
                "runs on after the execution ended",
                "cut before an iteration's first state",
            },
            id="moto-map-in-map",
        ),
    ],
)
def test_any_order_and_links_an_engine_may_record_build_the_same_tree(
    events: list[Event], definition: dict[str, Any] | None, explores: set[str]
) -> None:
    explored = assert_any_order_gives_the_same_tree(events, definition, cases=ANY_ORDER_CASES)
    # The recordings made are the ones this run allows: else the equalities above would prove little.
    assert explores <= explored
