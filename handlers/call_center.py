"""Lambda entry points of the call-center workflow, one per function.

Each is a thin adapter from Lambda's (event, context) to a step in `case`.
An exception raised here reaches Step Functions as an error named after its
class (`InvalidCaseInput`, `MalformedCase`), which the state machine can route.
"""

from __future__ import annotations

from handlers import case


def open_case(event: object, context: object) -> case.OpenedCase:
    """OpenCaseFunction"""
    return case.open_case(event)


def assign_case(event: object, context: object) -> case.OpenedCase:
    """AssignCaseFunction"""
    return case.assign_case(event)


def work_on_case(event: object, context: object, rng: case.Randomness = case.DEFAULT_RANDOMNESS) -> case.WorkedCase:
    """WorkOnCaseFunction; `rng` is for tests, Lambda passes only event and context."""
    return case.work_on_case(event, rng)


def close_case(event: object, context: object) -> case.WorkedCase:
    """CloseCaseFunction"""
    return case.close_case(event)


def escalate_case(event: object, context: object) -> case.WorkedCase:
    """EscalateCaseFunction"""
    return case.escalate_case(event)
