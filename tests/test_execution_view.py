"""The execution view: a tree of states built from an execution's events, whatever their source.

Pure tests feed synthetic event lists linked the way the service links them
(each event names the one it follows); the moto tests run real state machines
in moto's Step Functions engine and check the rendered view.
"""

from __future__ import annotations

import json
import random
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ops import executions, render
from ops.__main__ import main as ops_main
from ops.executions import Event, Execution
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


def test_nested_map_parallel_map_is_a_tree_whose_containers_show_their_own_result() -> None:
    run = executions.from_events(ARN, NESTED)
    assert render.execution(run) == NESTED_VIEW
    assert run.path == ["Each"]
    assert [s.name for s in run.every_step()] == ["Each"] + ["Split", "Double", "Inner", "Leaf"] * 2


def test_the_tree_follows_the_links_not_the_order_of_ids() -> None:
    # Events are placed by the event they follow, so the order they are given in does not matter.
    shuffled = NESTED.copy()
    random.Random(7).shuffle(shuffled)
    assert render.execution(executions.from_events(ARN, shuffled)) == NESTED_VIEW


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
    run = executions.from_events(ARN, FAILED_ITERATION)
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
        "                  error Montant refusé : 12 €",
        "  status  FAILED",
        "  error   Montant refusé : 12 €",
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
    lines = render.execution(executions.from_events(ARN, events)).splitlines()
    headers = [line.strip() for line in lines if "] iteration " in line]
    assert headers == [f"[ok] iteration {i}  3 ms" for i in range(render.MAX_ITERATIONS)] + ["[ x] iteration 22  3 ms"]
    assert "         ... 4 more iterations not shown, none failed" in lines
    assert "                  error Boom: item 22" in lines


def test_a_fail_state_takes_error_and_cause_from_the_failure_it_causes_and_is_never_ok() -> None:
    run = executions.from_events(
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


def test_a_fail_state_built_by_hand_is_failed_even_without_an_error() -> None:
    step = executions.Step("Stop", "Fail", input={})
    run = Execution(ARN, "FAILED", {}, cause="Engage Tier 2 Support.", steps=[step])
    lines = render.execution(run).splitlines()
    assert "  1. [ x] Stop (Fail)   <-- failed here" in lines
    assert "  error   Engage Tier 2 Support." in lines
    assert not any("-:" in line for line in lines)


def test_a_caught_failure_is_marked_caught_and_the_path_goes_on() -> None:
    run = executions.from_events(
        ARN,
        [
            started(1, {}),
            entered(2, 0, "Parallel", "Try", {}),
            ev(3, 2, "ParallelStateStarted"),
            entered(4, 3, "Fail", "Oops", {}),
            ev(5, 4, "ParallelStateFailed"),
            entered(6, 5, "Pass", "Recover", {"recovered": True}),
            exited(7, 6, "Pass", "Recover", {"recovered": True}),
            ev(8, 7, "ExecutionSucceeded", output='{"recovered": true}'),
        ],
    )
    lines = render.execution(run).splitlines()
    assert run.path == ["Try", "Recover"]
    assert "  1. [ x] Try (Parallel)  3 ms   <-- failed, caught" in lines
    assert "           1. [ x] Oops (Fail)  1 ms   <-- failed here" in lines
    assert "  2. [ok] Recover (Pass)  1 ms" in lines


def test_a_retried_task_that_then_succeeds_is_ok_and_says_it_was_retried() -> None:
    run = executions.from_events(
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
    by_start = executions.build(events).steps[0].blocks
    by_definition = executions.build(events, json.dumps(definition)).steps[0].blocks
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
    (event,) = executions.from_execution_log([record])
    assert (event.id, event.previous_id, event.type) == (3, 2, "PassStateExited")
    assert event.timestamp == datetime(2026, 1, 1, 0, 0, 0, 42000, tzinfo=UTC)
    assert event.details["output"] == '"Olá"'


def test_execution_log_records_give_the_same_view_as_the_history() -> None:
    records: list[Any] = [as_log_record(e) for e in NESTED]
    records += [as_log_record(e, EXPRESS_ARN.replace(":e1:", ":e2:")) for e in FAILED_ITERATION]  # another run
    random.Random(3).shuffle(records)  # log delivery keeps no order across streams
    records[0] = {"timestamp": 0, "message": records[0]}  # as FilterLogEvents returns one
    events = executions.from_execution_log(records, execution_arn=EXPRESS_ARN)
    run = executions.from_events(EXPRESS_ARN, events)
    assert run.status == "SUCCEEDED"
    assert render.execution(run).splitlines()[1:] == NESTED_VIEW.splitlines()[1:]


def test_execution_log_records_without_execution_data_still_give_the_path() -> None:
    # includeExecutionData=false: the records carry no input or output.
    records = [as_log_record(Event(e.id, e.previous_id, e.type, e.timestamp, {
        k: v for k, v in e.details.items() if k not in ("input", "output")
    })) for e in FAILED_ITERATION]  # fmt: skip
    run = executions.from_events(EXPRESS_ARN, executions.from_execution_log(records))
    assert [s.name for s in run.every_step()] == ["Check", "Accept", "Reject"]
    assert "                  error Montant refusé : 12 €" in render.execution(run).splitlines()


# --- Real runs in moto's Step Functions engine ------------------------------------------------------------


@pytest.fixture(scope="module")
def sfn(moto: InMemoryAws) -> Any:
    return moto.client("stepfunctions")


def create(sfn: Any, name: str, definition: dict[str, Any]) -> str:
    arn: str = sfn.create_state_machine(name=name, definition=json.dumps(definition), roleArn=ROLE)["stateMachineArn"]
    return arn


def without_durations(text: str) -> str:
    return re.sub(r"  \d+ ms", "", text)


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
    headers = [line.strip() for line in listed if not line[:3].strip()]
    assert headers == ["iteration 0", "branch 1", "branch 2", "iteration 0"]
    assert any(line.endswith("PassStateExited  name=Book, output=📚") for line in listed)


def test_moto_failed_iteration_shows_the_fail_states_error_and_cause(sfn: Any) -> None:
    definition = {
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
    run = executions.run(sfn, create(sfn, "no-twos", definition), [1, 2])
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
    # Iteration 0 may be listed after it: moto's engine may finish it after the failure.
    assert "  status  FAILED" in lines[at + 6 :]
    assert "  1. [ x] Each (Map)" in lines
    # Not whether it ended: moto's engine may finish iteration 0 after the execution has failed.
    assert any(line.endswith("] iteration 0") for line in lines)
    assert lines[-1] == "  error   TwoFound: deux est refusé"


def test_moto_fail_with_only_a_cause_in_a_parallel_shows_just_the_cause(sfn: Any) -> None:
    definition = {
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
    run = executions.run(sfn, create(sfn, "escalate", definition), {})
    lines = without_durations(render.execution(run)).splitlines()
    assert "           1. [ x] Escalate (Fail)   <-- failed here" in lines
    assert "                  error Engage Tier 2 Support." in lines
    assert "  1. [ x] Work (Parallel)" in lines
    assert lines[-2:] == ["  status  FAILED", "  error   Engage Tier 2 Support."]
    assert not any("-:" in line for line in lines)
