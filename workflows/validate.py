"""Every check of a definition before anything is declared, in one call.

Two kinds of problem are told apart, so that a user knows which is which:

- ASL problems (`asl_checks.asl_problems`): what AWS Step Functions itself would refuse.
- This project's own rules (`house_rules.project_problems`): valid ASL that the project
  still refuses, such as a Lambda task without a timeout or without retries of the
  transient Lambda errors.

`pulumi preview` does not know the Lambda ARNs yet, so the checks work on the
definition with its `${Name}` placeholders: a string that is exactly a
placeholder is accepted wherever an ARN or a string is expected. All problems
are listed at once, and no input, however malformed, raises anything but
`DefinitionError` from `validate`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, cast

from workflows.asl_checks import asl_problems
from workflows.definition import DefinitionError, WorkflowDefinition
from workflows.house_rules import project_problems


def validate(
    definition: WorkflowDefinition,
    supplied: Iterable[str] = (),
    *,
    functions: Mapping[str, int] | None = None,
    workflow_type: str = "STANDARD",
) -> None:
    """Raise DefinitionError listing every problem in `definition`: ASL problems first, then
    placeholders without a value (or values without a placeholder) among `supplied`, then this
    project's rules. `functions` maps Lambda placeholders to their functions' timeouts."""
    document = definition.document
    listed: list[str] = [str(problem) for problem in asl_problems(document, workflow_type=workflow_type)]
    try:
        definition.check_values(frozenset(supplied))
    except DefinitionError as error:
        listed.append(str(error).removeprefix(f"{definition.path}: "))
    project = project_problems(document, functions=functions or {}, workflow_type=workflow_type)
    listed.extend(str(problem) for problem in project)
    _raise_listed(definition.path, listed)


def check_asl(definition: WorkflowDefinition, *, workflow_type: str = "STANDARD") -> None:
    """Raise DefinitionError listing what Step Functions would refuse in `definition`: for the
    tools that read a definition without deploying it (diagrams, the cost estimate), which follow
    its transitions and need every one to lead to a state."""
    check_document(definition.document, str(definition.path), workflow_type=workflow_type)


def check_document(
    document: object, label: str = "the definition", *, workflow_type: str = "STANDARD"
) -> dict[str, Any]:
    """`document` (any value, such as parsed JSON) as a definition Step Functions would accept,
    or DefinitionError listing what it would refuse, the message starting with `label`."""
    _raise_listed(label, [str(problem) for problem in asl_problems(document, workflow_type=workflow_type)])
    # asl_problems refuses anything but an object, so only an object gets here.
    return cast(dict[str, Any], document)


def _raise_listed(label: object, listed: list[str]) -> None:
    if listed:
        lines = "\n".join(f"  - {problem}" for problem in listed)
        raise DefinitionError(f"{label}: {len(listed)} problem(s) in the definition:\n{lines}")
