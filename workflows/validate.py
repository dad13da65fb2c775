"""Static checks of an ASL definition, run before any resource is declared.

`pulumi preview` does not know the Lambda ARNs yet, so the checks work on the
definition file and the *names* of the values that will fill its placeholders.
Every problem found is reported at once, each naming the file, the state and
the rule, and saying how to fix it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from workflows.definition import DefinitionError, WorkflowDefinition

STATE_TYPES = ("Task", "Pass", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map")
# States that end the execution by themselves; the others need Next or End (Choice needs neither).
TERMINAL_TYPES = ("Succeed", "Fail")
COMPARISONS = (
    "StringEquals", "StringEqualsPath", "StringLessThan", "StringLessThanPath", "StringGreaterThan",
    "StringGreaterThanPath", "StringLessThanEquals", "StringLessThanEqualsPath", "StringGreaterThanEquals",
    "StringGreaterThanEqualsPath", "StringMatches", "NumericEquals", "NumericEqualsPath", "NumericLessThan",
    "NumericLessThanPath", "NumericGreaterThan", "NumericGreaterThanPath", "NumericLessThanEquals",
    "NumericLessThanEqualsPath", "NumericGreaterThanEquals", "NumericGreaterThanEqualsPath", "BooleanEquals",
    "BooleanEqualsPath", "TimestampEquals", "TimestampEqualsPath", "TimestampLessThan", "TimestampLessThanPath",
    "TimestampGreaterThan", "TimestampGreaterThanPath", "TimestampLessThanEquals", "TimestampLessThanEqualsPath",
    "TimestampGreaterThanEquals", "TimestampGreaterThanEqualsPath", "IsNull", "IsPresent", "IsNumeric",
    "IsString", "IsBoolean", "IsTimestamp",
)  # fmt: skip


def validate(
    definition: WorkflowDefinition,
    supplied: Iterable[str] = (),
    *,
    functions: Mapping[str, int] | None = None,
    workflow_type: str = "STANDARD",
) -> None:
    """Raise DefinitionError listing every problem in `definition`, with
    `supplied` the placeholder names that will be given values."""
    problems = list(_problems(definition.document))
    try:
        definition.check_values(frozenset(supplied))
    except DefinitionError as error:
        problems.append(str(error).removeprefix(f"{definition.path}: "))
    if problems:
        listed = "\n".join(f"  - {problem}" for problem in problems)
        raise DefinitionError(f"{definition.path}: {len(problems)} problem(s) in the definition:\n{listed}")


def _problems(document: dict[str, Any]) -> Iterator[str]:
    states: dict[str, Any] = document["States"]
    names = sorted(states)
    known = f"the states are {', '.join(repr(n) for n in names)}" if names else "there are no states"
    start = document.get("StartAt")
    if start not in states:
        yield f"StartAt is {start!r}, which is not a state; {known}."

    timeout = document.get("TimeoutSeconds")
    if not isinstance(timeout, int) or isinstance(timeout, bool) or timeout <= 0:
        yield (
            "top-level TimeoutSeconds is missing or not a positive integer; "
            "without one a stuck execution runs for up to a year."
        )

    edges: dict[str, set[str]] = {}
    for name, state in states.items():
        if not isinstance(state, dict):
            yield f"state {name!r} is not a JSON object."
            continue
        targets: set[str] = set()
        for problem, target in _state_problems(name, state, states, known):
            if problem:
                yield problem
            if target is not None:
                targets.add(target)
        edges[name] = targets

    if isinstance(start, str) and start in states:
        reachable = _reachable(start, edges)
        for name in names:
            if name not in reachable:
                yield f"state {name!r} cannot be reached from StartAt {start!r}; link to it with Next, or remove it."
    if not any(_is_terminal(state) for state in states.values() if isinstance(state, dict)):
        yield 'no state ends the execution; give one state "End": true, or add a Succeed or Fail state.'


def _is_terminal(state: dict[str, Any]) -> bool:
    return state.get("Type") in TERMINAL_TYPES or state.get("End") is True


def _state_problems(
    name: str, state: dict[str, Any], states: dict[str, Any], known: str
) -> Iterator[tuple[str | None, str | None]]:
    """(problem, transition target) pairs; either may be None."""
    kind = state.get("Type")
    where = f"state {name!r}"
    if kind not in STATE_TYPES:
        yield f"{where}: Type {kind!r} is not one of {', '.join(STATE_TYPES)}.", None
        return

    def target(field: str, value: Any) -> Iterator[tuple[str | None, str | None]]:
        if value in states:
            yield None, value
        else:
            yield f"{where}: {field} names {value!r}, which is not a state; {known}.", None

    if "Next" in state and state.get("End") is True:
        yield f"{where} has both Next and End; keep Next to continue, or End to stop here.", None
    if kind == "Choice":
        if "Next" in state or "End" in state:
            yield f"{where}: a Choice state takes neither Next nor End; put transitions in Choices and Default.", None
        yield from _choice_problems(where, state, target)
        if "Default" in state:
            yield from target("Default", state["Default"])
    elif kind in TERMINAL_TYPES:
        if "Next" in state or "End" in state:
            yield f"{where}: a {kind} state ends the execution; remove Next and End.", None
    elif "Next" in state:
        yield from target("Next", state["Next"])
    elif state.get("End") is not True:
        yield f'{where} has neither Next nor "End": true; say where the execution goes after it.', None

    for field in ("Retry", "Catch"):
        if field in state:
            yield from _error_handler_problems(where, field, state[field], target)


def _choice_problems(where: str, state: dict[str, Any], target: Any) -> Iterator[tuple[str | None, str | None]]:
    choices = state.get("Choices")
    if not isinstance(choices, list) or not choices:
        yield f"{where}: Choices must be a non-empty list of rules.", None
        return
    for number, rule in enumerate(choices, start=1):
        label = f"{where}: Choices rule {number}"
        if not isinstance(rule, dict):
            yield f"{label} is not a JSON object.", None
            continue
        if "Next" not in rule:
            yield f"{label} has no Next; every top-level rule names the state it leads to.", None
        else:
            yield from target(f"Choices rule {number} Next", rule["Next"])
        yield from ((f"{label}: {p}", None) for p in _rule_problems(rule))


def _rule_problems(rule: dict[str, Any]) -> Iterator[str]:
    combinators = [key for key in ("And", "Or", "Not") if key in rule]
    comparisons = [key for key in COMPARISONS if key in rule]
    if len(combinators) + len(comparisons) != 1:
        found = ", ".join(combinators + comparisons) or "none"
        yield f"needs exactly one comparison (e.g. NumericEquals) or one of And, Or, Not; found {found}."
        return
    if comparisons:
        variable = rule.get("Variable")
        if not isinstance(variable, str) or not variable.startswith("$"):
            yield f"a {comparisons[0]} rule needs a Variable that is a path starting with '$', got {variable!r}."
        return
    (combinator,) = combinators
    inner = rule[combinator]
    nested = [inner] if combinator == "Not" else inner
    if combinator == "Not" and not isinstance(inner, dict):
        yield "Not takes one rule object."
        return
    if combinator != "Not" and (not isinstance(inner, list) or not inner):
        yield f"{combinator} takes a non-empty list of rules."
        return
    for sub_rule in nested:
        if isinstance(sub_rule, dict):
            if "Next" in sub_rule:
                yield f"a rule inside {combinator} must not have Next; only the top-level rule does."
            yield from _rule_problems(sub_rule)
        else:
            yield f"{combinator} holds something that is not a rule object."


def _error_handler_problems(
    where: str, field: str, handlers: Any, target: Any
) -> Iterator[tuple[str | None, str | None]]:
    if not isinstance(handlers, list) or not handlers:
        yield f"{where}: {field} must be a non-empty list.", None
        return
    for number, handler in enumerate(handlers, start=1):
        label = f"{where}: {field} entry {number}"
        if not isinstance(handler, dict):
            yield f"{label} is not a JSON object.", None
            continue
        errors = handler.get("ErrorEquals")
        if not isinstance(errors, list) or not errors or not all(isinstance(e, str) and e for e in errors):
            yield f"{label}: ErrorEquals must be a non-empty list of error names.", None
        elif "States.ALL" in errors:
            if len(errors) != 1:
                yield f"{label}: States.ALL must appear alone in ErrorEquals.", None
            if number != len(handlers):
                yield f"{label}: the States.ALL entry must be the last in {field}.", None
        if field == "Catch":
            if "Next" not in handler:
                yield f"{label} has no Next; say which state handles the error.", None
            else:
                yield from target(f"{field} entry {number} Next", handler["Next"])
        else:
            yield from ((f"{label}: {p}", None) for p in _retrier_problems(handler))


def _retrier_problems(retrier: dict[str, Any]) -> Iterator[str]:
    def integer(value: Any) -> bool:
        return isinstance(value, int) and not isinstance(value, bool)

    if "IntervalSeconds" in retrier and not (integer(retrier["IntervalSeconds"]) and retrier["IntervalSeconds"] >= 1):
        yield f"IntervalSeconds must be a whole number of at least 1, got {retrier['IntervalSeconds']!r}."
    if "MaxAttempts" in retrier and not (integer(retrier["MaxAttempts"]) and retrier["MaxAttempts"] >= 0):
        yield f"MaxAttempts must be a whole number of at least 0, got {retrier['MaxAttempts']!r}."
    rate = retrier.get("BackoffRate", 2.0)
    if isinstance(rate, bool) or not isinstance(rate, (int, float)) or rate < 1:
        yield f"BackoffRate must be a number of at least 1.0, got {rate!r}."
    if "MaxDelaySeconds" in retrier and not (integer(retrier["MaxDelaySeconds"]) and retrier["MaxDelaySeconds"] >= 1):
        yield f"MaxDelaySeconds must be a whole number of at least 1, got {retrier['MaxDelaySeconds']!r}."
    if retrier.get("JitterStrategy", "NONE") not in ("FULL", "NONE"):
        yield f"JitterStrategy must be FULL or NONE, got {retrier['JitterStrategy']!r}."


def _reachable(start: str, edges: dict[str, set[str]]) -> set[str]:
    seen = {start}
    frontier = [start]
    while frontier:
        for following in edges.get(frontier.pop(), ()):
            if following not in seen:
                seen.add(following)
                frontier.append(following)
    return seen
