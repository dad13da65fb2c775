"""Amazon States Language definitions, with `${Name}` placeholders.

A definition file is the source of truth for its workflow: Workflow Studio and
the AWS Toolkit open it as it is. A program may also hold a definition as JSON
text or as a dict; all three are read the same way. Values known only at deploy
time (Lambda ARNs) stand in it as `${Name}` placeholders.

`string.Template` is not used on purpose: ASL is full of `$.path` references,
and a substitution engine that treats every `$` as special corrupts them. Only
the exact form `${Name}` is a placeholder here; every other `$` is left alone.
"""

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self

# The one form of a placeholder: `${Name}`, a letter then letters, digits or "_".
PLACEHOLDER = re.compile(r"\$\{([A-Za-z][A-Za-z0-9_]*)\}")
# The longest definition CreateStateMachine accepts (1 MB), as deployed: compact, ASCII-only JSON.
MAX_DEFINITION_CHARACTERS = 1_048_576


def is_placeholder_name(name: str) -> bool:
    """Whether `name` can stand in a placeholder, `${name}`."""
    return PLACEHOLDER.fullmatch("${" + name + "}") is not None


def placeholders_in(value: Any) -> set[str]:
    """The `${Name}` placeholders used anywhere in a JSON-like value."""
    if isinstance(value, str):
        return set(PLACEHOLDER.findall(value))
    if isinstance(value, Mapping):
        return set().union(*(placeholders_in(v) for v in value.values()), *(placeholders_in(k) for k in value))
    if isinstance(value, (list, tuple)):
        return set().union(*(placeholders_in(v) for v in value))
    return set()


def substitute(value: Any, values: Mapping[str, str]) -> Any:
    """`value` with every `${Name}` replaced by `values[Name]` (names must all be present)."""
    if isinstance(value, str):
        return PLACEHOLDER.sub(lambda match: values[match.group(1)], value)
    if isinstance(value, Mapping):
        return {substitute(k, values): substitute(v, values) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [substitute(v, values) for v in value]
    return value


class DefinitionError(ValueError):
    """A definition file, or the values given for its placeholders, cannot be used."""


@dataclass(frozen=True)
class WorkflowDefinition:
    """One ASL definition and the placeholders it expects.

    Build it with `WorkflowDefinition.load(path)` from a file, or `from_json` and `from_document`
    from text or a dict a program holds; the JSON is parsed once there, so a syntax error
    surfaces before any resource is declared.
    """

    source: str
    """Where the definition came from, as every message about it starts: the file's path, or
    which argument held the text or dict."""
    text: str
    placeholders: frozenset[str]

    @classmethod
    def load(cls, path: str | Path) -> Self:
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise DefinitionError(f"{path}: cannot read the definition file ({error.strerror}).") from error
        except UnicodeDecodeError as error:
            raise DefinitionError(
                f"{path}: byte {error.start} is not UTF-8 ({error.reason}); save the file as UTF-8."
            ) from None
        return cls.from_json(text, str(path))

    @classmethod
    def from_json(cls, text: str, source: str) -> Self:
        """The definition written as JSON `text`; `source` names where it came from in messages."""
        document = _parse(source, text)
        if not isinstance(document, dict) or not isinstance(document.get("States"), dict):
            raise DefinitionError(f"{source}: an ASL definition is a JSON object with a 'States' object.")
        # Counted with placeholders as written; the ARNs that replace them add a little.
        size = len(json.dumps(document, separators=(",", ":")))
        if size > MAX_DEFINITION_CHARACTERS:
            raise DefinitionError(
                f"{source}: the definition is {size:,} characters as deployed (compact JSON); Step Functions "
                f"accepts at most {MAX_DEFINITION_CHARACTERS:,} (1 MB). Move part of it into a workflow of its "
                "own and start that one (a WorkflowRef)."
            )
        return cls(source=source, text=text, placeholders=frozenset(PLACEHOLDER.findall(text)))

    @classmethod
    def from_document(cls, document: object, source: str) -> Self:
        """The definition held as parsed JSON (a dict of lists, strings, numbers, booleans and None);
        `source` names where it came from in messages."""
        if not isinstance(document, Mapping):
            raise DefinitionError(
                f"{source}: an ASL definition is a JSON object with a 'States' object, got {type(document).__name__}."
            )
        try:
            # allow_nan=False: NaN and infinities are no JSON, and would be written as if they were.
            text = json.dumps(document, allow_nan=False)
        except (TypeError, ValueError) as error:
            raise DefinitionError(
                f"{source}: cannot be written as JSON ({error}); use dicts, lists, strings, finite numbers, "
                "booleans and None."
            ) from None
        except RecursionError:
            raise DefinitionError(f"{source}: the document is nested too deeply to write as JSON.") from None
        return cls.from_json(text, source)

    @property
    def document(self) -> dict[str, Any]:
        """The definition as parsed JSON, placeholders left in place."""
        parsed: dict[str, Any] = json.loads(self.text)
        return parsed

    def check_values(self, names: set[str] | frozenset[str]) -> None:
        """Fail unless `names` are exactly this definition's placeholders.

        Takes names only, so that it can run before the values (ARNs) exist.
        """
        missing = sorted(self.placeholders - names)
        unused = sorted(names - self.placeholders)
        problems = []
        if missing:
            problems.append(f"no value for placeholder(s) {', '.join('${' + n + '}' for n in missing)}")
        if unused:
            problems.append(f"value(s) given for {', '.join(unused)}, which the definition does not use")
        if problems:
            expected = ", ".join(sorted(self.placeholders)) or "none"
            raise DefinitionError(f"{self.source}: {'; '.join(problems)}. Placeholders in the definition: {expected}.")

    def render(self, values: Mapping[str, str]) -> str:
        """The definition with every `${Name}` replaced by `values[Name]`."""
        self.check_values(set(values))
        # json.dumps escapes what a JSON string needs; the placeholder sits inside one.
        rendered = PLACEHOLDER.sub(lambda match: json.dumps(values[match.group(1)])[1:-1], self.text)
        # Re-serialising makes the deployed definition compact and proves it is still JSON.
        return json.dumps(json.loads(rendered), separators=(",", ":"))


def _parse(source: str, text: str) -> Any:
    try:
        return json.loads(
            text, object_pairs_hook=_refuse_duplicate_keys, parse_constant=refuse_constant, parse_float=finite_float
        )
    except json.JSONDecodeError as error:
        raise DefinitionError(
            f"{source}: line {error.lineno}, column {error.colno}: invalid JSON ({error.msg}). "
            "Fix the syntax; Workflow Studio's code view points at the same place."
        ) from error
    except _RefusedError as error:
        raise DefinitionError(f"{source}: {error}") from None
    except NotJsonError as error:
        raise DefinitionError(f"{source}: {error}; write a number, or the value as a string.") from None
    except RecursionError:
        raise DefinitionError(f"{source}: the JSON is nested too deeply to read; no definition needs that.") from None
    except ValueError as error:
        # Such as an integer of more digits than Python converts.
        raise DefinitionError(f"{source}: cannot be read as JSON ({error}).") from None


class _RefusedError(ValueError):
    """What the JSON parser reads but a definition must not hold."""


def _refuse_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # json.loads keeps the last of two equal keys without a word: the first one's state or
    # field would vanish from the deployed definition.
    document: dict[str, Any] = {}
    for key, value in pairs:
        if key in document:
            raise _RefusedError(
                f"key {key!r} appears twice in one object; JSON keeps only the last, so the first would "
                "silently vanish. Keep one (rename a state if two share a name)."
            )
        document[key] = value
    return document


class NotJsonError(ValueError):
    """What Python's JSON reader accepts and JSON has not: NaN, Infinity, and a number past a
    double's range, which it reads as Infinity. json.dumps would write each back, not as JSON;
    every reader of JSON a user writes (definitions, config payloads) refuses them with these."""


def refuse_constant(name: str) -> Any:
    """`parse_constant` for json.loads."""
    raise NotJsonError(f"{name} is not JSON")


def finite_float(text: str) -> float:
    """`parse_float` for json.loads."""
    number = float(text)
    if not math.isfinite(number):
        raise NotJsonError(f"{text} is too large for a JSON number (at most about 1.8e308)")
    return number
