"""The components as a Pulumi user outside this repository meets them (issue 24): their arguments as
TypedDicts, checked in one line before anything is declared; a definition as a file, a dict or JSON
text; a name derived when none is given; integers that arrive as floats from other languages."""

from __future__ import annotations

import ast
import dataclasses
import inspect
import json
import re
import textwrap
from typing import Any, cast

import pytest

from rehearsal.program import ProgramRun
from serverless_workflows.names import MAX_SCHEDULED_STATE_MACHINE_NAME, MAX_STATE_MACHINE_NAME
from serverless_workflows.workflow import (
    ResolvedSchedule,
    ResolvedWorkflow,
    ScheduleArgs,
    Workflow,
    WorkflowArgs,
    resolve,
)
from tests.support import Declare, document
from workflows.catalogue import SCHEDULED

DEFINITION = json.loads(SCHEDULED.definition_path.read_text())


def declared_nothing(declare: Declare, build: Any, match: str, error: type[Exception] = ValueError) -> str:
    """The one-line refusal `build` meets, after checking that nothing was declared before it."""
    declared = ProgramRun()
    with pytest.raises(error, match=match) as refused:
        declare(build, into=declared)
    assert declared.resources == [], "nothing may be declared before the arguments are refused"
    return str(refused.value)


# --- a definition as a file, a dict or JSON text: exactly one ---------------------------------------


@pytest.mark.parametrize(
    "form",
    [
        {"definition_file": str(SCHEDULED.definition_path)},
        {"definition_document": DEFINITION},
        {"definition_json": SCHEDULED.definition_path.read_text()},
    ],
    ids=["file", "document", "json"],
)
def test_each_form_of_a_definition_deploys_the_same_state_machine(declare: Declare, form: dict[str, Any]) -> None:
    args = cast(WorkflowArgs, {"state_machine_name": "flow", **form})
    run = declare(lambda: Workflow("flow", args))
    assert json.loads(run.named("flow-state-machine").inputs["definition"]) == DEFINITION


@pytest.mark.parametrize(
    ("forms", "found"),
    [
        ({}, "none is given"),
        ({"definition_file": "x.asl.json", "definition_json": "{}"}, "definition_file and definition_json are given"),
    ],
)
def test_a_workflow_needs_exactly_one_form_of_its_definition(
    declare: Declare, forms: dict[str, Any], found: str
) -> None:
    args = cast(WorkflowArgs, {"state_machine_name": "flow", **forms})
    message = declared_nothing(declare, lambda: Workflow("flow", args), "give exactly one of")
    assert message == (
        f"Workflow 'flow': give exactly one of definition_file, definition_document or definition_json; {found}."
    )


def test_a_definition_given_inline_is_checked_and_named_by_the_field_that_held_it(declare: Declare) -> None:
    untimed = {key: value for key, value in DEFINITION.items() if key != "TimeoutSeconds"}
    message = declared_nothing(
        declare,
        lambda: Workflow("flow", WorkflowArgs(definition_document=untimed)),
        "top-level TimeoutSeconds",
        error=ValueError,
    )
    assert message.startswith("Workflow 'flow' definition_document: 1 problem(s) in the definition:")
    not_json = declared_nothing(declare, lambda: Workflow("flow", WorkflowArgs(definition_json="{")), "invalid JSON")
    assert not_json.startswith("Workflow 'flow' definition_json: line 1, column 2: invalid JSON")
    odd = declared_nothing(
        declare, lambda: Workflow("flow", WorkflowArgs(definition_document={"States": {1, 2}})), "cannot be written"
    )
    assert odd.startswith("Workflow 'flow' definition_document: cannot be written as JSON")


# --- a name derived from the component's and the stack's ----------------------------------------------


def test_an_omitted_name_is_the_components_and_the_stacks_and_the_trust_policy_names_it(declare: Declare) -> None:
    run = declare(lambda: Workflow("orders", WorkflowArgs(definition_document=DEFINITION)))
    assert run.named("orders-state-machine").inputs["name"] == "orders-dev"
    condition = document(run, "orders-role", "assumeRolePolicy")["Statement"][0]["Condition"]
    assert condition["ArnLike"]["aws:SourceArn"] == "arn:aws:states:us-east-1:123456789012:stateMachine:orders-dev"


@pytest.mark.parametrize(
    ("schedule", "limit"),
    [(None, MAX_STATE_MACHINE_NAME), (ScheduleArgs(expression="rate(1 day)"), MAX_SCHEDULED_STATE_MACHINE_NAME)],
    ids=["on-demand", "scheduled"],
)
def test_a_derived_name_past_awss_limit_is_shortened_with_a_hash(
    declare: Declare, schedule: ScheduleArgs | None, limit: int
) -> None:
    args = WorkflowArgs(definition_document=DEFINITION)
    if schedule is not None:
        args["schedule"] = schedule
    component = "a.very/long component name " * 4
    run = declare(lambda: Workflow(component, args))
    name = run.named(f"{component}-state-machine").inputs["name"]
    assert len(name) == limit
    assert re.fullmatch(r"a-very-long-component-name-[A-Za-z0-9_-]+-[0-9a-f]{8}", name), name
    assert resolve(component, args).state_machine_name == name, "derived the same on every run"


# --- the arguments' types, read in one line, and integers from other languages -----------------------


def test_whole_numbers_given_as_floats_are_taken_as_integers(declare: Declare) -> None:
    # Pulumi's component provider hands other languages' integers over as floats (3.0).
    schedule = cast(ScheduleArgs, {"expression": "rate(1 day)", "retry_attempts": 3.0, "max_event_age_seconds": 600.0})
    args = cast(WorkflowArgs, {"definition_document": DEFINITION, "log_retention_days": 30.0, "schedule": schedule})
    run = declare(lambda: Workflow("flow", args))
    assert run.named("flow-logs").inputs["retentionInDays"] == 30
    retry = run.named("flow-schedule").inputs["target"]["retryPolicy"]
    assert retry == {"maximumRetryAttempts": 3, "maximumEventAgeInSeconds": 600}
    # Numbers cross the engine's wire as doubles either way: what the component read is what is int.
    read = resolve("flow", args)
    assert read.schedule is not None
    assert (type(read.log_retention_days), type(read.schedule.retry_attempts)) == (int, int)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"schedule": {"expression": "rate(1 day)", "retry_attempts": 2.5}},
            "Workflow 'flow': schedule.retry_attempts must be a whole number, got 2.5 (float).",
        ),
        (
            {"log_retention_days": True},
            "Workflow 'flow': log_retention_days must be a whole number, got True (bool).",
        ),
        (
            {"defintion_json": "{}"},
            "Workflow 'flow': WorkflowArgs has no field 'defintion_json'; its fields are state_machine_name, ",
        ),
        ({"schedule": {"timezone": "UTC"}}, "Workflow 'flow': schedule.expression is required: a string."),
        (
            {"substitutions": ["Arn"]},
            "Workflow 'flow': substitutions must be a map (string keys, each value a string (or an output of one)), "
            "known when the program runs, got ['Arn'] (list).",
        ),
        (
            {"granted_states": "Read"},
            "Workflow 'flow': granted_states must be a list (each item a string), known when the program runs, "
            "got 'Read' (str).",
        ),
        (
            {"functions": {"Fn": {"arn": "arn:aws:lambda:us-east-1:1:function:f"}}},
            "Workflow 'flow': functions.Fn.timeout_seconds is required: a whole number.",
        ),
    ],
    ids=["fraction", "bool", "unknown-field", "nested-required", "map", "list", "function-without-timeout"],
)
def test_arguments_of_another_type_are_refused_in_one_line_before_anything(
    declare: Declare, fields: dict[str, Any], message: str
) -> None:
    args = cast(WorkflowArgs, {"definition_document": DEFINITION, **fields})
    refused = declared_nothing(declare, lambda: Workflow("flow", args), re.escape(message[:40]))
    assert refused.startswith(message)
    assert "\n" not in refused


def test_arguments_that_are_not_a_mapping_are_refused(declare: Declare) -> None:
    message = declared_nothing(declare, lambda: Workflow("flow", cast(WorkflowArgs, ["x"])), "WorkflowArgs")
    assert message == (
        "Workflow 'flow': the arguments must be a WorkflowArgs (a mapping of its fields), got ['x'] (list)."
    )


def test_an_optional_field_given_as_none_counts_as_not_given(declare: Declare) -> None:
    args = cast(WorkflowArgs, {"definition_document": DEFINITION, "schedule": None, "state_machine_name": None})
    run = declare(lambda: Workflow("flow", args))
    assert run.named("flow-state-machine").inputs["name"] == "flow-dev"
    assert not run.of_type("aws:scheduler/schedule:Schedule")


# --- every default documented where the schema will read it -------------------------------------------


def field_docs(cls: type) -> dict[str, str]:
    """Each annotated field of `cls` -> the string literal right after it, as Pulumi's component
    analyzer reads a field's description (from the class's source)."""
    (body,) = ast.parse(textwrap.dedent(inspect.getsource(cls))).body
    assert isinstance(body, ast.ClassDef)
    docs: dict[str, str] = {}
    for statement, following in zip(body.body, [*body.body[1:], None], strict=True):
        if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
            literal = following.value if isinstance(following, ast.Expr) else None
            docs[statement.target.id] = str(literal.value) if isinstance(literal, ast.Constant) else ""
    return docs


def documented_default(doc: str) -> str:
    found = re.search(r"Default: (.+)", " ".join(doc.split()))
    assert found is not None
    return found.group(1)


ARGS_AND_DEFAULTS = [(WorkflowArgs, ResolvedWorkflow), (ScheduleArgs, ResolvedSchedule)]


@pytest.mark.parametrize(("args_type", "resolved"), ARGS_AND_DEFAULTS, ids=lambda t: t.__name__)
def test_every_field_is_described_and_every_optional_one_says_its_default(args_type: type, resolved: type) -> None:
    docs = field_docs(args_type)
    assert set(docs) == set(args_type.__annotations__)
    assert all(docs.values()), [name for name, doc in docs.items() if not doc]
    optional: frozenset[str] = args_type.__optional_keys__  # type: ignore[attr-defined]
    undocumented = sorted(name for name in optional if "Default: " not in docs[name])
    assert undocumented == [], f"{args_type.__name__}: no 'Default: ...' for {', '.join(undocumented)}"
    defaults = {item.name: item.default for item in dataclasses.fields(resolved)}
    for name in sorted(optional & set(defaults)):
        default = defaults[name]
        if isinstance(default, bool | int | str) and default != "":
            assert documented_default(docs[name]).startswith(str(default)), (name, default)
