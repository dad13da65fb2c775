"""This project's own rules: valid ASL that the project still refuses (`project_problems`).

AWS accepts a definition without a top-level TimeoutSeconds, or a Lambda task without a
timeout or retries; this project does not, since each lets a stuck or throttled run hang or
fail for nothing. Every problem is marked `project_rule`, so that a user can tell it from
what AWS itself refuses (`asl_checks.py`).
"""

from __future__ import annotations

from collections.abc import Mapping

from workflows.asl_checks import Problem
from workflows.asl_language import EXPRESS_MAX_SECONDS, MAX_SECONDS, is_int
from workflows.model import read

# The errors AWS's Lambda documentation names as transient: a task invoking a function retries them.
TRANSIENT_LAMBDA_ERRORS = (
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException",
)


def _uncovered_transient_errors(retry: object) -> list[str]:
    """The transient Lambda errors that no retrier retries (the first retrier matching an error decides)."""
    retriers = [r for r in retry if isinstance(r, dict)] if isinstance(retry, list) else []
    uncovered = []
    for error in TRANSIENT_LAMBDA_ERRORS:
        for retrier in retriers:
            names = retrier.get("ErrorEquals")
            if isinstance(names, list) and (error in names or "States.ALL" in names):
                attempts = retrier.get("MaxAttempts", 3)
                if not (is_int(attempts) and attempts > 0):
                    uncovered.append(error)
                break
        else:
            uncovered.append(error)
    return uncovered


def project_problems(
    document: object, *, functions: Mapping[str, int] = {}, workflow_type: str = "STANDARD"
) -> list[Problem]:
    """Valid ASL that this project still refuses.

    `functions` maps a placeholder name to its Lambda function's timeout in
    seconds: a Task whose Resource (or FunctionName) is that `${Name}` is a
    Lambda task. Accepts any value and never raises.
    """
    problems: list[Problem] = []

    def add(where: str, message: str) -> None:
        problems.append(Problem(where, message, project_rule=True))

    timeout = document.get("TimeoutSeconds") if isinstance(document, dict) else None
    if not (is_int(timeout) and timeout > 0):
        add(
            "",
            "this project requires a top-level TimeoutSeconds: top-level TimeoutSeconds is missing or not a "
            "positive integer; without one a stuck execution runs for up to a year.",
        )
    elif workflow_type == "EXPRESS" and timeout > EXPRESS_MAX_SECONDS:
        add(
            "",
            f"this project requires an EXPRESS workflow's TimeoutSeconds to be at most {EXPRESS_MAX_SECONDS} "
            f"(an Express execution cannot run longer); got {timeout}.",
        )

    for state in read(document).states():
        where, task = state.where, state.fields
        call = state.lambda_call(functions)
        if call is None:
            continue
        function = call.function
        task_timeout = task.get("TimeoutSeconds")
        if "TimeoutSeconds" not in task and "TimeoutSecondsPath" not in task:
            add(
                where,
                "this project requires every Lambda task to set TimeoutSeconds; without it a hung invocation "
                f"holds the execution for up to {MAX_SECONDS} seconds.",
            )
        elif function is not None and is_int(task_timeout) and task_timeout <= functions[function]:
            add(
                where,
                f"this project requires a Lambda task's TimeoutSeconds to exceed its function's own timeout: "
                f"TimeoutSeconds is {task_timeout}, and ${{{function}}} may run for {functions[function]} s. "
                "Otherwise Step Functions gives up while the function still runs, and a retry can work the same "
                f"case twice; make it at least {functions[function] + 1}.",
            )
        uncovered = _uncovered_transient_errors(task.get("Retry"))
        if uncovered:
            add(
                where,
                "this project requires every Lambda task to retry the transient Lambda errors "
                f"({', '.join(TRANSIENT_LAMBDA_ERRORS)}) or States.ALL; not retried: {', '.join(uncovered)}.",
            )
    return problems
