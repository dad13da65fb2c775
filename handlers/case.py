"""The support case that the call-center workflow passes from function to function.

Each step is a plain function from the previous step's output to its own.
The Lambda handlers in the sibling modules only adapt these to Lambda's
signature. Input is checked before use: a bad event raises an exception
whose class name Step Functions reports as the error name, so a workflow
can route it and a person can read it.
"""

from __future__ import annotations

# `typing` costs more to import than all of this package: the types exist for
# the type checker only (mypy honours a module-level TYPE_CHECKING of its own).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Protocol, TypedDict

    class OpenedCase(TypedDict):
        Case: str
        Message: str

    class WorkedCase(TypedDict):
        Case: str
        Status: int
        Message: str

    class Randomness(Protocol):
        """What WorkOnCase draws its outcome from; the `random` module fits."""

        def randint(self, a: int, b: int, /) -> int: ...


class InvalidCaseInput(ValueError):
    """The execution input cannot open a case (Open Case step)."""


class MalformedCase(ValueError):
    """A case record handed between steps lacks a field or has the wrong type."""


RESOLVED, UNRESOLVED = 1, 0


def _require_object(event: object, error: type[ValueError]) -> dict[str, object]:
    if not isinstance(event, dict):
        raise error(f"The event must be a JSON object, got {type(event).__name__}.")
    return event


def _require_text(event: dict[str, object], key: str, error: type[ValueError]) -> str:
    if key not in event:
        raise error(f"The event has no {key!r}; expected a non-empty string.")
    value = event[key]
    if not isinstance(value, str) or not value:
        raise error(f"{key!r} must be a non-empty string, got {value!r}.")
    return value


def _require_status(record: dict[str, object]) -> int:
    if "Status" not in record:
        raise MalformedCase("The event has no 'Status'; expected 0 (unresolved) or 1 (resolved).")
    status = record["Status"]
    # bool is an int in Python, but true is not a status.
    if isinstance(status, bool) or not isinstance(status, int) or status not in (RESOLVED, UNRESOLVED):
        raise MalformedCase(f"'Status' must be 0 (unresolved) or 1 (resolved), got {status!r}.")
    return status


def _opened(event: object) -> OpenedCase:
    record = _require_object(event, MalformedCase)
    return {
        "Case": _require_text(record, "Case", MalformedCase),
        "Message": _require_text(record, "Message", MalformedCase),
    }


def _worked(event: object) -> WorkedCase:
    record = _require_object(event, MalformedCase)
    return {
        "Case": _require_text(record, "Case", MalformedCase),
        "Status": _require_status(record),
        "Message": _require_text(record, "Message", MalformedCase),
    }


def open_case(event: object) -> OpenedCase:
    """Open a support case, using the execution input's `inputCaseID` as its ID."""
    case_id = _require_text(_require_object(event, InvalidCaseInput), "inputCaseID", InvalidCaseInput)
    return {"Case": case_id, "Message": f"Case {case_id}: opened..."}


def assign_case(event: object) -> OpenedCase:
    case = _opened(event)
    return {"Case": case["Case"], "Message": case["Message"] + "assigned..."}


def work_on_case(event: object, rng: Randomness) -> WorkedCase:
    """Work on the case; as in the tutorial, it is resolved half of the time."""
    case = _opened(event)
    status = rng.randint(UNRESOLVED, RESOLVED)
    outcome = "resolved..." if status == RESOLVED else "unresolved..."
    return {"Case": case["Case"], "Status": status, "Message": case["Message"] + outcome}


def close_case(event: object) -> WorkedCase:
    case = _worked(event)
    return {**case, "Message": case["Message"] + "closed."}


def escalate_case(event: object) -> WorkedCase:
    case = _worked(event)
    return {**case, "Message": case["Message"] + "escalating."}


# The outcome source in Lambda: the module-level generator of `random`, which a rehearsal
# seeds (`random.seed`) to make a run repeatable. It is imported on the first draw, since
# only WorkOnCase draws and importing `random` costs more than the rest of this package.
class _ModuleRandom:
    def randint(self, a: int, b: int, /) -> int:
        import random  # noqa: PLC0415

        return random.randint(a, b)


DEFAULT_RANDOMNESS: Randomness = _ModuleRandom()
