"""Catalogue entries as a person writes them by hand: every mistake is a one-line problem that
names the entry, the field and what is allowed, before any resource is declared."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path
from typing import Any

import pytest

from deployment import plan
from rehearsal.program import ProgramRun
from serverless_workflows import workflow
from serverless_workflows.asl.definition import MAX_DEFINITION_CHARACTERS, DefinitionError, WorkflowDefinition
from serverless_workflows.workflow import ScheduleArgs, WorkflowArgs
from settings import StackSettings
from tests.support import (
    EXAMPLE_AS_WRITTEN,
    NIGHTLY_REPORT,
    TEAM_AS_WRITTEN,
    TUTORIALS,
    Deploy,
    clear_of,
    definition_file,
    document,
)
from workflows.catalogue import CALL_CENTER, CATALOGUE, SCHEDULED
from workflows.outputs import STACK_OUTPUTS
from workflows.spec import (
    CatalogueError,
    Queue,
    Table,
    Topic,
    Value,
    WorkflowSpec,
    check_catalogue,
)

replace = dataclasses.replace


def problems(catalogue: Any) -> list[str]:
    """The problems check_catalogue lists for `catalogue`, one line each."""
    with pytest.raises(CatalogueError) as error:
        check_catalogue(catalogue)
    header, *lines = str(error.value).splitlines()
    assert header == f"workflows/catalogue.py: {len(lines)} problem(s):"
    assert all(line.startswith("  - ") for line in lines), lines
    return [line.removeprefix("  - ") for line in lines]


def with_function(**changes: Any) -> WorkflowSpec:
    """The call-center entry with its first function changed."""
    first, *others = CALL_CENTER.functions
    return replace(CALL_CENTER, functions=(replace(first, **changes), *others))


def with_schedule(**changes: Any) -> WorkflowSpec:
    """The scheduled entry with its schedule changed."""
    assert SCHEDULED.schedule is not None
    return replace(SCHEDULED, schedule=replace(SCHEDULED.schedule, **changes))


def test_the_tutorials_catalogue_passes() -> None:
    check_catalogue(CATALOGUE)


# --- field types, checked before anything reads the fields --------------------------------


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        (replace(SCHEDULED, name=None), "catalogue entry 1: name must be str; got None (NoneType)."),
        (replace(SCHEDULED, name=5), "catalogue entry 1: name must be str; got 5 (int)."),
        (
            replace(SCHEDULED, definition=None),
            "workflow 'scheduled': definition must be str | Path; got None (NoneType).",
        ),
        (
            replace(CALL_CENTER, functions=("open-case",)),
            "workflow 'call-center': functions[0] must be FunctionSpec; got 'open-case' (str).",
        ),
        (
            replace(SCHEDULED, integrations=("topic",)),
            "workflow 'scheduled': integrations[0] must be Topic | Queue | Table | WorkflowRef | Value; "
            "got 'topic' (str).",
        ),
        (
            with_function(timeout_seconds="5"),
            "workflow 'call-center': functions[0].timeout_seconds must be int; got '5' (str).",
        ),
        (
            # A bool is an int to Python, never a size to a person.
            with_function(memory_mb=True),
            "workflow 'call-center': functions[0].memory_mb must be int; got True (bool).",
        ),
        (
            with_function(environment={"TABLE": 5}),
            "workflow 'call-center': functions[0].environment['TABLE'] must be str; got 5 (int).",
        ),
        (
            with_schedule(payload=[1]),
            "workflow 'scheduled': schedule.payload must be Mapping[str, Any]; got [1] (list).",
        ),
        (
            with_schedule(payload={1: "one"}),
            "workflow 'scheduled': schedule.payload key must be str; got 1 (int).",
        ),
        (
            replace(SCHEDULED, granted_states={"Hello"}),
            "workflow 'scheduled': granted_states must be frozenset[str]; got {'Hello'} (set).",
        ),
        (
            replace(SCHEDULED, executions_per_month="many"),
            "workflow 'scheduled': executions_per_month must be float | None; got 'many' (str).",
        ),
    ],
)
def test_a_field_of_the_wrong_type_is_named_with_the_type_it_must_have(entry: WorkflowSpec, problem: str) -> None:
    catalogue = (entry, CALL_CENTER) if entry.name != "call-center" else (SCHEDULED, entry)
    assert problems(catalogue) == [problem]


def test_a_string_for_enabled_is_refused_since_any_non_empty_string_would_enable_the_schedule() -> None:
    assert problems((with_schedule(enabled="false"), CALL_CENTER)) == [
        "workflow 'scheduled': schedule.enabled must be bool; got 'false' (str)."
    ]


def test_a_value_that_is_not_a_string_is_refused_since_it_would_render_as_nothing() -> None:
    entry = replace(SCHEDULED, integrations=(Value("Retries", 5),))  # type: ignore[arg-type]
    assert problems((entry, CALL_CENTER)) == ["workflow 'scheduled': integrations[0].value must be str; got 5 (int)."]


def test_a_statement_that_is_not_a_mapping_is_refused() -> None:
    entry = replace(SCHEDULED, statements=({"Effect": "Allow"}, "s3:GetObject"))
    assert problems((entry, CALL_CENTER)) == [
        "workflow 'scheduled': statements[1] must be Mapping[str, Any]; got 's3:GetObject' (str)."
    ]
    function = with_function(statements=(["dynamodb:GetItem"],))
    assert problems((SCHEDULED, function)) == [
        "workflow 'call-center': functions[0].statements[0] must be Mapping[str, Any]; got ['dynamodb:GetItem'] (list)."
    ]


def test_a_long_value_is_cut_short_in_the_problem() -> None:
    (problem,) = problems((SCHEDULED, replace(CALL_CENTER, functions=list(CALL_CENTER.functions))))
    assert problem.startswith("workflow 'call-center': functions must be tuple[FunctionSpec, ...]; got [FunctionSpec(")
    assert problem.endswith("... (list).")
    assert len(problem) < 200


def test_an_entry_that_is_not_a_workflow_spec_is_named_by_its_place() -> None:
    assert problems((SCHEDULED, "call-center")) == [
        "catalogue entry 2 must be a WorkflowSpec; got 'call-center' (str)."
    ]
    (problem,) = problems([SCHEDULED, CALL_CENTER])
    assert problem.startswith("the catalogue must be a tuple of WorkflowSpec; got [WorkflowSpec(")


def test_every_wrong_type_of_every_entry_is_listed_at_once() -> None:
    listed = problems((replace(SCHEDULED, name=None, type=3), with_function(timeout_seconds="5", runtime=None)))
    assert listed == [
        "catalogue entry 1: name must be str; got None (NoneType).",
        "catalogue entry 1: type must be str; got 3 (int).",
        "workflow 'call-center': functions[0].timeout_seconds must be int; got '5' (str).",
        "workflow 'call-center': functions[0].runtime must be str; got None (NoneType).",
    ]


@pytest.mark.parametrize(
    "catalogue",
    [
        # The stack's settings read the schedule's payload before deployment.plan runs.
        (with_schedule(payload=[1]), CALL_CENTER),
        (SCHEDULED, with_function(timeout_seconds="5")),
    ],
    ids=["payload-read-by-the-settings", "timeout-read-by-the-component-checks"],
)
def test_a_wrong_type_stops_the_program_before_any_resource(deploy: Deploy, catalogue: Any) -> None:
    declared = ProgramRun()
    with pytest.raises(CatalogueError, match=r"must be (Mapping\[str, Any\]|int); got"):
        deploy(catalogue=catalogue, into=declared)
    assert declared.resources == []


# --- placeholders: the names the definition's `${Name}` pattern takes --------------------------


@pytest.mark.parametrize("placeholder", ["Fn", "fn_2", "A"])
def test_a_placeholder_the_definitions_pattern_takes_is_accepted(placeholder: str) -> None:
    check_catalogue((with_function(placeholder=placeholder), SCHEDULED))


# "Fn\n" passed while the catalogue had a pattern of its own (`$` matches before a final newline),
# though no `${Fn\n}` in a definition is a placeholder.
@pytest.mark.parametrize("placeholder", ["1Fn", "Fn-Arn", "Fn Arn", "${Fn}", "Fn\n", ""])
def test_a_placeholder_the_definitions_pattern_does_not_take_is_refused(placeholder: str) -> None:
    assert problems((with_function(placeholder=placeholder), SCHEDULED)) == [
        f"workflow 'call-center': placeholder {placeholder!r} must be a letter then letters, digits or '_'."
    ]


# --- a schedule's payload is sent as JSON, and Step Functions takes at most 256 KiB -------


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        ({"x": {1, 2}}, "Object of type set is not JSON serializable"),
        # Python writes these as NaN and Infinity, which no JSON parser accepts.
        ({"x": float("inf")}, "Out of range float values are not JSON compliant"),
        ({"x": [float("nan")]}, "Out of range float values are not JSON compliant"),
    ],
)
def test_a_payload_that_is_not_json_is_refused(payload: dict[str, Any], reason: str) -> None:
    assert problems((with_schedule(payload=payload), CALL_CENTER)) == [
        f"workflow 'scheduled': schedule.payload is not JSON ({reason}); use dicts with str keys, lists, str, "
        "int, finite float, bool and None."
    ]


def test_a_payload_over_256_kib_is_refused_and_one_of_exactly_256_kib_is_not() -> None:
    envelope = len(json.dumps({"x": ""}))
    check_catalogue((with_schedule(payload={"x": "a" * (262_144 - envelope)}), CALL_CENTER))
    assert problems((with_schedule(payload={"x": "a" * (262_145 - envelope)}), CALL_CENTER)) == [
        "workflow 'scheduled': schedule.payload is 262,145 bytes as JSON; Step Functions accepts at most "
        "262,144 (256 KiB) of input (pass a reference, such as an S3 key, instead of the data)."
    ]


def test_a_payload_that_is_not_json_stops_the_program_before_any_resource(deploy: Deploy) -> None:
    # Without the check, encoding it failed in the Workflow component, after dozens of resources.
    assert NIGHTLY_REPORT.schedule is not None
    unsendable = replace(NIGHTLY_REPORT, schedule=replace(NIGHTLY_REPORT.schedule, payload={"days": {1, 2}}))
    declared = ProgramRun()
    with pytest.raises(
        CatalogueError, match=re.escape(f"workflow '{NIGHTLY_REPORT.name}': schedule.payload is not JSON")
    ):
        deploy(catalogue=(*CATALOGUE, unsendable), into=declared)
    assert declared.resources == []


@pytest.mark.parametrize(
    ("payload", "problem"),
    [
        ({"x": {1, 2}}, "is not JSON (Object of type set is not JSON serializable)"),
        ({"x": "a" * 300_000}, "is 300,009 bytes as JSON; Step Functions accepts at most 262,144 (256 KiB) of input"),
    ],
)
def test_the_workflow_component_refuses_such_a_payload_given_by_code(payload: dict[str, Any], problem: str) -> None:
    # The catalogue and stack config are checked before; a program using the component directly is not.
    schedule = ScheduleArgs(expression="rate(1 minute)", payload=payload)
    args = WorkflowArgs(state_machine_name="flow", definition_file=str(SCHEDULED.definition_path), schedule=schedule)
    with pytest.raises(ValueError, match="the schedule payload") as error:
        workflow.validate("flow", args)
    assert str(error.value).startswith(f"Workflow 'flow': the schedule payload {problem}")


# --- shortcut outputs share the stack's output names -------------------------------------


@pytest.mark.parametrize("name", STACK_OUTPUTS)
def test_a_shortcut_output_may_not_take_the_name_of_a_stack_output(name: str) -> None:
    entry = replace(SCHEDULED, shortcut_outputs={**SCHEDULED.shortcut_outputs, name: "stateMachineArn"})
    assert problems((entry, CALL_CENTER)) == [
        f"workflow 'scheduled': shortcut output {name!r} has the name of a stack output (workflows, alarmTopicArn, "
        "dashboardUrl, monthlyCostEstimate); choose another name."
    ]


def test_a_shortcut_output_may_not_take_the_name_of_another_entrys_shortcut() -> None:
    entry = replace(CALL_CENTER, shortcut_outputs={**CALL_CENTER.shortcut_outputs, "scheduleName": "consoleUrl"})
    assert problems((SCHEDULED, entry)) == [
        "workflow 'call-center': shortcut output 'scheduleName' is also declared by workflow 'scheduled'; "
        "shortcut output names are unique in the stack."
    ]


def test_the_stack_outputs_are_the_reserved_names_and_the_shortcuts(deploy: Deploy) -> None:
    # Keeps STACK_OUTPUTS complete: an output added to the stack but not to it could be taken by a shortcut.
    shortcuts = {name for spec in CATALOGUE for name in spec.shortcut_outputs}
    assert set(deploy().outputs) == set(STACK_OUTPUTS) | shortcuts


# --- the suite's own entries beside a team's ----------------------------------------------


def test_the_suites_entries_are_renamed_clear_of_a_catalogue_that_already_uses_their_names() -> None:
    # A team follows the recipe literally: the worked example goes into the catalogue under its
    # own names, with a shortcut output of the kind the tutorials declare, and so do workflows
    # like the team fixtures. The suite then adds the same entries as its fixtures.
    shortcuts = {
        "nightlyReportArn": "stateMachineArn",
        "buildReportFunctionName": "functions.build-report.functionName",
    }
    example = replace(EXAMPLE_AS_WRITTEN, shortcut_outputs=shortcuts)
    teams = (*TUTORIALS, example, *TEAM_AS_WRITTEN)
    check_catalogue(teams)
    suites = (example, *TEAM_AS_WRITTEN)
    assert any("declared 2 times" in problem for problem in problems((*teams, *suites)))  # the collision is real

    cleared = clear_of(teams, suites)
    check_catalogue((*teams, *cleared))
    assert not {spec.name for spec in cleared} & {spec.name for spec in teams}
    taken_functions = {function.name for spec in teams for function in spec.functions}
    assert not {function.name for spec in cleared for function in spec.functions} & taken_functions
    assert not {output for spec in cleared for output in spec.shortcut_outputs} & set(shortcuts)
    # Renamed, not changed: the same definitions, handlers and outputs, under names of their own.
    for entry, renamed in zip(suites, cleared, strict=True):
        assert renamed.definition == entry.definition
        assert [f.handler for f in renamed.functions] == [f.handler for f in entry.functions]
        assert len(renamed.shortcut_outputs) == len(entry.shortcut_outputs)
    (cleared_example, *_) = cleared
    assert sorted(cleared_example.shortcut_outputs.values()) == sorted(
        path.replace("build-report", cleared_example.functions[0].name) for path in shortcuts.values()
    )
    # Two of the same entry are renamed clear of each other too.
    check_catalogue((*teams, *clear_of(teams, (example, example))))
    # A catalogue that uses none of the names leaves the entries as they are.
    assert clear_of(TUTORIALS, suites) == suites


# --- a definition file as Step Functions will take it -------------------------------------


def write_definition(tmp_path: Path, content: str | bytes) -> Path:
    path = tmp_path / "flow.asl.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def hello(**fields: Any) -> dict[str, Any]:
    """A one-state definition; `fields` go into its state."""
    state = {"Type": "Pass", "End": True, **fields}
    return {"StartAt": "Hello", "TimeoutSeconds": 60, "States": {"Hello": state}}


def refusal(path: Path) -> str:
    with pytest.raises(DefinitionError) as error:
        WorkflowDefinition.load(path)
    message = str(error.value)
    assert message.startswith(f"{path}: ")
    assert "\n" not in message
    return message.removeprefix(f"{path}: ")


def test_a_definition_over_1_mb_as_deployed_is_refused(tmp_path: Path) -> None:
    stem = len(json.dumps(hello(Result=""), separators=(",", ":")))
    at_limit = hello(Result="a" * (MAX_DEFINITION_CHARACTERS - stem))
    # Indented, the file is longer than the limit; deployed compact, the definition is not.
    WorkflowDefinition.load(write_definition(tmp_path, json.dumps(at_limit, indent=4)))
    over = hello(Result="a" * (MAX_DEFINITION_CHARACTERS - stem + 1))
    assert refusal(write_definition(tmp_path, json.dumps(over))) == (
        "the definition is 1,048,577 characters as deployed (compact JSON); Step Functions accepts at most "
        "1,048,576 (1 MB). Move part of it into a workflow of its own and start that one (a WorkflowRef)."
    )


def test_a_key_written_twice_in_a_definition_is_refused_naming_it(tmp_path: Path) -> None:
    text = '{"StartAt": "Hello", "States": {"Hello": {"Type": "Pass", "Result": 1, "Result": 2, "End": true}}}'
    assert refusal(write_definition(tmp_path, text)) == (
        "key 'Result' appears twice in one object; JSON keeps only the last, so the first would silently "
        "vanish. Keep one (rename a state if two share a name)."
    )


def test_a_definition_nested_too_deeply_is_refused_naming_the_file(tmp_path: Path) -> None:
    text = json.dumps(hello(Result="deep")).replace('"deep"', "[" * 100_000 + "]" * 100_000)
    assert refusal(write_definition(tmp_path, text)) == (
        "the JSON is nested too deeply to read; no definition needs that."
    )


def test_a_definition_that_is_not_utf_8_is_refused_naming_the_file(tmp_path: Path) -> None:
    latin1 = json.dumps(hello(Comment="café"), ensure_ascii=False).encode("latin-1")
    where = latin1.index("é".encode("latin-1"))
    assert refusal(write_definition(tmp_path, latin1)) == (
        f"byte {where} is not UTF-8 (invalid continuation byte); save the file as UTF-8."
    )


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_or_infinity_in_a_definition_is_refused_since_it_would_deploy_as_non_json(
    tmp_path: Path, constant: str
) -> None:
    text = json.dumps(hello(Result=0)).replace('"Result": 0', f'"Result": {constant}')
    assert refusal(write_definition(tmp_path, text)) == (
        f"{constant} is not JSON; write a number, or the value as a string."
    )


def test_a_broken_definition_file_stops_the_program_before_any_resource(deploy: Deploy, tmp_path: Path) -> None:
    text = SCHEDULED.definition_path.read_text().replace('"Type": "Pass",', '"Type": "Pass", "Type": "Task",', 1)
    duplicated = replace(SCHEDULED, definition=write_definition(tmp_path, text))
    declared = ProgramRun()
    with pytest.raises(DefinitionError, match=r"flow.asl.json: key 'Type' appears twice in one object"):
        deploy(catalogue=(duplicated, CALL_CENTER), into=declared)
    assert declared.resources == []


# --- what the checks accepted silently -----------------------------------------------------


def test_an_outcome_status_must_be_one_a_step_functions_execution_can_end_with() -> None:
    assert CALL_CENTER.smoke_test is not None
    passed = replace(CALL_CENTER.smoke_test.outcomes[0], status="PASSED")
    entry = replace(CALL_CENTER, smoke_test=replace(CALL_CENTER.smoke_test, outcomes=(passed,)))
    assert problems((SCHEDULED, entry)) == [
        "workflow 'call-center': smoke_test.outcomes[0].status 'PASSED' is not one of SUCCEEDED, FAILED, "
        "TIMED_OUT, ABORTED."
    ]


def test_a_smoke_test_needs_an_outcome() -> None:
    assert CALL_CENTER.smoke_test is not None
    entry = replace(CALL_CENTER, smoke_test=replace(CALL_CENTER.smoke_test, outcomes=()))
    assert problems((SCHEDULED, entry)) == [
        "workflow 'call-center': smoke_test.outcomes is empty; list at least one Outcome, or set smoke_test=None."
    ]


def test_an_empty_catalogue_is_refused() -> None:
    assert problems(()) == ["the catalogue is empty; it needs at least one WorkflowSpec."]


def test_an_entry_declared_twice_lists_its_problem_once() -> None:
    assert problems((SCHEDULED, SCHEDULED, CALL_CENTER)) == [
        "workflow 'scheduled' is declared 2 times; workflow names are unique."
    ]
    broken = replace(SCHEDULED, type="BATCH")
    assert problems((broken, broken, CALL_CENTER)) == [
        "workflow 'scheduled' is declared 2 times; workflow names are unique.",
        "workflow 'scheduled': type 'BATCH' is not one of STANDARD, EXPRESS.",
    ]


def test_a_function_declared_twice_in_one_entry_is_refused() -> None:
    # Another placeholder, so that nothing but the name repeats: two Lambda functions of one name.
    again = replace(CALL_CENTER.functions[0], placeholder="OpenCaseAgainArn")
    twice = replace(CALL_CENTER, functions=(*CALL_CENTER.functions, again))
    try:
        check_catalogue((SCHEDULED, twice))
    except CatalogueError as error:
        refused = str(error)
    else:
        pytest.fail("workflow 'call-center' declares function 'open-case' twice, and the catalogue accepted it")
    assert (
        "workflow 'call-center': function 'open-case' is also declared by workflow 'call-center'; "
        "function names are unique in the catalogue."
    ) in refused


def test_an_empty_catalogue_stops_the_program_before_any_resource(deploy: Deploy) -> None:
    declared = ProgramRun()
    with pytest.raises(CatalogueError, match="the catalogue is empty"):
        deploy(catalogue=(), into=declared)
    assert declared.resources == []


def test_granted_states_must_name_states_of_the_definition_at_any_depth(tmp_path: Path) -> None:
    read = {
        "Type": "Task",
        "Resource": "arn:aws:states:::aws-sdk:s3:getObject",
        "Parameters": {"Bucket": "b", "Key": "k"},
        "End": True,
    }
    branch = {"StartAt": "Read", "States": {"Read": read}}
    document = {
        "StartAt": "Fan",
        "TimeoutSeconds": 60,
        "States": {"Fan": {"Type": "Parallel", "Branches": [branch], "End": True}},
    }
    definition = str(write_definition(tmp_path, json.dumps(document)))
    workflow.validate(
        "flow", WorkflowArgs(state_machine_name="flow", definition_file=definition, granted_states=["Read"])
    )
    with pytest.raises(ValueError, match="granted_states names") as error:
        workflow.validate(
            "flow",
            WorkflowArgs(
                state_machine_name="flow", definition_file=definition, granted_states=["Read", "Raed", "Write"]
            ),
        )
    assert str(error.value) == (
        "Workflow 'flow': granted_states names 'Raed', 'Write', which the definition does not have; "
        "its states: Fan, Read."
    )


def test_a_granted_state_the_definition_does_not_have_stops_the_program_before_any_resource(deploy: Deploy) -> None:
    declared = ProgramRun()
    with pytest.raises(ValueError, match=r"granted_states names 'Helo', which the definition does not have"):
        deploy(catalogue=(replace(SCHEDULED, granted_states=frozenset({"Helo"})), CALL_CENTER), into=declared)
    assert declared.resources == []


def test_a_number_past_a_doubles_range_in_a_definition_is_refused(tmp_path: Path) -> None:
    text = json.dumps(hello(Result=0)).replace('"Result": 0', '"Result": 1e999')
    assert refusal(write_definition(tmp_path, text)) == (
        "1e999 is too large for a JSON number (at most about 1.8e308); write a number, or the value as a string."
    )


# The longest name AWS takes for each: SNS CreateTopic, SQS CreateQueue, DynamoDB CreateTable.
AWS_NAME_LIMITS = [(Topic, 256), (Queue, 80), (Table, 255)]


@pytest.mark.parametrize(("kind", "limit"), AWS_NAME_LIMITS, ids=lambda value: getattr(value, "__name__", value))
def test_a_resource_name_of_awss_maximum_length_is_taken_and_one_longer_is_refused(
    tmp_path: Path, kind: type[Topic | Queue | Table], limit: int
) -> None:
    settings = StackSettings(stack="dev")
    definition = definition_file(tmp_path, "names", {"Done": {"Type": "Pass", "Result": "${Made}", "End": True}})
    stem = len(settings.physical_name("names-"))  # the workflow's name and the resource's, joined

    def entry(length: int) -> WorkflowSpec:
        made = kind(name="x" * (length - stem), placeholder="Made")
        return WorkflowSpec(name="names", title="Names", definition=definition, integrations=(made,))

    try:
        plan((entry(limit),), settings)
    except ValueError as error:
        pytest.fail(
            f"a {kind.__name__.lower()} name of exactly {limit} characters, AWS's maximum, was refused: {error}"
        )
    try:
        plan((entry(limit + 1),), settings)
    except ValueError as error:
        assert f"has {limit + 1} characters; AWS allows {limit}. Shorten" in str(error)  # noqa: PT017
    else:
        pytest.fail(f"a {kind.__name__.lower()} name of {limit + 1} characters, over AWS's maximum, was taken")


# --- the roles a workflow may pass (passable_roles) -------------------------------------------

ROLE_ARN = "arn:aws:iam::123456789012:role/worker"
RUN_TASK = {
    "Run": {
        "Type": "Task",
        "Resource": "arn:aws:states:::ecs:runTask",
        "Parameters": {"Cluster": "jobs", "TaskDefinition": "resize"},
        "End": True,
    }
}


@pytest.mark.parametrize(
    ("roles", "problem"),
    [
        ([ROLE_ARN], f"passable_roles must be tuple[str, ...]; got ['{ROLE_ARN}'] (list)."),
        ((ROLE_ARN, 5), "passable_roles[1] must be str; got 5 (int)."),
    ],
)
def test_passable_roles_of_the_wrong_type_are_named_with_the_type_they_must_have(roles: Any, problem: str) -> None:
    assert problems((replace(SCHEDULED, passable_roles=roles), CALL_CENTER)) == [f"workflow 'scheduled': {problem}"]


def test_a_passable_role_is_a_role_arn_or_a_placeholder_the_entry_fills() -> None:
    entry = replace(SCHEDULED, passable_roles=("worker", "${Missing}", ROLE_ARN))
    assert problems((entry, CALL_CENTER)) == [
        "workflow 'scheduled': passable_roles holds 'worker'; each is a role ARN or a ${Name} placeholder.",
        "workflow 'scheduled': passable_roles use ${Missing}, which no function or integration fills.",
    ]


def test_passable_roles_reach_the_role_even_through_a_placeholder_nothing_else_uses(
    deploy: Deploy, tmp_path: Path
) -> None:
    # ${TaskRole} and ${Bucket} are used only by passable_roles and by the entry's statements: the
    # definition does not use them, and its check must not refuse their values.
    execution_role = "arn:aws:iam::123456789012:role/execution"
    entry = WorkflowSpec(
        name="jobs",
        title="Jobs",
        definition=definition_file(tmp_path, "jobs", RUN_TASK),
        integrations=(Value("TaskRole", ROLE_ARN), Value("Bucket", "reports")),
        passable_roles=("${TaskRole}", execution_role),
        statements=({"Sid": "ReadReports", "Effect": "Allow", "Action": "s3:GetObject",
                     "Resource": "arn:aws:s3:::${Bucket}/*"},),
    )  # fmt: skip
    statements = document(deploy(catalogue=(*CATALOGUE, entry)), "jobs-policy", "policy")["Statement"]
    assert statements[-2:] == [
        {"Sid": "PassRolesToEcsTasks", "Effect": "Allow", "Action": ["iam:PassRole"],
         "Resource": [execution_role, ROLE_ARN],
         "Condition": {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}}},
        {"Sid": "ReadReports", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/*"},
    ]  # fmt: skip


def test_the_component_takes_values_passable_roles_and_statements_use_and_refuses_one_nothing_uses(
    tmp_path: Path,
) -> None:
    definition = str(definition_file(tmp_path, "jobs", RUN_TASK))
    statement = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::${Bucket}/*"}
    used = {"TaskRole": ROLE_ARN, "Bucket": "reports"}
    args = WorkflowArgs(state_machine_name="jobs", definition_file=definition, substitutions=used,
                        passable_roles=["${TaskRole}"], extra_statements=[statement])  # fmt: skip
    workflow.validate("jobs", args)
    with pytest.raises(DefinitionError, match="value\\(s\\) given for Spare, which the definition does not use"):
        workflow.validate("jobs", {**args, "substitutions": {**used, "Spare": "x"}})
    with pytest.raises(ValueError, match=r"extra_statements use \$\{Bucket\}, which substitutions do not fill"):
        workflow.validate("jobs", {**args, "substitutions": {"TaskRole": ROLE_ARN}})
