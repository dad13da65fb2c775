"""Mocked responses for Task states, in AWS Step Functions Local's mock configuration format.

A file written for Step Functions Local works unchanged:

    {"StateMachines": {NAME: {"TestCases": {CASE: {STATE: RESPONSE}}}},
     "MockedResponses": {RESPONSE: {"0": {"Return": ...}, "1-2": {"Throw": {"Error": ..., "Cause": ...}}}}}

NAME is the workflow's catalogue name or its state machine's physical name. Each key of a
response is an attempt, or a range of attempts ("1-2"), counted from 0: the state's first try,
then each retry. A test case is checked against the workflow's definition before anything runs;
each mistake is one line (`MockConfigError`) naming it and what is allowed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from serverless_workflows.asl.model import Definition

_ATTEMPTS = re.compile(r"^(\d+)(?:-(\d+))?$")
TOP_LEVEL_KEYS = ("StateMachines", "MockedResponses")


class MockConfigError(ValueError):
    """A mock configuration that cannot be used as written."""


@dataclass(frozen=True)
class MockedAttempts:
    """What a state does on attempts `first` to `last`: return `result`, or throw `error`."""

    first: int
    last: int
    result: Any = None
    error: str | None = None
    cause: str = ""

    @property
    def throws(self) -> bool:
        return self.error is not None


@dataclass(frozen=True)
class TestCase:
    """One test case of one state machine: each mocked state's responses, attempt by attempt."""

    __test__ = False  # not a pytest test class

    workflow: str
    name: str
    states: Mapping[str, tuple[MockedAttempts, ...]]
    """State name (at any depth) -> its responses, in attempt order, covering 0 to the last."""
    responses: Mapping[str, str]
    """State name -> the name of its mocked response in the file."""

    def check_against(self, definition: Definition, functions: Collection[str] = frozenset()) -> None:
        """Refuse a state the definition does not have, or one that is not a Task (only a Task's
        call can be mocked), and a Lambda task's Return that is not an Invoke response (`functions`:
        the placeholders naming the workflow's functions)."""
        types = {state.name: state.type for state in definition.states()}
        tasks = sorted(name for name, kind in types.items() if kind == "Task")
        invokes = {state.name for state in definition.tasks() if state.lambda_call(functions) is not None}
        for state, attempts in self.states.items():
            if state not in types:
                raise MockConfigError(
                    f"test case {self.name!r} mocks state {state!r}, which workflow {self.workflow!r} does not "
                    f"have; its Task states: {', '.join(tasks) or 'none'}"
                )
            if types[state] != "Task":
                raise MockConfigError(
                    f"test case {self.name!r} mocks state {state!r}, a {types[state]} state; only Task states "
                    f"can be mocked ({', '.join(tasks) or 'none'})"
                )
            for attempt in attempts:
                if state in invokes and not attempt.throws and not _invoke_response(attempt.result):
                    raise MockConfigError(
                        f"mocked response {self.responses[state]!r} returns {json.dumps(attempt.result)[:60]} for "
                        f"state {state!r}, which invokes Lambda: return the Invoke response, "
                        '{"StatusCode": 200, "Payload": ...}, as Step Functions Local takes it'
                    )


def _invoke_response(result: Any) -> bool:
    return isinstance(result, dict) and "Payload" in result


@dataclass(frozen=True)
class MockConfig:
    source: str
    """What the configuration was read from, for messages."""
    document: Mapping[str, Any]

    def test_case(self, names: Iterable[str], case: str) -> TestCase:
        """The test case `case` of the first state machine of `names` (the catalogue name, the physical
        name) the configuration has."""
        names = list(names)
        machines: Mapping[str, Any] = self.document.get("StateMachines", {})
        found = next((name for name in names if name in machines), None)
        if found is None:
            raise MockConfigError(
                f"{self.source}: StateMachines has no {' or '.join(repr(n) for n in names)}; "
                f"it has {', '.join(repr(n) for n in machines) or 'none'}"
            )
        machine = machines[found]
        cases = machine.get("TestCases") if isinstance(machine, dict) else None
        if not isinstance(cases, dict):
            raise MockConfigError(f"{self.source}: StateMachines.{found} must be an object with TestCases")
        if case not in cases:
            raise MockConfigError(
                f"{self.source}: state machine {found!r} has no test case {case!r}; "
                f"its test cases: {', '.join(map(repr, cases)) or 'none'}"
            )
        mapping = cases[case]
        if not isinstance(mapping, dict) or not all(isinstance(v, str) for v in mapping.values()):
            raise MockConfigError(
                f"{self.source}: test case {case!r} must map each state's name to the name of a mocked response"
            )
        states = {state: self._responses(response, case) for state, response in mapping.items()}
        return TestCase(names[0], case, states, dict(mapping))

    def _responses(self, name: str, case: str) -> tuple[MockedAttempts, ...]:
        defined: Mapping[str, Any] = self.document.get("MockedResponses", {})
        if name not in defined:
            raise MockConfigError(
                f"{self.source}: test case {case!r} uses mocked response {name!r}, which MockedResponses does not "
                f"define; it defines {', '.join(map(repr, defined)) or 'none'}"
            )
        attempts = defined[name]
        where = f"{self.source}: mocked response {name!r}"
        if not isinstance(attempts, dict) or not attempts:
            raise MockConfigError(f'{where} must be an object of attempts, such as {{"0": {{"Return": {{}}}}}}')
        parsed = sorted((_attempt(where, key, value) for key, value in attempts.items()), key=lambda a: a.first)
        expected = 0
        for attempt in parsed:
            if attempt.first != expected:
                raise MockConfigError(
                    f"{where}: attempts must follow each other from 0 without a gap or an overlap; "
                    + (
                        f"attempt {expected} is missing"
                        if attempt.first > expected
                        else f"attempt {attempt.first} is given twice"
                    )
                )
            expected = attempt.last + 1
        return tuple(parsed)


def _attempt(where: str, key: Any, value: Any) -> MockedAttempts:
    matched = _ATTEMPTS.match(key) if isinstance(key, str) else None
    first = int(matched[1]) if matched else 0
    last = int(matched[2]) if matched and matched[2] is not None else first
    if matched is None or last < first:
        raise MockConfigError(
            f'{where}: {key!r} is not an attempt or a range of attempts; write "N" or "N-M" with N <= M (from 0)'
        )
    if not isinstance(value, dict) or len(value) != 1 or next(iter(value)) not in ("Return", "Throw"):
        raise MockConfigError(f'{where}: attempt {key!r} must hold exactly one of "Return" or "Throw"')
    if "Return" in value:
        return MockedAttempts(first, last, result=value["Return"])
    thrown = value["Throw"]
    if not isinstance(thrown, dict) or not isinstance(thrown.get("Error"), str) or not thrown["Error"]:
        raise MockConfigError(f'{where}: attempt {key!r} throws without an "Error" name')
    cause = thrown.get("Cause", "")
    if not isinstance(cause, str):
        raise MockConfigError(f'{where}: attempt {key!r}: "Cause" must be a string')
    unknown = sorted(set(thrown) - {"Error", "Cause"})
    if unknown:
        listed = ", ".join(unknown)
        raise MockConfigError(f'{where}: attempt {key!r}: Throw takes "Error" and "Cause", not {listed}')
    return MockedAttempts(first, last, error=thrown["Error"], cause=cause)


def load(source: str | Path | Mapping[str, Any]) -> MockConfig:
    """A mock configuration from a file or from its parsed JSON."""
    if isinstance(source, Mapping):
        document: Any = source
        name = "the mock config"
    else:
        name = f"mock config {source}"
        try:
            document = json.loads(Path(source).read_text(encoding="utf-8"))
        except OSError as error:
            raise MockConfigError(f"{name}: cannot be read ({error.strerror or error})") from None
        except ValueError as error:
            raise MockConfigError(f"{name}: not JSON ({error})") from None
    if not isinstance(document, Mapping):
        raise MockConfigError(f"{name}: must be a JSON object with {' and '.join(TOP_LEVEL_KEYS)}")
    unknown = sorted(set(document) - set(TOP_LEVEL_KEYS))
    if unknown:
        raise MockConfigError(f"{name}: unknown key(s) {', '.join(unknown)}; it has {' and '.join(TOP_LEVEL_KEYS)}")
    for key in TOP_LEVEL_KEYS:
        if not isinstance(document.get(key, {}), Mapping):
            raise MockConfigError(f"{name}: {key} must be an object")
    return MockConfig(name, document)
