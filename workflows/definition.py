"""Amazon States Language definitions kept as files, with `${Name}` placeholders.

The definition files in this folder are the source of truth for each workflow:
Workflow Studio and the AWS Toolkit open them as they are. Values known only
at deploy time (Lambda ARNs) stand in them as `${Name}` placeholders.

`string.Template` is not used on purpose: ASL is full of `$.path` references,
and a substitution engine that treats every `$` as special corrupts them. Only
the exact form `${Name}` is a placeholder here; every other `$` is left alone.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFINITIONS_DIR = Path(__file__).resolve().parent

_PLACEHOLDER = re.compile(r"\$\{([A-Za-z][A-Za-z0-9_]*)\}")


class DefinitionError(ValueError):
    """A definition file, or the values given for its placeholders, cannot be used."""


@dataclass(frozen=True)
class WorkflowDefinition:
    """One ASL definition file and the placeholders it expects.

    Build it with `WorkflowDefinition.load(path)`; the JSON is parsed once
    there, so a syntax error surfaces before any resource is declared.
    """

    path: Path
    text: str
    placeholders: frozenset[str]

    @classmethod
    def load(cls, path: str | Path) -> WorkflowDefinition:
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise DefinitionError(f"{path}: cannot read the definition file ({error.strerror}).") from error
        try:
            document = json.loads(text)
        except json.JSONDecodeError as error:
            raise DefinitionError(
                f"{path}: line {error.lineno}, column {error.colno}: invalid JSON ({error.msg}). "
                "Fix the syntax; Workflow Studio's code view points at the same place."
            ) from error
        if not isinstance(document, dict) or not isinstance(document.get("States"), dict):
            raise DefinitionError(f"{path}: an ASL definition is a JSON object with a 'States' object.")
        return cls(path=path, text=text, placeholders=frozenset(_PLACEHOLDER.findall(text)))

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
            raise DefinitionError(f"{self.path}: {'; '.join(problems)}. Placeholders in the file: {expected}.")

    def render(self, values: Mapping[str, str]) -> str:
        """The definition with every `${Name}` replaced by `values[Name]`."""
        self.check_values(set(values))
        # json.dumps escapes what a JSON string needs; the placeholder sits inside one.
        rendered = _PLACEHOLDER.sub(lambda match: json.dumps(values[match.group(1)])[1:-1], self.text)
        # Re-serialising makes the deployed definition compact and proves it is still JSON.
        return json.dumps(json.loads(rendered), separators=(",", ":"))
