"""What AWS Step Functions itself would refuse in a definition (`asl_problems`), and warnings of
the rules of the language that AWS's documentation does not say it enforces (`asl_warnings`;
each such rule decided, with its source, in tests/fixtures/asl/decisions.md).

At every depth (Parallel branches, Map item processors), for both query languages (JSONPath
and JSONata), and for the workflow type (EXPRESS refuses some things STANDARD accepts). The
rules follow the Amazon States Language as AWS documents it; its tables are in
`asl_language.py`. This checker reads the raw JSON, so that it can say what is malformed;
every problem names where it is (`state 'Fan out' > branch 2 > state 'Count'`), what is
wrong and what is allowed. It accepts any value and never raises.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from serverless_workflows.asl import model, paths
from serverless_workflows.asl.asl_language import (
    ACTIVITY,
    ALLOWED_FIELDS,
    CATCHER_FIELDS,
    COMBINATORS,
    COMPARISONS,
    DISTRIBUTED_ONLY,
    ENUMS,
    FLOW_FIELDS,
    HTTP_STATUS_ERROR,
    INTRINSIC,
    ITEM_BATCHER_FIELDS,
    ITEM_READER_FIELDS,
    ITEM_READER_S3_NAMES,
    JSONATA_ONLY,
    JSONATA_STATES_REFUSE,
    JSONPATH_ONLY,
    KNOWN_STATES_ERRORS,
    LABEL_FORBIDDEN,
    MACHINE_FIELDS,
    MAX_MAP_LABEL_LENGTH,
    MAX_NESTING,
    MAX_RETRY_DELAY_SECONDS,
    MAX_SECONDS,
    MAX_STATE_NAME_LENGTH,
    MAX_VARIABLE_NAME_LENGTH,
    PATH_FORMS,
    QUERY_LANGUAGES,
    READER_CONFIG_FIELDS,
    REFERENCE_PATH_FIELDS,
    REQUIRED_FIELDS,
    RESULT_WRITER_FIELDS,
    RESULT_WRITER_S3_NAMES,
    RETRIER_FIELDS,
    STATE_TYPES,
    SYNC_OR_CALLBACK,
    TIMESTAMP,
    WORKFLOW_TYPES,
    WRITER_CONFIG_FIELDS,
    is_arn_or_placeholder,
    is_int,
    is_jsonata,
    is_number,
    is_path,
)
from serverless_workflows.asl.model import Machine


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a definition."""

    where: str
    """The path to the state or sub-machine, e.g. "state 'Fan out' > branch 2 > state 'Count'"; "" for the top."""
    message: str
    """What is wrong and what is allowed."""
    project_rule: bool = False
    """True when the definition is valid ASL but breaks one of this project's rules."""
    rule: str = ""
    """The project rule's name (`house_rules.HOUSE_RULES`); "" for an ASL problem."""
    warning: bool = False
    """True when it does not stop the deployment: an advisory project rule, or an ASL check
    beyond what AWS's documentation says the service refuses (tests/fixtures/asl/decisions.md)."""

    def __str__(self) -> str:
        text = f"{self.where}: {self.message}" if self.where else self.message
        if self.project_rule:
            return f"project rule {self.rule} (advisory): {text}" if self.warning else f"project rule: {text}"
        return text


class Warned(str):
    """A problem's text that is a warning, not a refusal: a rule beyond what AWS's documentation
    says Step Functions refuses (each decided in tests/fixtures/asl/decisions.md)."""


def _marked(problem: str, text: str) -> str:
    """`text`, a warning if `problem` (which it quotes) is one."""
    return Warned(text) if isinstance(problem, Warned) else text


KIND_WORDS = {
    "string": "a string",
    "number": "a number",
    "boolean": "true or false",
    "timestamp": "a timestamp such as '2026-01-31T09:00:00Z'",
    "path": "a path starting with '$'",
}


# --------------------------------------------------------------------- messages


def _describe(value: object) -> str:
    """How a wrong value reads in a message: its JSON type, and the value when short."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return "an object" if isinstance(value, dict) else "a list"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _comment_problem(holder: Mapping[str, object]) -> str | None:
    """What is wrong with the Comment of a machine, state, retrier, catcher or Choice rule, if anything."""
    if "Comment" in holder and not isinstance(holder["Comment"], str):
        return f"Comment must be a string, got {_describe(holder['Comment'])}."
    return None


def _names(values: Iterable[object]) -> str:
    return ", ".join(sorted(str(v) for v in values))


# ------------------------------------------------------------- the ASL checks


@dataclass(frozen=True)
class _Language:
    """The query language a (sub-)machine's states use unless they say otherwise, and the kind
    of machine that set it (top, branch or processor), for a message that says where to change it."""

    name: str
    set_by: str = "top"


@dataclass
class _Scope:
    """What a state's checks need to know about the (sub-)machine around it."""

    where: str
    states: dict[str, Any]
    language: _Language
    execution_type: str
    kind: str
    depth: int
    targets: dict[str, set[str]] = field(default_factory=dict)

    def state_where(self, name: str) -> str:
        label = f"state {name!r}"
        return f"{self.where} > {label}" if self.where else label

    def known(self) -> str:
        names = sorted(str(name) for name in self.states)
        if not names:
            return "there are no states"
        here = "" if self.kind == "top" else " here"
        return f"the states{here} are {', '.join(repr(n) for n in names)}"


class _Checker:
    def __init__(self, workflow_type: str) -> None:
        self.problems: list[Problem] = []
        self.workflow_type = workflow_type
        # State name -> where it was first seen: names are unique in the whole state machine.
        self.seen_names: dict[str, str] = {}
        self.all_names: set[str] = set()
        self.machines: dict[str, Machine] = {}

    def add(self, where: str, message: str) -> None:
        self.problems.append(Problem(where, str(message), warning=isinstance(message, Warned)))

    def warn(self, where: str, message: str) -> None:
        self.problems.append(Problem(where, message, warning=True))

    # ------------------------------------------------------------ machines

    def document(self, document: object) -> None:
        if not isinstance(document, dict):
            self.add("", f"a definition is a JSON object with StartAt and States; got {_describe(document)}.")
            return
        # The structure as every tool reads it: names at every depth, each machine's ends.
        self.model = model.read(document)
        self.all_names = set(self.model.state_names)
        self.machines = {machine.where: machine for machine in self.model.machines()}
        language = document.get("QueryLanguage", "JSONPath")
        if language not in QUERY_LANGUAGES:
            self.add("", f"QueryLanguage must be JSONPath or JSONata, got {_describe(language)}.")
            language = "JSONPath"
        if "Version" in document and document["Version"] != "1.0":
            self.add("", f'Version must be "1.0", got {_describe(document["Version"])}.')
        if "TimeoutSeconds" in document:
            timeout = document["TimeoutSeconds"]
            if not (is_int(timeout) and 0 <= timeout <= MAX_SECONDS):
                self.add(
                    "",
                    f"TimeoutSeconds must be a whole number of seconds up to {MAX_SECONDS}, got {_describe(timeout)}.",
                )
        self.machine(document, "", kind="top", language=_Language(language), execution=self.workflow_type, depth=0)

    def machine(
        self, machine: object, where: str, *, kind: str, language: _Language, execution: str, depth: int
    ) -> None:
        """Check a state machine, a Parallel branch or a Map item processor, and every state in it."""
        if not isinstance(machine, dict):
            label = where or "the definition"
            self.add(where, f"{label} must be a JSON object with StartAt and States; got {_describe(machine)}.")
            return
        if depth > MAX_NESTING:
            self.add(where, f"states are nested more than {MAX_NESTING} levels deep.")
            return
        language = self._machine_fields(machine, where, kind, language)
        states = machine.get("States")
        if not isinstance(states, dict):
            what = "is missing" if states is None else f"must be an object of named states, got {_describe(states)}"
            self.add(where, f"States {what}.")
            states = {}
        elif not states:
            self.add(where, "States is empty; a state machine needs at least one state.")
        scope = _Scope(where, states, language, execution, kind, depth)
        start = self._start_at(machine, scope)
        for name, state in states.items():
            if isinstance(name, str):
                self.state(scope, name, state)
            else:
                self.add(where, f"state name {_describe(name)} is not a string.")
        self._graph(scope, start)

    def _machine_fields(self, machine: dict[str, Any], where: str, kind: str, outer: _Language) -> _Language:
        """Check the fields around States; return the query language its states default to."""
        allowed = MACHINE_FIELDS[kind]
        for key in machine:
            if key not in allowed:
                self.add(where, f"field {key!r} is not allowed here; {_kind_words(kind)} takes {_names(allowed)}.")
        if problem := _comment_problem(machine):
            self.add(where, problem)
        # A branch or item processor is a state machine of its own: its QueryLanguage is its states' default.
        if kind != "top" and "QueryLanguage" in machine:
            chosen = self._query_language(where, machine["QueryLanguage"], outer, f"this {_scope_words(kind)}")
            return _Language(chosen, kind)
        return outer

    def _start_at(self, machine: dict[str, Any], scope: _Scope) -> str | None:
        """StartAt when it names a state of this machine."""
        start = machine.get("StartAt")
        if "StartAt" not in machine:
            self.add(scope.where, f"StartAt is missing; name the first state ({scope.known()}).")
        elif not isinstance(start, str):
            self.add(scope.where, f"StartAt must be the name of a state (a string), got {_describe(start)}.")
        elif start in scope.states:
            return start
        elif scope.states:
            self.add(scope.where, f"StartAt is {start!r}, which is not a state; {scope.known()}.")
        return None

    def _graph(self, scope: _Scope, start: str | None) -> None:
        """Every state reachable (Catch targets count as transitions), and some state ending the machine."""
        if start is not None:
            reachable = paths.reachable(start, scope.targets)
            named = set().union(*scope.targets.values())
            for name in scope.states:
                if name not in reachable:
                    # A state no transition names AWS's validator refuses too; one only other unreachable
                    # states name (a cycle of orphans) is a warning (tests/fixtures/asl/decisions.md).
                    report = self.warn if name in named else self.add
                    report(
                        scope.where,
                        f"state {name!r} cannot be reached from StartAt {start!r}; link to it with Next, or remove it.",
                    )
        read = self.machines.get(scope.where)
        if scope.states and not (read is not None and any(state.ends for state in read.states.values())):
            ends = {"top": "the execution", "branch": "this branch"}.get(scope.kind, "this item processor")
            self.add(scope.where, f'no state ends {ends}; give one state "End": true, or add a Succeed or Fail state.')

    # -------------------------------------------------------------- states

    def state(self, scope: _Scope, name: str, state: object) -> None:
        where = scope.state_where(name)
        scope.targets[name] = set()
        if len(name) > MAX_STATE_NAME_LENGTH or not name:
            # The ASL specification's limit; AWS's documentation does not say the service refuses a longer name.
            report = self.warn if name else self.add
            report(
                where, f"a state name must be 1 to {MAX_STATE_NAME_LENGTH} characters long; this one has {len(name)}."
            )
        first = self.seen_names.setdefault(name, where)
        if first != where:
            self.add(where, f"the name is also used by {first}; state names must be unique in the whole state machine.")
        if not isinstance(state, dict):
            self.add(where, f"a state must be a JSON object, got {_describe(state)}.")
            return
        kind = state.get("Type")
        if "Type" not in state:
            self.add(where, f"the state has no Type; use one of {', '.join(STATE_TYPES)}.")
            return
        if kind not in STATE_TYPES:
            self.add(where, f"Type {kind!r} is not one of {', '.join(STATE_TYPES)}.")
            return
        language = scope.language.name
        if "QueryLanguage" in state:
            language = self._query_language(where, state["QueryLanguage"], scope.language, "this state")
        check = _StateCheck(self, scope, name=name, state=state, kind=kind, language=language, where=where)
        check.run()

    def _query_language(self, where: str, value: object, outer: _Language, subject: str) -> str:
        """The QueryLanguage of a state, branch or item processor (`subject`) inside `outer`."""
        if value not in QUERY_LANGUAGES:
            self.add(where, f"QueryLanguage must be JSONPath or JSONata, got {_describe(value)}.")
            return outer.name
        if value == "JSONPath" and outer.name == "JSONata":
            around = "the state machine" if outer.set_by == "top" else f"the {_scope_words(outer.set_by)}"
            change = "the top-level" if outer.set_by == "top" else f"{around}'s"
            self.add(
                where,
                f"QueryLanguage is JSONPath, but {around}'s QueryLanguage is JSONata; "
                f"a state can move from JSONPath to JSONata, not back. Set {change} QueryLanguage to JSONPath, "
                f"or write {subject} in JSONata.",
            )
        return str(value)

    def error_equals(self, where: str, label: str, field_name: str, errors: object, last: bool) -> None:
        if not isinstance(errors, list) or not errors or not all(isinstance(e, str) and e for e in errors):
            self.add(where, f"{label}: ErrorEquals must be a non-empty list of error names.")
            return
        for error in errors:
            if (
                error.startswith("States.")
                and error not in KNOWN_STATES_ERRORS
                and not HTTP_STATUS_ERROR.fullmatch(error)
            ):
                # The ASL reserves the prefix, yet AWS's own published definitions raise and catch such
                # names, and deploy: a warning (tests/fixtures/asl/decisions.md, "The States. prefix").
                self.warn(
                    where,
                    f"{label}: {error!r} is not an error Step Functions defines; the States.* errors are "
                    f"{_names(KNOWN_STATES_ERRORS)}, and your own error names must not start with 'States.'.",
                )
        if "States.ALL" in errors:
            if len(errors) != 1:
                self.add(where, f"{label}: States.ALL must appear alone in ErrorEquals.")
            if not last:
                self.add(where, f"{label}: the States.ALL entry must be the last in {field_name}.")

    def transition(self, scope: _Scope, where: str, name: str, label: str, target: object) -> None:
        if not isinstance(target, str):
            self.add(where, f"{label} must be the name of a state (a string), got {_describe(target)}.")
        elif target in scope.states:
            scope.targets[name].add(target)
        elif target in self.all_names and scope.kind != "top":
            self.add(
                where,
                f"{label} names {target!r}, which is a state outside this {_scope_words(scope.kind)}; "
                f"states inside a Parallel branch or Map item processor can only go to states of their own; "
                f"{scope.known()}.",
            )
        elif target in self.all_names:
            self.add(
                where,
                f"{label} names {target!r}, which is a state inside a Parallel branch or Map item processor; "
                f"only states at the same level can be reached; {scope.known()}.",
            )
        else:
            self.add(where, f"{label} names {target!r}, which is not a state; {scope.known()}.")


def _kind_words(kind: str) -> str:
    return {"top": "a state machine", "branch": "a Parallel branch", "processor": "a Map item processor"}[kind]


def _scope_words(kind: str) -> str:
    return {"branch": "branch", "processor": "item processor"}.get(kind, "state machine")


def _retrier_problems(retrier: dict[str, Any]) -> Iterator[str]:
    def whole(field_name: str, low: int, high: int) -> Iterator[str]:
        if field_name in retrier:
            value = retrier[field_name]
            if not (is_int(value) and low <= value <= high):
                yield (
                    f"{field_name} must be a whole number of at least {low}, got {_describe(value)}."
                    if high == MAX_SECONDS
                    else (f"{field_name} must be a whole number from {low} to {high}, got {_describe(value)}.")
                )

    if retrier.get("IntervalSeconds") == 0 and is_int(retrier["IntervalSeconds"]):
        # AWS's validator accepts 0, and AWS's documentation gives no minimum: a warning.
        yield Warned(f"IntervalSeconds must be a whole number of at least 1, got {_describe(0)}.")
    else:
        yield from whole("IntervalSeconds", 1, MAX_SECONDS)
    yield from whole("MaxAttempts", 0, MAX_SECONDS)
    yield from whole("MaxDelaySeconds", 1, MAX_RETRY_DELAY_SECONDS)
    if "BackoffRate" in retrier:
        rate = retrier["BackoffRate"]
        if not is_number(rate) or rate < 1:
            yield f"BackoffRate must be a number of at least 1.0, got {_describe(rate)}."
    if "JitterStrategy" in retrier and retrier["JitterStrategy"] not in ENUMS["JitterStrategy"]:
        yield f"JitterStrategy must be FULL or NONE, got {_describe(retrier['JitterStrategy'])}."


class _LanguageFields:
    """Checks of values whose form depends on the query language: paths, payload templates, variables."""

    def __init__(self, checker: _Checker, where: str, language: str, prefix: str = "") -> None:
        self.checker = checker
        self.where = where
        self.language = language
        self.prefix = prefix

    def add(self, message: str) -> None:
        self.checker.add(self.where, self.prefix + message)

    def warn(self, message: str) -> None:
        self.checker.warn(self.where, self.prefix + message)

    def foreign(self, key: str) -> bool:
        """Whether `key` is a field of the other query language (check_exclusive names it)."""
        return (self.language == "JSONata" and key in JSONPATH_ONLY) or (
            self.language == "JSONPath" and key in JSONATA_ONLY
        )

    def check_exclusive(self, fields: Mapping[str, object], what: str) -> None:
        """Fields of the other query language."""
        for key in fields:
            if self.language == "JSONata" and key in JSONPATH_ONLY:
                instead = "ItemSelector" if (what == "Map" and key == "Parameters") else JSONPATH_ONLY[key]
                report = self.add if key in JSONATA_STATES_REFUSE else self.warn
                report(f"{key} is a JSONPath field, and this state uses JSONata; use {instead} instead.")
            elif self.language == "JSONPath" and key in JSONATA_ONLY:
                self.warn(
                    f"{key} is a JSONata field, and this state uses JSONPath; use {JSONATA_ONLY[key]} instead, "
                    'or set "QueryLanguage": "JSONata".'
                )

    def nullable_path(self, name: str, value: object) -> None:
        if value is not None and not is_path(value):
            self.add(f"{name} must be a path starting with '$', or null; got {_describe(value)}.")

    def path(self, name: str, value: object) -> None:
        if not is_path(value):
            self.add(f"{name} must be a path starting with '$', got {_describe(value)}.")

    def number(self, name: str, value: object, low: float, high: float, *, whole: bool = True) -> bool:
        """A number field that JSONata states may also give as a {% %} expression; True if it is a literal."""
        if self.language == "JSONata" and is_jsonata(value):
            return False
        ok = is_int(value) if whole else is_number(value)
        if ok and low <= value <= high:  # type: ignore[operator]
            return True
        kind = "whole number" if whole else "number"
        bounds = f"from {low:g} to {high:g}" if high < MAX_SECONDS else f"of at least {low:g}"
        also = " or a {% %} expression" if self.language == "JSONata" else ""
        self.add(f"{name} must be a {kind} {bounds}{also}, got {_describe(value)}.")
        return False

    def payload(self, name: str, value: object) -> None:
        """Parameters, Arguments, ItemSelector and the like: check the keys by the query language's rules."""
        stack: list[object] = [value]
        while stack:
            node = stack.pop()
            if isinstance(node, list):
                stack.extend(node)
            elif isinstance(node, dict):
                for key, inner in node.items():
                    if not (isinstance(key, str) and key.endswith(".$")):
                        stack.append(inner)
                    elif self.language == "JSONata":
                        self.warn(
                            f"{name}: key {key!r} ends with '.$', which JSONata states do not use; "
                            f'write "{key[:-2]}": "{{% ... %}}" instead.'
                        )
                    elif not (is_path(inner) or (isinstance(inner, str) and INTRINSIC.fullmatch(inner))):
                        self.add(
                            f"{name}: the value of {key!r} must be a path starting with '$' or an intrinsic function "
                            f"such as States.Format(...), got {_describe(inner)}."
                        )

    def template(self, name: str, key: str, value: object, *, typed_by_aws: bool = False) -> None:
        """A payload template (`key` is Parameters, Arguments, ItemSelector or BatchInput): the ASL
        makes it a JSON object, its keys following the query language's rules; a JSONata state may
        give the whole of it as one {% %} expression. AWS's validator checks that it is an object only
        where `typed_by_aws` (a reader's or writer's arguments); elsewhere it is a warning."""
        if isinstance(value, dict):
            self.payload(name, value)
        elif not self.foreign(key) and not (self.language == "JSONata" and is_jsonata(value)):
            also = " or a {% %} expression" if self.language == "JSONata" else ""
            report = self.add if typed_by_aws else self.warn
            report(f"{name} must be an object{also}, got {_describe(value)}.")

    def s3_location(self, name: str, arguments: object, keys: tuple[str, ...]) -> None:
        """The S3 names an ItemReader or ResultWriter's arguments give as literals."""
        if not isinstance(arguments, dict):
            return
        for key in keys:
            value = arguments.get(key)
            if key in arguments and not (isinstance(value, str) and value):
                self.add(f"{name}: {key} must be a non-empty string, got {_describe(value)}.")

    def assign(self, value: object) -> None:
        if not isinstance(value, dict):
            self.add(f"Assign must be an object of variable names and values, got {_describe(value)}.")
            return
        for key in value:
            variable = key[:-2] if self.language == "JSONPath" and key.endswith(".$") else key
            if not variable.isidentifier() or len(variable) > MAX_VARIABLE_NAME_LENGTH or variable == "states":
                self.warn(
                    f"Assign: {variable!r} is not a valid variable name; a name is up to {MAX_VARIABLE_NAME_LENGTH} "
                    "letters, digits and underscores, does not start with a digit, and is not the reserved 'states'."
                )
        self.payload("Assign", value)


class _StateCheck:
    """The checks of one state, driven by ALLOWED_FIELDS and REQUIRED_FIELDS."""

    def __init__(
        self,
        checker: _Checker,
        scope: _Scope,
        *,
        name: str,
        state: dict[str, Any],
        kind: str,
        language: str,
        where: str,
    ) -> None:
        self.checker = checker
        self.scope = scope
        self.name = name
        self.state = state
        self.kind = kind
        self.language = language
        self.where = where
        self.fields = _LanguageFields(checker, where, language)

    def add(self, message: str) -> None:
        self.checker.add(self.where, message)

    def warn(self, message: str) -> None:
        self.checker.warn(self.where, message)

    def run(self) -> None:
        state, kind = self.state, self.kind
        allowed = ALLOWED_FIELDS[kind]
        for key in state:
            # Next and End where they do not belong have a message of their own (see _flow).
            if key not in allowed and key not in FLOW_FIELDS:
                usable = sorted(
                    f
                    for f in allowed
                    if not (self.language == "JSONata" and f in JSONPATH_ONLY)
                    and not (self.language == "JSONPath" and f in JSONATA_ONLY)
                )
                self.add(
                    f"field {key!r} is not allowed in a {kind} state; "
                    f"a {self.language} {kind} state takes {', '.join(usable)}."
                )
        for key in REQUIRED_FIELDS.get(kind, ()):
            if key not in state:
                self.add(f"a {kind} state needs {key}.")
        self.fields.check_exclusive(state, kind)
        for base in PATH_FORMS:
            if base in state and base + "Path" in state:
                self.add(f"{base} and {base}Path are both set; keep one.")
        if problem := _comment_problem(state):
            self.add(problem)
        self._flow()
        self._data_fields()
        type_checks = {
            "Task": self._task,
            "Choice": self._choice,
            "Wait": self._wait,
            "Fail": self._fail,
            "Parallel": self._parallel,
            "Map": self._map,
        }
        # Pass and Succeed need nothing beyond the shared checks.
        type_checks.get(kind, lambda: None)()
        for field_name in ("Retry", "Catch"):
            if field_name in state and field_name in allowed:
                self._error_handlers(field_name, state[field_name])

    def _flow(self) -> None:
        state, kind = self.state, self.kind
        if kind == "Choice":
            if "Next" in state or "End" in state:
                self.add("a Choice state takes neither Next nor End; put transitions in Choices and Default.")
            return
        if kind in ("Succeed", "Fail"):
            if "Next" in state or "End" in state:
                self.add(f"a {kind} state ends the execution; remove Next and End.")
            return
        if "End" in state and not isinstance(state["End"], bool):
            self.add(f"End must be true or false, got {_describe(state['End'])}.")
        if "Next" in state and state.get("End") is True:
            self.add("this state has both Next and End; keep Next to continue, or End to stop here.")
        elif "Next" in state:
            self.checker.transition(self.scope, self.where, self.name, "Next", state["Next"])
        elif state.get("End") is not True:
            self.add('this state has neither Next nor "End": true; say where the execution goes after it.')

    def _data_fields(self) -> None:
        """The input/output fields many state types share."""
        state, fields = self.state, self.fields
        for key in ("InputPath", "OutputPath", "ResultPath"):
            if key in state:
                fields.nullable_path(key, state[key])
        # A template where the state type has none is named as a field it does not take.
        for key in ("Parameters", "Arguments", "ItemSelector"):
            if key in state and key in ALLOWED_FIELDS[self.kind]:
                fields.template(key, key, state[key])
        for key in ("ResultSelector", "Output"):
            if key in state:
                fields.payload(key, state[key])
        if "ResultSelector" in state and not isinstance(state["ResultSelector"], dict):
            self.add(f"ResultSelector must be an object, got {_describe(state['ResultSelector'])}.")
        if "Assign" in state:
            fields.assign(state["Assign"])
        if self.language == "JSONPath":
            for key in REFERENCE_PATH_FIELDS.intersection(state):
                fields.path(key, state[key])
            for key in ("ErrorPath", "CausePath"):
                value = state.get(key)
                if key in state and not (is_path(value) or (isinstance(value, str) and INTRINSIC.fullmatch(value))):
                    self.add(
                        f"{key} must be a path starting with '$' or an intrinsic function, got {_describe(value)}."
                    )

    def _error_handlers(self, field_name: str, handlers: object) -> None:
        # An empty list is allowed: AWS's validator accepts it, and it means no retrier or catcher.
        if not isinstance(handlers, list):
            what = "retriers" if field_name == "Retry" else "catchers"
            self.add(f"{field_name} must be a list of {what}, got {_describe(handlers)}.")
            return
        allowed = RETRIER_FIELDS if field_name == "Retry" else CATCHER_FIELDS
        for number, handler in enumerate(handlers, start=1):
            label = f"{field_name} entry {number}"
            if not isinstance(handler, dict):
                self.add(f"{label} must be a JSON object, got {_describe(handler)}.")
                continue
            for key in handler:
                if key not in allowed:
                    self.add(f"{label}: field {key!r} is not allowed; an entry takes {_names(allowed)}.")
            self.checker.error_equals(
                self.where, label, field_name, handler.get("ErrorEquals"), number == len(handlers)
            )
            if problem := _comment_problem(handler):
                self.add(f"{label}: {problem}")
            if field_name == "Retry":
                for problem in _retrier_problems(handler):
                    self.checker.add(self.where, _marked(problem, f"{label}: {problem}"))
                continue
            self._catcher(label, handler)

    def _catcher(self, label: str, catcher: dict[str, Any]) -> None:
        if "Next" not in catcher:
            self.add(f"{label} has no Next; say which state handles the error.")
        else:
            self.checker.transition(self.scope, self.where, self.name, f"{label} Next", catcher["Next"])
        fields = _LanguageFields(self.checker, self.where, self.language, f"{label}: ")
        fields.check_exclusive(catcher, "Catch entry")
        if "ResultPath" in catcher:
            fields.nullable_path("ResultPath", catcher["ResultPath"])
        if "Output" in catcher:
            fields.payload("Output", catcher["Output"])
        if "Assign" in catcher:
            fields.assign(catcher["Assign"])

    # ----------------------------------------------------- per state type

    def _fail(self) -> None:
        for key in ("Error", "Cause"):
            value = self.state.get(key)
            if key in self.state and not isinstance(value, str):
                self.add(f"{key} must be a string, got {_describe(value)}.")

    def _task(self) -> None:
        state = self.state
        resource = state.get("Resource")
        if "Resource" in state:
            if not is_arn_or_placeholder(resource):
                self.add(
                    "Resource must be an ARN (a string starting with 'arn:') or a ${Placeholder}, "
                    f"got {_describe(resource)}."
                )
            elif self.scope.execution_type == "EXPRESS" and isinstance(resource, str):
                self._express_resource(resource)
        timeout = heartbeat = None
        if "TimeoutSeconds" in state and self.fields.number("TimeoutSeconds", state["TimeoutSeconds"], 1, MAX_SECONDS):
            timeout = state["TimeoutSeconds"]
        if "HeartbeatSeconds" in state and self.fields.number(
            "HeartbeatSeconds", state["HeartbeatSeconds"], 1, MAX_SECONDS
        ):
            heartbeat = state["HeartbeatSeconds"]
        if heartbeat is not None and heartbeat >= (timeout if timeout is not None else MAX_SECONDS):
            limit = (
                f"TimeoutSeconds ({timeout})" if timeout is not None else f"the default TimeoutSeconds ({MAX_SECONDS})"
            )
            self.add(f"HeartbeatSeconds ({heartbeat}) must be less than {limit}.")
        if "Credentials" in state:
            self._credentials(state["Credentials"])

    def _express_resource(self, resource: str) -> None:
        if SYNC_OR_CALLBACK.fullmatch(resource):
            pattern = "Run a Job (.sync)" if ".sync" in resource else "Wait for Callback (.waitForTaskToken)"
            self.add(
                f"Resource {resource!r} uses the {pattern} integration pattern, "
                "which EXPRESS workflows do not support; "
                "call the service with Request Response, or make the workflow STANDARD."
            )
        elif ACTIVITY.fullmatch(resource):
            self.add("Resource is an activity, which EXPRESS workflows do not support; make the workflow STANDARD.")

    def _credentials(self, credentials: object) -> None:
        if not isinstance(credentials, dict) or not credentials:
            self.warn(f"Credentials must be an object with RoleArn, got {_describe(credentials)}.")
            return
        keys = set(credentials)
        allowed = {"RoleArn", "RoleArn.$"} if self.language == "JSONPath" else {"RoleArn"}
        if not keys <= allowed or len(keys) != 1:
            self.add(f"Credentials takes exactly one of {_names(allowed)}; found {_names(keys)}.")
        role = credentials.get("RoleArn")
        if "RoleArn" in credentials and not (
            is_arn_or_placeholder(role) or (self.language == "JSONata" and is_jsonata(role))
        ):
            self.add(f"Credentials RoleArn must be an IAM role ARN, got {_describe(role)}.")
        self.fields.payload("Credentials", credentials)

    def _wait(self) -> None:
        state = self.state
        present = [key for key in ("Seconds", "Timestamp", "SecondsPath", "TimestampPath") if key in state]
        if len(present) != 1:
            found = ", ".join(present) or "none"
            self.add(
                f"a Wait state needs exactly one of Seconds, Timestamp, SecondsPath, TimestampPath; found {found}."
            )
        if "Seconds" in state:
            self.fields.number("Seconds", state["Seconds"], 0, MAX_SECONDS)
        if "Timestamp" in state:
            value = state["Timestamp"]
            if not (
                (isinstance(value, str) and TIMESTAMP.fullmatch(value))
                or (self.language == "JSONata" and is_jsonata(value))
            ):
                self.add(
                    f"Timestamp must be an RFC 3339 timestamp such as '2026-01-31T09:00:00Z' (upper-case T and Z), "
                    f"got {_describe(value)}."
                )

    def _choice(self) -> None:
        state = self.state
        if "Default" in state:
            self.checker.transition(self.scope, self.where, self.name, "Default", state["Default"])
        if "Choices" not in state:
            return
        choices = state["Choices"]
        if not isinstance(choices, list) or not choices:
            self.add("Choices must be a non-empty list of rules.")
            return
        for number, rule in enumerate(choices, start=1):
            label = f"Choices rule {number}"
            if not isinstance(rule, dict):
                self.add(f"{label} is not a JSON object.")
                continue
            if "Next" not in rule:
                self.add(f"{label} has no Next; every top-level rule names the state it leads to.")
            else:
                self.checker.transition(self.scope, self.where, self.name, f"{label} Next", rule["Next"])
            rule_fields = _LanguageFields(self.checker, self.where, self.language, f"{label}: ")
            if "Assign" in rule:
                rule_fields.assign(rule["Assign"])
            if "Output" in rule:
                rule_fields.payload("Output", rule["Output"])
            if self.language == "JSONata":
                self._jsonata_rule(label, rule)
            else:
                for problem in _rule_problems(rule, top_level=True):
                    self.checker.add(self.where, _marked(problem, f"{label}: {problem}"))

    def _jsonata_rule(self, label: str, rule: dict[str, Any]) -> None:
        allowed = {"Condition", "Next", "Comment", "Assign", "Output"}
        jsonpath_keys = [key for key in rule if key in COMPARISONS or key in COMBINATORS or key == "Variable"]
        if jsonpath_keys:
            self.warn(
                f"{label} uses {', '.join(jsonpath_keys)}, which JSONPath rules use; in a JSONata state a rule is "
                'a Condition, e.g. "Condition": "{% $states.input.total > 100 %}".'
            )
        for key in rule:
            if key not in allowed and key not in jsonpath_keys:
                self.add(f"{label}: field {key!r} is not allowed in a JSONata rule; a rule takes {_names(allowed)}.")
        if problem := _comment_problem(rule):
            self.add(f"{label}: {problem}")
        if "Condition" not in rule and not jsonpath_keys:
            self.add(f'{label}: a JSONata rule needs a Condition, e.g. "Condition": "{{% $states.input.ok %}}".')
        elif "Condition" in rule and not (isinstance(rule["Condition"], bool) or is_jsonata(rule["Condition"])):
            self.add(
                f"{label}: Condition must be a {{% %}} expression or true/false, got {_describe(rule['Condition'])}."
            )

    def _parallel(self) -> None:
        branches = self.state.get("Branches")
        if "Branches" not in self.state:
            return
        if not isinstance(branches, list) or not branches:
            self.add(f"Branches must be a non-empty list of state machines, got {_describe(branches)}.")
            return
        for number, branch in enumerate(branches, start=1):
            self.checker.machine(
                branch,
                f"{self.where} > branch {number}",
                kind="branch",
                language=self.scope.language,
                execution=self.scope.execution_type,
                depth=self.scope.depth + 1,
            )

    def _map(self) -> None:
        state = self.state
        processors = [key for key in ("ItemProcessor", "Iterator") if key in state]
        if len(processors) != 1:
            found = ", ".join(processors) or "none"
            self.add(f"a Map state needs exactly one of ItemProcessor or Iterator (its older name); found {found}.")
        self._map_values()
        processor_key = processors[0] if processors else "ItemProcessor"
        processor = state.get(processor_key)
        mode, execution = "INLINE", self.scope.execution_type
        if isinstance(processor, dict) and "ProcessorConfig" in processor:
            mode, execution = self._processor_config(processor["ProcessorConfig"], execution)
        if mode == "DISTRIBUTED" and self.scope.execution_type == "EXPRESS":
            self.warn(
                "a Distributed Map cannot run in an EXPRESS workflow; use an INLINE Map, or make the workflow STANDARD."
            )
        for key in DISTRIBUTED_ONLY if mode == "INLINE" else ():
            if key in state:
                self.warn(
                    f"{key} is only allowed in a Distributed Map; "
                    f'set "ProcessorConfig": {{"Mode": "DISTRIBUTED", ...}} in {processor_key}.'
                )
        if processors:
            self.checker.machine(
                processor,
                f"{self.where} > {processor_key}",
                kind="processor",
                language=self.scope.language,
                execution=execution,
                depth=self.scope.depth + 1,
            )

    def _map_values(self) -> None:
        state = self.state
        if "Parameters" in state and "ItemSelector" in state:
            self.warn("Parameters and ItemSelector are both set; keep ItemSelector (Parameters is its older name).")
        if "Items" in state and not (isinstance(state["Items"], list) or is_jsonata(state["Items"])):
            self.add(f"Items must be a list or a {{% %}} expression, got {_describe(state['Items'])}.")
        limits = (("MaxConcurrency", 0, MAX_SECONDS), ("ToleratedFailureCount", 0, MAX_SECONDS))
        for key, low, high in limits:
            if key in state:
                self.fields.number(key, state[key], low, high)
        if "ToleratedFailurePercentage" in state:
            self.fields.number("ToleratedFailurePercentage", state["ToleratedFailurePercentage"], 0, 100, whole=False)
        parts = {"Label": self._label, "ItemReader": self._item_reader, "ItemBatcher": self._item_batcher}
        parts["ResultWriter"] = self._result_writer
        for key, check in parts.items():
            if key in state:
                check(state[key])

    def _label(self, label: object) -> None:
        if (
            not isinstance(label, str)
            or not label
            or len(label) > MAX_MAP_LABEL_LENGTH
            or LABEL_FORBIDDEN.search(label)
        ):
            # AWS's validator takes any non-empty string; the length and characters are a warning.
            report = self.warn if isinstance(label, str) and label else self.add
            report(
                f"Label must be 1 to {MAX_MAP_LABEL_LENGTH} characters without spaces, brackets, wildcards or "
                f'punctuation such as " # % \\ ^ | ~ ` $ & , ; : /; got {_describe(label)}.'
            )

    def _processor_config(self, config: object, execution: str) -> tuple[str, str]:
        if not isinstance(config, dict):
            self.add(f"ProcessorConfig must be an object with Mode (and ExecutionType), got {_describe(config)}.")
            return "INLINE", execution
        for key in config:
            if key not in ("Mode", "ExecutionType"):
                self.add(f"ProcessorConfig: field {key!r} is not allowed; it takes ExecutionType, Mode.")
        mode = config.get("Mode", "INLINE")
        if mode not in ENUMS["Mode"]:
            self.add(f"ProcessorConfig Mode must be INLINE or DISTRIBUTED, got {_describe(mode)}.")
            mode = "INLINE"
        if "ExecutionType" in config and config["ExecutionType"] not in ENUMS["ExecutionType"]:
            self.add(
                f"ProcessorConfig ExecutionType must be STANDARD or EXPRESS, got {_describe(config['ExecutionType'])}."
            )
        elif mode == "DISTRIBUTED" and "ExecutionType" not in config:
            self.warn("ProcessorConfig needs an ExecutionType (STANDARD or EXPRESS) when Mode is DISTRIBUTED.")
        elif mode == "DISTRIBUTED":
            execution = str(config["ExecutionType"])
        return str(mode), execution

    def _sub_object(self, name: str, value: object, allowed: frozenset[str]) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.add(f"{name} must be an object, got {_describe(value)}.")
            return None
        for key in value:
            if key not in allowed:
                self.add(f"{name}: field {key!r} is not allowed; it takes {_names(allowed)}.")
        _LanguageFields(self.checker, self.where, self.language, f"{name}: ").check_exclusive(value, name)
        return value

    def _enum(self, name: str, config: dict[str, Any]) -> None:
        for key, value in config.items():
            if key in ENUMS and value not in ENUMS[key]:
                self.add(f"{name} {key} must be one of {', '.join(ENUMS[key])}, got {_describe(value)}.")

    def _item_reader(self, value: object) -> None:
        reader = self._sub_object("ItemReader", value, ITEM_READER_FIELDS)
        if reader is None:
            return
        if "Resource" not in reader:
            self.warn("ItemReader needs a Resource, such as arn:aws:states:::s3:getObject.")
        elif not is_arn_or_placeholder(reader["Resource"]):
            self.add(f"ItemReader Resource must be an ARN, got {_describe(reader['Resource'])}.")
        for key in ("Parameters", "Arguments"):
            if key in reader:
                self.fields.template(f"ItemReader {key}", key, reader[key], typed_by_aws=True)
                self.fields.s3_location(f"ItemReader {key}", reader[key], ITEM_READER_S3_NAMES)
        config = (
            self._sub_object("ItemReader ReaderConfig", reader["ReaderConfig"], READER_CONFIG_FIELDS)
            if "ReaderConfig" in reader
            else None
        )
        if config is not None:
            self._enum("ItemReader ReaderConfig", config)
            if "MaxItems" in config:
                self.fields.number("ItemReader ReaderConfig MaxItems", config["MaxItems"], 0, 100_000_000)
            if "MaxItemsPath" in config:
                self.fields.path("ItemReader ReaderConfig MaxItemsPath", config["MaxItemsPath"])
            if "MaxItems" in config and "MaxItemsPath" in config:
                self.add("ItemReader ReaderConfig MaxItems and MaxItemsPath are both set; keep one.")
            headers = config.get("CSVHeaders")
            if "CSVHeaders" in config and not (
                isinstance(headers, list) and headers and all(isinstance(h, str) for h in headers)
            ):
                self.add(
                    "ItemReader ReaderConfig CSVHeaders must be a non-empty list of column names (strings), "
                    f"got {_describe(headers)}."
                )
            elif config.get("CSVHeaderLocation") == "GIVEN" and "CSVHeaders" not in config:
                self.add(
                    "ItemReader ReaderConfig: CSVHeaderLocation GIVEN needs CSVHeaders, "
                    "a non-empty list of column names."
                )

    def _item_batcher(self, value: object) -> None:
        batcher = self._sub_object("ItemBatcher", value, ITEM_BATCHER_FIELDS)
        if batcher is None:
            return
        limits = [key for key in ITEM_BATCHER_FIELDS if key != "BatchInput" and key in batcher]
        if not limits:
            self.warn(
                "ItemBatcher needs MaxItemsPerBatch or MaxInputBytesPerBatch (or a Path form) to size its batches."
            )
        for key in ("MaxItemsPerBatch", "MaxInputBytesPerBatch"):
            if key in batcher:
                self.fields.number(f"ItemBatcher {key}", batcher[key], 1, 262_144 if "Bytes" in key else MAX_SECONDS)
            if key + "Path" in batcher:
                self.fields.path(f"ItemBatcher {key}Path", batcher[key + "Path"])
            if key in batcher and key + "Path" in batcher:
                self.add(f"ItemBatcher {key} and {key}Path are both set; keep one.")
        if "BatchInput" in batcher:
            self.fields.template("ItemBatcher BatchInput", "BatchInput", batcher["BatchInput"])

    def _result_writer(self, value: object) -> None:
        writer = self._sub_object("ResultWriter", value, RESULT_WRITER_FIELDS)
        if writer is None:
            return
        if "Resource" not in writer and "WriterConfig" not in writer:
            self.add(
                "ResultWriter needs a Resource (arn:aws:states:::s3:putObject) with its Bucket and Prefix, "
                "or a WriterConfig."
            )
        if "Resource" in writer and not is_arn_or_placeholder(writer["Resource"]):
            self.add(f"ResultWriter Resource must be an ARN, got {_describe(writer['Resource'])}.")
        for key in ("Parameters", "Arguments"):
            if key in writer:
                self.fields.template(f"ResultWriter {key}", key, writer[key], typed_by_aws=True)
                self.fields.s3_location(f"ResultWriter {key}", writer[key], RESULT_WRITER_S3_NAMES)
        if "WriterConfig" in writer:
            config = self._sub_object("ResultWriter WriterConfig", writer["WriterConfig"], WRITER_CONFIG_FIELDS)
            if config is not None:
                self._enum("ResultWriter WriterConfig", config)
                if "OutputType" not in config:
                    self.add(f"ResultWriter WriterConfig needs OutputType ({' or '.join(ENUMS['OutputType'])}).")


def _rule_problems(rule: dict[str, Any], *, top_level: bool, depth: int = 0) -> Iterator[str]:
    """Problems of a JSONPath Choice rule (Variable and one comparison, or And/Or/Not)."""
    if depth > MAX_NESTING:
        yield f"rules are nested in And, Or and Not more than {MAX_NESTING} levels deep."
        return
    yield from _unknown_rule_fields(rule, top_level=top_level)
    if problem := _comment_problem(rule):
        yield problem
    combinators = [key for key in COMBINATORS if key in rule]
    comparisons = [key for key in COMPARISONS if key in rule]
    if len(combinators) + len(comparisons) != 1:
        found = ", ".join(combinators + comparisons) or "none"
        yield f"needs exactly one comparison (e.g. NumericEquals) or one of And, Or, Not; found {found}."
    elif comparisons:
        (operator,) = comparisons
        variable = rule.get("Variable")
        if not is_path(variable):
            # AWS's validator takes any string as Variable; only a missing or non-string one is refused.
            text = f"a {operator} rule needs a Variable that is a path starting with '$', got {_describe(variable)}."
            yield Warned(text) if isinstance(variable, str) else text
        kind = COMPARISONS[operator]
        if not _matches_kind(rule[operator], kind):
            yield f"{operator} compares with {KIND_WORDS[kind]}, got {_describe(rule[operator])}."
    else:
        yield from _combinator_problems(rule, combinators[0], depth)


def _unknown_rule_fields(rule: dict[str, Any], *, top_level: bool) -> Iterator[str]:
    allowed = {"Variable", "Comment", *COMPARISONS, *COMBINATORS}
    if top_level:
        allowed |= {"Next", "Assign"}
    for key in rule:
        # Next inside And/Or/Not has a message of its own.
        if key not in allowed and not (key == "Next" and not top_level):
            hint = " (Condition is for JSONata states)" if key == "Condition" else ""
            yield f"field {key!r} is not allowed in a JSONPath rule{hint}."


def _combinator_problems(rule: dict[str, Any], combinator: str, depth: int) -> Iterator[str]:
    if "Variable" in rule:
        yield f"a rule with {combinator} takes no Variable; put Variable in the rules inside it."
    inner = rule[combinator]
    if combinator == "Not" and not isinstance(inner, dict):
        yield "Not takes one rule object."
        return
    if combinator != "Not" and (not isinstance(inner, list) or not inner):
        yield f"{combinator} takes a non-empty list of rules."
        return
    for sub_rule in [inner] if combinator == "Not" else inner:
        if isinstance(sub_rule, dict):
            if "Next" in sub_rule:
                yield f"a rule inside {combinator} must not have Next; only the top-level rule does."
            yield from _rule_problems(sub_rule, top_level=False, depth=depth + 1)
        else:
            yield f"{combinator} holds something that is not a rule object."


def _matches_kind(value: object, kind: str) -> bool:
    if kind == "string":
        return isinstance(value, str)
    if kind == "number":
        return is_number(value)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "timestamp":
        return isinstance(value, str) and TIMESTAMP.fullmatch(value) is not None
    return is_path(value)


def asl_findings(document: object, *, workflow_type: str = "STANDARD") -> list[Problem]:
    """Everything the ASL checks find in `document`, for a state machine of `workflow_type`, in the
    order found: what Step Functions would refuse, and warnings (`Problem.warning`) of what breaks the
    Amazon States Language where AWS's documentation does not say the service refuses it.

    Accepts any value (a parsed JSON document or not) and never raises.
    """
    checker = _Checker(workflow_type if workflow_type in WORKFLOW_TYPES else "STANDARD")
    if workflow_type not in WORKFLOW_TYPES:
        checker.add("", f"workflow type {_describe(workflow_type)} is not STANDARD or EXPRESS.")
    checker.document(document)
    return checker.problems


def asl_problems(document: object, *, workflow_type: str = "STANDARD") -> list[Problem]:
    """What AWS Step Functions would refuse in `document`, for a state machine of `workflow_type`.

    Accepts any value (a parsed JSON document or not) and never raises.
    """
    return [problem for problem in asl_findings(document, workflow_type=workflow_type) if not problem.warning]


def asl_warnings(document: object, *, workflow_type: str = "STANDARD") -> list[Problem]:
    """The warnings of `asl_findings`: what the definition gets wrong that need not stop a deployment."""
    return [problem for problem in asl_findings(document, workflow_type=workflow_type) if problem.warning]
