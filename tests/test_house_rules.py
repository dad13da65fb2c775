"""This project's rules as policy: each rule's enforcement level, set per stack (`houseRules`) and
per workflow (the catalogue entry's `house_rules`), refuses, warns or skips; no level touches what
AWS refuses; and the warnings are one line each, once per run, wherever the checks run.

The definitions brought "as published" are tests/fixtures/house_rules/ (see tests/support.py).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

import stack_files
from ops.__main__ import main as ops_main
from rehearsal.program import ProgramRun, stack_config
from serverless_workflows.asl.asl_checks import asl_problems
from serverless_workflows.asl.definition import DefinitionError, WorkflowDefinition
from serverless_workflows.asl.house_rules import (
    ADVISORY,
    CALLBACK_TASK_TIMEOUT,
    DISABLED,
    MANDATORY,
    RULE_NAMES,
    TOP_LEVEL_TIMEOUT,
    project_problems,
)
from serverless_workflows.asl.validate import LEVELS_DOC, validate
from serverless_workflows.workflow import WorkflowArgs, resolve
from serverless_workflows.workflow import validate as validate_workflow
from tests.support import (
    CUSTOM_ERROR_DEFINITION,
    SUITE_CATALOGUE,
    TUTORIALS,
    UNTIMED_DEFINITION,
    Deploy,
    brought,
    with_config,
)
from workflows import diagram
from workflows.spec import CatalogueError, Outcome, SmokeTest, check_catalogue

if TYPE_CHECKING:
    # Annotations only: the rehearsal layer's fixtures import moto, which takes a second or two.
    from rehearsal.moto_aws import InMemoryAws

UNTIMED = WorkflowDefinition.load(UNTIMED_DEFINITION)
ALL_DISABLED = dict.fromkeys(RULE_NAMES, DISABLED)
# What the component says of the brought workflow's missing timeout, advisory, once declared.
ADVISORY_WARNING = (
    "Workflow 'serverless-workflows-dev-legacy': project rule top-level-timeout (advisory): this project "
    "requires a top-level TimeoutSeconds: top-level TimeoutSeconds is missing or not a positive integer; "
    "without one a stuck execution runs for up to a year."
)


def _task(resource: str, **fields: Any) -> dict[str, Any]:
    return {"StartAt": "Call", "TimeoutSeconds": 60, "States": {"Call": {"Type": "Task", "Resource": resource,
                                                                          "End": True, **fields}}}  # fmt: skip


# --- the validator: levels --------------------------------------------------------------------


def test_a_mandatory_rule_refuses_and_names_the_rule_to_relax() -> None:
    with pytest.raises(DefinitionError) as error:
        validate(UNTIMED)
    lines = str(error.value).splitlines()
    # The refusal reads as before, then names the rule and where its level is set.
    assert lines[1] == (
        "  - project rule: this project requires a top-level TimeoutSeconds: top-level TimeoutSeconds is missing "
        "or not a positive integer; without one a stuck execution runs for up to a year."
    )
    assert lines[2] == (
        "(project rules refused: top-level-timeout; a project rule can be made advisory or disabled per Workflow "
        "component, in WorkflowArgs.house_rules (houseRules from Pulumi's other languages), and in that repository's "
        "own program per stack in houseRules or per workflow in its catalogue entry's house_rules: see "
        f"{LEVELS_DOC})"
    )


def test_an_advisory_rule_warns_naming_the_rule_and_a_disabled_one_says_nothing() -> None:
    assert validate(UNTIMED, house_rules={TOP_LEVEL_TIMEOUT: ADVISORY}) == [
        "project rule top-level-timeout (advisory): this project requires a top-level TimeoutSeconds: top-level "
        "TimeoutSeconds is missing or not a positive integer; without one a stuck execution runs for up to a year."
    ]
    assert validate(UNTIMED, house_rules={TOP_LEVEL_TIMEOUT: DISABLED}) == []


def test_a_rule_left_out_keeps_its_default_level() -> None:
    with pytest.raises(DefinitionError, match="top-level-timeout"):
        validate(UNTIMED, house_rules={CALLBACK_TASK_TIMEOUT: DISABLED})


@pytest.mark.parametrize(
    ("levels", "named"),
    [({"top-level-timout": ADVISORY}, "'top-level-timout' is no house rule"),
     ({TOP_LEVEL_TIMEOUT: "warn"}, "house rule top-level-timeout has level 'warn'")],
)  # fmt: skip
def test_an_unknown_rule_or_level_is_refused_naming_what_there_is(levels: dict[str, str], named: str) -> None:
    with pytest.raises(ValueError, match=named) as error:
        validate(UNTIMED, house_rules=levels)
    assert "top-level-timeout, lambda-task-timeout" in str(error.value) or "mandatory, advisory, disabled" in str(
        error.value
    )


def test_no_level_weakens_what_aws_refuses(tmp_path: Path) -> None:
    broken = copy.deepcopy(UNTIMED.document)
    del broken["States"]["World"]["End"]
    broken["States"]["World"]["Next"] = "Nowhere"
    path = tmp_path / "broken.asl.json"
    path.write_text(json.dumps(broken))
    with pytest.raises(DefinitionError, match="Next names 'Nowhere', which is not a state"):
        validate(WorkflowDefinition.load(path), house_rules=ALL_DISABLED)
    assert asl_problems(broken)


# --- the new rule: a task that waits has a timeout or a heartbeat ----------------------------


@pytest.mark.parametrize(
    "resource",
    ["arn:aws:states:::sqs:sendMessage.waitForTaskToken", "arn:aws:states:::ecs:runTask.sync",
     "arn:aws:states:::states:startExecution.sync:2", "arn:aws:states:::aws-sdk:sfn:startExecution.waitForTaskToken"],
)  # fmt: skip
def test_a_task_that_waits_needs_a_timeout_or_a_heartbeat(resource: str) -> None:
    (problem,) = project_problems(_task(resource))
    assert problem.rule == CALLBACK_TASK_TIMEOUT
    assert problem.where == "state 'Call'"
    assert "to set TimeoutSeconds or HeartbeatSeconds (or a Path form)" in problem.message
    for bound in ({"TimeoutSeconds": 3600}, {"HeartbeatSeconds": 60}, {"TimeoutSecondsPath": "$.t"},
                  {"HeartbeatSecondsPath": "$.h"}):  # fmt: skip
        assert project_problems(_task(resource, **bound)) == []


def test_a_request_response_task_need_not_set_a_timeout() -> None:
    assert project_problems(_task("arn:aws:states:::sqs:sendMessage")) == []


def test_the_catalogues_definitions_and_the_suites_pass_the_new_rule() -> None:
    for spec in SUITE_CATALOGUE:
        waiting = [p for p in project_problems(spec.load_definition().document) if p.rule == CALLBACK_TASK_TIMEOUT]
        assert waiting == [], spec.name


# --- through stack config and through a catalogue override ----------------------------------


def _refused_before_anything_is_declared(deploy: Deploy, **inputs: Any) -> str:
    run = ProgramRun()
    with pytest.raises(DefinitionError) as error:
        deploy(into=run, **inputs)
    assert run.resources == []
    return str(error.value)


def test_without_a_top_level_timeout_a_definition_is_refused_while_the_rule_is_mandatory(deploy: Deploy) -> None:
    message = _refused_before_anything_is_declared(deploy, catalogue=(*TUTORIALS, brought()))
    assert "project rules refused: top-level-timeout" in message
    mandatory = with_config(houseRules=json.dumps({TOP_LEVEL_TIMEOUT: MANDATORY}))
    assert "top-level-timeout" in _refused_before_anything_is_declared(
        deploy, config=mandatory, catalogue=(*TUTORIALS, brought())
    )


def test_stack_config_makes_the_rule_advisory_and_the_workflow_deploys_with_one_warning(deploy: Deploy) -> None:
    config = with_config(houseRules=json.dumps({TOP_LEVEL_TIMEOUT: ADVISORY}))
    run = deploy(config=config, catalogue=(*TUTORIALS, brought()))
    assert "legacy-state-machine" in {r.name for r in run}
    definition = json.loads(run.named("legacy-state-machine").inputs["definition"])
    assert "TimeoutSeconds" not in definition
    # Once, though the plan checked the workflow before the component did.
    assert run.warnings == [ADVISORY_WARNING]


def test_a_catalogue_override_makes_the_rule_advisory_for_its_workflow(deploy: Deploy) -> None:
    run = deploy(catalogue=(*TUTORIALS, brought(house_rules={TOP_LEVEL_TIMEOUT: ADVISORY})))
    assert "legacy-state-machine" in {r.name for r in run}
    assert run.warnings == [ADVISORY_WARNING]


def test_the_entry_wins_over_the_stack(deploy: Deploy) -> None:
    config = with_config(houseRules=json.dumps({TOP_LEVEL_TIMEOUT: ADVISORY}))
    strict = brought(house_rules={TOP_LEVEL_TIMEOUT: MANDATORY})
    assert "top-level-timeout" in _refused_before_anything_is_declared(
        deploy, config=config, catalogue=(*TUTORIALS, strict)
    )
    quiet = with_config(houseRules=json.dumps({TOP_LEVEL_TIMEOUT: MANDATORY}))
    run = deploy(config=quiet, catalogue=(*TUTORIALS, brought(house_rules={TOP_LEVEL_TIMEOUT: DISABLED})))
    assert "legacy-state-machine" in {r.name for r in run}
    assert run.warnings == []


def test_the_tutorials_deploy_without_a_warning(deploy: Deploy) -> None:
    assert deploy(catalogue=TUTORIALS).warnings == []


def test_the_component_takes_its_levels_as_an_argument_all_mandatory_by_default() -> None:
    args = WorkflowArgs(state_machine_name="legacy", definition_file=str(UNTIMED_DEFINITION))
    assert dict(resolve("legacy", args).house_rules) == dict.fromkeys(RULE_NAMES, MANDATORY)
    with pytest.raises(DefinitionError, match="top-level-timeout"):
        validate_workflow("legacy", args)
    (warning,) = validate_workflow("legacy", {**args, "house_rules": {TOP_LEVEL_TIMEOUT: ADVISORY}})
    assert warning.startswith("Workflow 'legacy': project rule top-level-timeout (advisory): ")
    with pytest.raises(ValueError, match="Workflow 'legacy': house_rules: house rule top-level-timeout has level"):
        validate_workflow("legacy", {**args, "house_rules": {TOP_LEVEL_TIMEOUT: "advisry"}})


@pytest.mark.parametrize(
    ("levels", "named"),
    [({"timeout": ADVISORY}, "house_rules: 'timeout' is no house rule; the rules are top-level-timeout"),
     ({TOP_LEVEL_TIMEOUT: "off"}, "house_rules: house rule top-level-timeout has level 'off'; a level is one of "
                                  "mandatory, advisory, disabled"),
     ({TOP_LEVEL_TIMEOUT: True}, "house_rules[top-level-timeout] must be str")],
)  # fmt: skip
def test_a_bad_catalogue_override_is_refused_with_the_entry(levels: dict[str, Any], named: str) -> None:
    with pytest.raises(CatalogueError) as error:
        check_catalogue((*TUTORIALS, brought(house_rules=levels)))
    assert "workflow 'legacy': " in str(error.value)
    assert named.replace("[top-level-timeout]", "['top-level-timeout']") in str(error.value)


# --- the tools print each warning once, one line -------------------------------------------------


def test_ops_cost_prints_each_asl_warning_once_in_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import ops.__main__ as ops_cli

    monkeypatch.setattr(ops_cli, "CATALOGUE", (*TUTORIALS, brought("quorum", CUSTOM_ERROR_DEFINITION)))
    monkeypatch.setattr(stack_files, "stack_config", lambda stack: stack_config("dev"))
    assert ops_main(["--stack", "dev", "cost"]) == 0
    warnings = [line for line in capsys.readouterr().err.splitlines() if "warning" in line]
    assert warnings == [
        "ops cost: warning: workflow 'quorum': state 'Vote': Catch entry 1: 'States.QuorumMet' is not an error Step "
        "Functions defines; the States.* errors are States.ALL, States.BranchFailed, States.DataLimitExceeded, "
        "States.ExceedToleratedFailureThreshold, States.HeartbeatTimeout, States.Http.Socket, "
        "States.IntrinsicFailure, States.ItemReaderFailed, States.NoChoiceMatched, States.ParameterPathFailure, "
        "States.Permissions, States.QueryEvaluationError, States.ResultPathMatchFailure, States.ResultWriterFailed, "
        "States.Runtime, States.TaskFailed, States.Timeout, and your own error names must not start with 'States.'."
    ]


def test_make_diagrams_prints_each_asl_warning_once_and_still_draws(capsys: pytest.CaptureFixture[str]) -> None:
    catalogue = (*TUTORIALS, brought("quorum", CUSTOM_ERROR_DEFINITION))
    assert diagram.main(["--check"], catalogue) == 1  # drawn: the pages would change, so they are stale
    warnings = [line for line in capsys.readouterr().err.splitlines() if "warning" in line]
    assert len(warnings) == 1
    assert warnings[0].startswith(
        "make diagrams: warning: custom_states_error.asl.json: state 'Vote': Catch entry 1: 'States.QuorumMet' is "
        "not an error Step Functions defines;"
    )


# What the tools that read a definition without deploying it say of the untimed workflow.
UNTIMED_RULE = (
    "top-level-timeout: this project requires a top-level TimeoutSeconds: top-level TimeoutSeconds is missing or "
    "not a positive integer; without one a stuck execution runs for up to a year."
)


@pytest.mark.parametrize(
    ("stack_levels", "entry_levels", "said"),
    [({}, {}, f"project rule: {UNTIMED_RULE.split(': ', 1)[1]} (pulumi preview refuses this: rule "
              f"{TOP_LEVEL_TIMEOUT} is mandatory)"),
     ({TOP_LEVEL_TIMEOUT: ADVISORY}, {}, f"project rule {UNTIMED_RULE.replace(': ', ' (advisory): ', 1)}"),
     ({}, {TOP_LEVEL_TIMEOUT: ADVISORY}, f"project rule {UNTIMED_RULE.replace(': ', ' (advisory): ', 1)}"),
     # The entry's level wins for its workflow, as at preview.
     ({TOP_LEVEL_TIMEOUT: ADVISORY}, {TOP_LEVEL_TIMEOUT: DISABLED}, None)],
)  # fmt: skip
def test_ops_cost_says_what_preview_would_of_the_project_rules_at_the_stacks_levels(
    stack_levels: dict[str, str],
    entry_levels: dict[str, str],
    said: str | None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import ops.__main__ as ops_cli

    monkeypatch.setattr(ops_cli, "CATALOGUE", (*TUTORIALS, brought(house_rules=entry_levels)))
    config = with_config(houseRules=json.dumps(stack_levels))
    monkeypatch.setattr(stack_files, "stack_config", lambda stack: config)
    assert ops_main(["--stack", "dev", "cost"]) == 0
    warnings = [line for line in capsys.readouterr().err.splitlines() if "warning" in line]
    assert warnings == ([f"ops cost: warning: workflow 'legacy': {said}"] if said else [])


def test_make_diagrams_reads_the_project_rules_at_the_entrys_levels_and_still_draws(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert diagram.main(["--check"], (*TUTORIALS, brought(house_rules={TOP_LEVEL_TIMEOUT: ADVISORY}))) == 1
    warnings = [line for line in capsys.readouterr().err.splitlines() if "warning" in line]
    assert warnings == [
        f"make diagrams: warning: {UNTIMED_DEFINITION.name}: project rule "
        f"{UNTIMED_RULE.replace(': ', ' (advisory): ', 1)}"
    ]


def test_make_demo_deploys_an_advisory_workflow_and_prints_its_warning_once(
    moto: InMemoryAws, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from rehearsal import demo, program

    # A stack of its own in the session's in-memory AWS, with the dev stack's config.
    monkeypatch.setattr(program, "readable_stack_config", lambda stack: stack_config("dev"))
    checked = SmokeTest(input={"Payload": "brought"}, outcomes=(Outcome("said hello", status="SUCCEEDED"),))
    catalogue = (brought(house_rules={TOP_LEVEL_TIMEOUT: ADVISORY}, smoke_test=checked),)
    assert demo.rehearse(moto, "brought", catalogue)
    captured = capsys.readouterr()
    warnings = [line for line in captured.err.splitlines() if "warning" in line]
    assert warnings == [f"make demo: warning: {ADVISORY_WARNING.replace('-dev-', '-brought-')}"]
    assert "PASS  legacy outcomes: said hello all seen in 1 run(s)" in captured.out
