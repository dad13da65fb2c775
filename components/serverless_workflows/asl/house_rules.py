"""This project's own rules: valid ASL that the project refuses, warns about or lets be (`project_problems`).

AWS accepts a definition without a top-level TimeoutSeconds, a Lambda task without a timeout
or retries, and a task that waits for a job or a callback with neither a timeout nor a
heartbeat; each lets a stuck or throttled run hang or fail for nothing. `HOUSE_RULES` names
each rule once: the validator, the stack settings, the catalogue's checks, the policy pack
(through its pinned copy) and the docs read that table.

Each rule has an enforcement level: mandatory (the definition is refused), advisory (a
warning naming the rule; the deployment goes on) or disabled (not checked). A level never
touches what AWS itself refuses (`asl_checks.py`): those are no house rules. Every problem
is marked `project_rule` and carries its rule's name, so that a user can tell it from what
AWS refuses, and knows which level to set.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from serverless_workflows.asl.asl_checks import Problem
from serverless_workflows.asl.asl_language import EXPRESS_MAX_SECONDS, MAX_SECONDS, is_int
from serverless_workflows.asl.model import read

MANDATORY, ADVISORY, DISABLED = "mandatory", "advisory", "disabled"
LEVELS = (MANDATORY, ADVISORY, DISABLED)
"""What an enforcement level may be: refuse, warn, or skip."""


@dataclass(frozen=True)
class HouseRule:
    name: str
    """Stable: stack config (`houseRules.<name>`), catalogue entries (`house_rules`) and the policy pack use it."""
    description: str
    default: str = MANDATORY


TOP_LEVEL_TIMEOUT = "top-level-timeout"
LAMBDA_TASK_TIMEOUT = "lambda-task-timeout"
LAMBDA_TASK_RETRIES = "lambda-task-retries"
CALLBACK_TASK_TIMEOUT = "callback-task-timeout"

HOUSE_RULES: tuple[HouseRule, ...] = (
    HouseRule(
        TOP_LEVEL_TIMEOUT,
        "The state machine sets a top-level TimeoutSeconds (at most 300 for an Express workflow).",
    ),
    HouseRule(
        LAMBDA_TASK_TIMEOUT,
        "Every Lambda task sets TimeoutSeconds (or TimeoutSecondsPath), above its function's own timeout.",
    ),
    HouseRule(
        LAMBDA_TASK_RETRIES,
        "Every Lambda task retries the transient Lambda errors (or States.ALL).",
    ),
    HouseRule(
        CALLBACK_TASK_TIMEOUT,
        "Every .sync or .waitForTaskToken task sets TimeoutSeconds or HeartbeatSeconds (or a Path form).",
    ),
)
RULE_NAMES = tuple(rule.name for rule in HOUSE_RULES)
DEFAULT_LEVELS: Mapping[str, str] = {rule.name: rule.default for rule in HOUSE_RULES}

# The errors AWS's Lambda documentation names as transient: a task invoking a function retries them.
TRANSIENT_LAMBDA_ERRORS = (
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException",
)
# The integration patterns that wait for something outside the execution: a job, or a callback.
WAITING_PATTERNS = (".sync", ".sync:2", ".waitForTaskToken")
# A waiting task is bounded by either; the Path forms set them from the input.
WAIT_BOUNDS = ("TimeoutSeconds", "TimeoutSecondsPath", "HeartbeatSeconds", "HeartbeatSecondsPath")


def level_problems(levels: object) -> list[str]:
    """What is wrong with `levels`, a mapping of rule name -> level, in words that name what is allowed."""
    if not isinstance(levels, Mapping):
        return [f"the house rule levels must map rule names to levels; got {type(levels).__name__}"]
    problems = []
    for name, level in levels.items():
        if name not in RULE_NAMES:
            problems.append(f"{name!r} is no house rule; the rules are {', '.join(RULE_NAMES)}")
        elif level not in LEVELS:
            problems.append(f"house rule {name} has level {level!r}; a level is one of {', '.join(LEVELS)}")
    return problems


def combined(*layers: Mapping[str, str]) -> dict[str, str]:
    """Every rule's level: its default, overridden by each of `layers` in turn (the last wins)."""
    levels = dict(DEFAULT_LEVELS)
    for layer in layers:
        levels.update(layer)
    return levels


def refused_rules(problems: Iterable[Problem]) -> list[str]:
    """The house rules that refused among `problems`, each once, in the table's order."""
    refused = {problem.rule for problem in problems if problem.project_rule and not problem.warning}
    return [name for name in RULE_NAMES if name in refused]


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
    document: object,
    *,
    functions: Mapping[str, int] = {},
    workflow_type: str = "STANDARD",
    levels: Mapping[str, str] = DEFAULT_LEVELS,
) -> list[Problem]:
    """Valid ASL that breaks this project's rules: refusals of the mandatory rules, warnings of
    the advisory ones, nothing of the disabled ones (a rule `levels` leaves out has its default).

    `functions` maps a placeholder name to its Lambda function's timeout in
    seconds: a Task whose Resource (or FunctionName) is that `${Name}` is a
    Lambda task. Accepts any document and never raises; `levels` must pass `level_problems`.
    """
    problems: list[Problem] = []
    chosen = combined(levels)

    def add(rule: str, where: str, message: str) -> None:
        level = chosen[rule]
        if level != DISABLED:
            problems.append(Problem(where, message, project_rule=True, rule=rule, warning=level == ADVISORY))

    timeout = document.get("TimeoutSeconds") if isinstance(document, dict) else None
    if not (is_int(timeout) and timeout > 0):
        add(
            TOP_LEVEL_TIMEOUT,
            "",
            "this project requires a top-level TimeoutSeconds: top-level TimeoutSeconds is missing or not a "
            "positive integer; without one a stuck execution runs for up to a year.",
        )
    elif workflow_type == "EXPRESS" and timeout > EXPRESS_MAX_SECONDS:
        add(
            TOP_LEVEL_TIMEOUT,
            "",
            f"this project requires an EXPRESS workflow's TimeoutSeconds to be at most {EXPRESS_MAX_SECONDS} "
            f"(an Express execution cannot run longer); got {timeout}.",
        )

    for state in read(document).states():
        where, task = state.where, state.fields
        call = state.call
        if call is not None and call.pattern in WAITING_PATTERNS and not any(key in task for key in WAIT_BOUNDS):
            add(
                CALLBACK_TASK_TIMEOUT,
                where,
                f"this project requires a task that waits ({call.pattern}) to set TimeoutSeconds or "
                "HeartbeatSeconds (or a Path form); without either it waits for up to a year for a job or a "
                "callback that may never come.",
            )
        lambda_call = state.lambda_call(functions)
        if lambda_call is None:
            continue
        function = lambda_call.function
        task_timeout = task.get("TimeoutSeconds")
        if "TimeoutSeconds" not in task and "TimeoutSecondsPath" not in task:
            add(
                LAMBDA_TASK_TIMEOUT,
                where,
                "this project requires every Lambda task to set TimeoutSeconds; without it a hung invocation "
                f"holds the execution for up to {MAX_SECONDS} seconds.",
            )
        elif function is not None and is_int(task_timeout) and task_timeout <= functions[function]:
            add(
                LAMBDA_TASK_TIMEOUT,
                where,
                f"this project requires a Lambda task's TimeoutSeconds to exceed its function's own timeout: "
                f"TimeoutSeconds is {task_timeout}, and ${{{function}}} may run for {functions[function]} s. "
                "Otherwise Step Functions gives up while the function still runs, and a retry can work the same "
                f"case twice; make it at least {functions[function] + 1}.",
            )
        uncovered = _uncovered_transient_errors(task.get("Retry"))
        if uncovered:
            add(
                LAMBDA_TASK_RETRIES,
                where,
                "this project requires every Lambda task to retry the transient Lambda errors "
                f"({', '.join(TRANSIENT_LAMBDA_ERRORS)}) or States.ALL; not retried: {', '.join(uncovered)}.",
            )
    return problems
