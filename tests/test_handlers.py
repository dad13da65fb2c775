"""The call-center handlers, called as Lambda calls them, with a fake context."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from handlers import call_center
from handlers.case import InvalidCaseInput, MalformedCase


@dataclass(frozen=True)
class FakeContext:
    function_name: str = "serverless-workflows-test-open-case"
    aws_request_id: str = "00000000-0000-0000-0000-000000000000"
    memory_limit_in_mb: int = 128

    def get_remaining_time_in_millis(self) -> int:
        return 5000


class FixedOutcome:
    """Stands in for `random`: always draws `value`, and records the range asked for."""

    def __init__(self, value: int) -> None:
        self.value = value
        self.asked: list[tuple[int, int]] = []

    def randint(self, a: int, b: int, /) -> int:
        self.asked.append((a, b))
        return self.value


CONTEXT = FakeContext()


def worked(outcome: int) -> dict[str, Any]:
    case = call_center.assign_case(call_center.open_case({"inputCaseID": "001"}, CONTEXT), CONTEXT)
    return dict(call_center.work_on_case(case, CONTEXT, rng=FixedOutcome(outcome)))


def test_open_case() -> None:
    assert call_center.open_case({"inputCaseID": "001"}, CONTEXT) == {"Case": "001", "Message": "Case 001: opened..."}


def test_assign_case() -> None:
    opened = {"Case": "001", "Message": "Case 001: opened..."}
    assert call_center.assign_case(opened, CONTEXT) == {"Case": "001", "Message": "Case 001: opened...assigned..."}


def test_work_on_case_draws_0_or_1_like_the_tutorial() -> None:
    rng = FixedOutcome(1)
    call_center.work_on_case({"Case": "001", "Message": "m"}, CONTEXT, rng=rng)
    assert rng.asked == [(0, 1)]


def test_resolved_branch_closes_the_case() -> None:
    case = worked(1)
    assert case == {"Case": "001", "Status": 1, "Message": "Case 001: opened...assigned...resolved..."}
    assert call_center.close_case(case, CONTEXT) == {
        "Case": "001",
        "Status": 1,
        "Message": "Case 001: opened...assigned...resolved...closed.",
    }


def test_unresolved_branch_escalates_the_case() -> None:
    case = worked(0)
    assert case["Message"] == "Case 001: opened...assigned...unresolved..."
    assert call_center.escalate_case(case, CONTEXT) == {
        "Case": "001",
        "Status": 0,
        "Message": "Case 001: opened...assigned...unresolved...escalating.",
    }


def test_the_default_outcome_source_yields_both_outcomes() -> None:
    outcomes = {call_center.work_on_case({"Case": "1", "Message": "m"}, CONTEXT)["Status"] for _ in range(200)}
    assert outcomes == {0, 1}


def test_unknown_extra_keys_are_tolerated() -> None:
    opened = call_center.open_case({"inputCaseID": "7", "channel": "phone"}, CONTEXT)
    assert opened == {"Case": "7", "Message": "Case 7: opened..."}
    assert call_center.assign_case({**opened, "priority": "high"}, CONTEXT)["Case"] == "7"


@pytest.mark.parametrize(
    ("event", "message"),
    [
        ({}, "The event has no 'inputCaseID'"),
        ({"inputCaseID": ""}, "'inputCaseID' must be a non-empty string, got ''"),
        ({"inputCaseID": 1}, "'inputCaseID' must be a non-empty string, got 1"),
        ({"inputCaseID": None}, "'inputCaseID' must be a non-empty string, got None"),
        ([], "The event must be a JSON object, got list"),
        ("001", "The event must be a JSON object, got str"),
    ],
)
def test_bad_execution_input_is_an_invalid_case_input(event: object, message: str) -> None:
    with pytest.raises(InvalidCaseInput, match=message):
        call_center.open_case(event, CONTEXT)


GOOD_WORKED = {"Case": "001", "Status": 1, "Message": "m"}


@pytest.mark.parametrize(
    ("handler", "event", "message"),
    [
        (call_center.assign_case, {"Message": "m"}, "The event has no 'Case'"),
        (call_center.assign_case, {"Case": "001"}, "The event has no 'Message'"),
        (call_center.assign_case, {"Case": 1, "Message": "m"}, "'Case' must be a non-empty string, got 1"),
        (call_center.assign_case, None, "The event must be a JSON object, got NoneType"),
        (call_center.work_on_case, {"Case": "001", "Message": ["m"]}, "'Message' must be a non-empty string"),
        (call_center.close_case, {"Case": "001", "Message": "m"}, "The event has no 'Status'"),
        (call_center.close_case, {**GOOD_WORKED, "Status": "1"}, "'Status' must be 0 .* or 1 .*, got '1'"),
        (call_center.close_case, {**GOOD_WORKED, "Status": True}, "'Status' must be 0 .* or 1 .*, got True"),
        (call_center.escalate_case, {**GOOD_WORKED, "Status": 2}, "'Status' must be 0 .* or 1 .*, got 2"),
        (call_center.escalate_case, {**GOOD_WORKED, "Case": ""}, "'Case' must be a non-empty string"),
    ],
)
def test_malformed_case_records_are_named(handler: Any, event: object, message: str) -> None:
    with pytest.raises(MalformedCase, match=message):
        handler(event, CONTEXT)
