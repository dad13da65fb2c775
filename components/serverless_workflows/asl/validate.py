"""Every check of a definition before anything is declared, in one call.

Two kinds of problem are told apart, so that a user knows which is which:

- ASL problems (`asl_checks.asl_findings`): what AWS Step Functions itself would refuse, and
  warnings of what breaks the Amazon States Language where AWS's documentation does not say
  the service refuses it (tests/fixtures/asl/decisions.md records each decision).
- This project's own rules (`house_rules.project_problems`): valid ASL that the project
  refuses or warns about, by each rule's enforcement level (mandatory, advisory, disabled),
  such as a Lambda task without a timeout or without retries of the transient Lambda errors.
  A level never touches an ASL problem.
- Parameters a called API does not take, or lacks (`sdk_models.parameter_problems`, against the
  service models botocore ships): an AWS SDK task's, and an optimised integration's that is one
  API call. A misspelt parameter would fail only when the state runs.

`pulumi preview` does not know the Lambda ARNs yet, so the checks work on the
definition with its `${Name}` placeholders: a string that is exactly a
placeholder is accepted wherever an ARN or a string is expected. All refusals
are listed at once, and no input, however malformed, raises anything but
`DefinitionError` from `validate`. Warnings are returned, one line each, for the
caller to show once: these functions print nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, cast

from serverless_workflows.asl.asl_checks import asl_findings, asl_problems
from serverless_workflows.asl.definition import DefinitionError, WorkflowDefinition
from serverless_workflows.asl.house_rules import DEFAULT_LEVELS, level_problems, project_problems, refused_rules
from serverless_workflows.asl.sdk_models import parameter_problems

# Where a refused project rule's user reads how to relax it: a page of the package's repository, named by
# its path there, since a program using the installed package has no copy of the docs.
LEVELS_DOC = "docs/components.md#house-rules of the serverless-workflows repository"


def validate(
    definition: WorkflowDefinition,
    supplied: Iterable[str] = (),
    *,
    functions: Mapping[str, int] | None = None,
    workflow_type: str = "STANDARD",
    house_rules: Mapping[str, str] = DEFAULT_LEVELS,
) -> list[str]:
    """Raise DefinitionError listing every refusal in `definition`: ASL problems and parameters the
    called APIs do not take first, then placeholders without a value (or values without a
    placeholder) among `supplied`, then this project's mandatory rules. Otherwise return the
    warnings, one line each: ASL warnings, then the advisory project rules. `functions` maps Lambda
    placeholders to their functions' timeouts; `house_rules` maps a project rule's name to its level
    (a rule left out is mandatory)."""
    if problems := level_problems(house_rules):
        raise ValueError(f"{definition.source}: {'; '.join(problems)}.")
    document = definition.document
    findings = asl_findings(document, workflow_type=workflow_type)
    listed: list[str] = [str(problem) for problem in findings if not problem.warning]
    listed.extend(parameter_problems(document))
    try:
        definition.check_values(frozenset(supplied))
    except DefinitionError as error:
        listed.append(str(error).removeprefix(f"{definition.source}: "))
    project = project_problems(document, functions=functions or {}, workflow_type=workflow_type, levels=house_rules)
    listed.extend(str(problem) for problem in project if not problem.warning)
    refused = refused_rules(project)
    after = (
        f"(project rules refused: {', '.join(refused)}; a project rule can be made advisory or disabled per "
        f"Workflow component, in WorkflowArgs.house_rules (houseRules from Pulumi's other languages), and in that "
        f"repository's own program per stack in houseRules or per workflow in its catalogue entry's house_rules: "
        f"see {LEVELS_DOC})"
        if refused
        else ""
    )
    _raise_listed(definition.source, listed, after)
    return [str(problem) for problem in [*findings, *project] if problem.warning]


def check_asl(definition: WorkflowDefinition, *, workflow_type: str = "STANDARD") -> list[str]:
    """Raise DefinitionError listing what Step Functions would refuse in `definition`: for the
    tools that read a definition without deploying it (diagrams, the cost estimate), which follow
    its transitions and need every one to lead to a state. Otherwise return the ASL warnings."""
    findings = asl_findings(definition.document, workflow_type=workflow_type)
    _raise_listed(definition.source, [str(problem) for problem in findings if not problem.warning])
    return [str(problem) for problem in findings if problem.warning]


def tool_warnings(
    definition: WorkflowDefinition,
    *,
    workflow_type: str = "STANDARD",
    functions: Mapping[str, int] | None = None,
    house_rules: Mapping[str, str] = DEFAULT_LEVELS,
) -> list[str]:
    """`check_asl`, and what the project's rules say of `definition` at `house_rules`' levels:
    for the tools that read a definition without deploying it, so that they warn of what
    `pulumi preview` would warn of (advisory rules) or refuse (mandatory ones, said so) without
    refusing to draw or price a definition someone is still writing."""
    if problems := level_problems(house_rules):
        raise ValueError(f"{definition.source}: {'; '.join(problems)}.")
    listed = check_asl(definition, workflow_type=workflow_type)
    project = project_problems(
        definition.document, functions=functions or {}, workflow_type=workflow_type, levels=house_rules
    )
    for problem in project:
        refused = f" (pulumi preview refuses this: rule {problem.rule} is mandatory)"
        listed.append(str(problem) if problem.warning else f"{problem}{refused}")
    return listed


def check_document(
    document: object, label: str = "the definition", *, workflow_type: str = "STANDARD"
) -> dict[str, Any]:
    """`document` (any value, such as parsed JSON) as a definition Step Functions would accept,
    or DefinitionError listing what it would refuse, the message starting with `label`."""
    _raise_listed(label, [str(problem) for problem in asl_problems(document, workflow_type=workflow_type)])
    # asl_problems refuses anything but an object, so only an object gets here.
    return cast(dict[str, Any], document)


def _raise_listed(label: object, listed: list[str], after: str = "") -> None:
    if listed:
        lines = "\n".join(f"  - {problem}" for problem in listed)
        tail = f"\n{after}" if after else ""
        raise DefinitionError(f"{label}: {len(listed)} problem(s) in the definition:\n{lines}{tail}")
