"""Components own their names (components/serverless_workflows/names.py): each declares exactly the children its
names function lists, nothing outside components/ spells a name of theirs, and the README's
table and Monitoring's alarm text say what the functions say."""

from __future__ import annotations

import ast
import dataclasses
import importlib
import re
from collections.abc import Iterator, Sequence
from types import ModuleType
from typing import Any

import pytest

from rehearsal.fake_aws import REGION
from rehearsal.program import PROJECT_ROOT, ProgramRun
from serverless_workflows.handler_function import HandlerFunction, HandlerFunctionArgs
from serverless_workflows.lambda_package import handler_archive
from serverless_workflows.monitoring import MonitoredWorkflowArgs, Monitoring, MonitoringArgs, plan
from serverless_workflows.monitoring_plan import alarm_specs
from serverless_workflows.names import (
    Name,
    RegionalName,
    Unnamed,
    handler_function_names,
    monitoring_names,
    workflow_names,
)
from serverless_workflows.workflow import ScheduleArgs, Workflow, WorkflowArgs
from tests.support import SUITE_CATALOGUE, Declare, Deploy, project_python_files, syntax_nodes
from workflows.catalogue import SCHEDULED

# --- each component declares what its names function lists -----------------------------------


def named(names: Any, region: str, *, leaving_out: tuple[str, ...] = ()) -> set[tuple[str, str | None]]:
    """(Pulumi name, physical name) of every child a names record lists, but its `leaving_out` fields."""
    found: set[tuple[str, str | None]] = set()
    for field in dataclasses.fields(names):
        if field.name in leaving_out:
            continue
        value = getattr(names, field.name)
        if isinstance(value, Name):
            found.add((value.pulumi, value.physical))
        elif isinstance(value, RegionalName):
            found.add((value.pulumi, value.physical_in(region)))
        elif isinstance(value, Unnamed):
            found.add((value.pulumi, None))
        elif dataclasses.is_dataclass(value):
            found |= named(value, region)
    return found


def declared(run: ProgramRun, component_type: str) -> set[tuple[str, str | None]]:
    """(Pulumi name, physical name) of every child of the one component of `component_type`."""
    (component,) = run.of_type(component_type)
    return {
        (child.name, child.inputs.get("name", child.inputs.get("dashboardName")))
        for child in run.children_of(component)
    }


def test_a_scheduled_workflow_declares_the_children_its_names_list(declare: Declare) -> None:
    schedule = ScheduleArgs(expression="rate(1 minute)")
    args = WorkflowArgs(
        state_machine_name="stack-flow", definition_file=str(SCHEDULED.definition_path), schedule=schedule
    )
    run = declare(lambda: Workflow("flow", args))
    assert declared(run, "serverless-workflows:index:Workflow") == named(workflow_names("flow", "stack-flow"), REGION)


def test_a_handler_function_declares_the_children_its_names_list(declare: Declare) -> None:
    code = handler_archive("handlers.call_center.open_case")
    run = declare(
        lambda: HandlerFunction(
            "fn", HandlerFunctionArgs(function_name="stack-fn", handler="handlers.call_center.open_case", code=code)
        )
    )
    assert declared(run, "serverless-workflows:index:HandlerFunction") == named(
        handler_function_names("fn", "stack-fn"), REGION
    )


def test_monitoring_declares_the_children_and_alarms_its_names_list(declare: Declare) -> None:
    args = MonitoringArgs(
        name_prefix="stack",
        workflows=[
            MonitoredWorkflowArgs(name="flow", state_machine_arn="arn", schedule_group="g", dead_letter_queue_name="q")
        ],
        alarm_email="oncall@example.com",
    )
    run = declare(lambda: Monitoring("watch", args))
    names = monitoring_names("watch", "stack")
    alarms = {(names.alarm(spec.name).pulumi, spec.name) for spec in alarm_specs(plan(args))}
    assert alarms
    assert declared(run, "serverless-workflows:index:Monitoring") == named(names, REGION) | alarms


# --- no module outside components/ spells a component's name --------------------------------

MARKS = ("NAMEMARK", "PHYSICALMARK", "REGIONMARK")
# Where the components live, beside the definitions' layer (asl/) in the same package.
COMPONENTS_FOLDER = "components/serverless_workflows/"


def affixes() -> set[str]:
    """What the names functions add to a component's name, physical name and region: each is
    called with marks for those, and what remains between the marks is theirs."""
    records = (
        workflow_names("NAMEMARK", "PHYSICALMARK"),
        handler_function_names("NAMEMARK", "PHYSICALMARK"),
        monitoring_names("NAMEMARK", "PHYSICALMARK"),
    )
    texts = {text for record in records for pair in named(record, "REGIONMARK") for text in pair if text}
    pieces = {piece for text in texts for piece in re.split("|".join(MARKS), text)}
    # A lone separator ('-' between a stem and a region code) is no name of anyone's.
    return {piece for piece in pieces if re.search("[a-z]", piece)}


def affix_pattern(affix: str) -> re.Pattern[str]:
    """Where `affix` is written as a name's part: not inside a longer word or a `--flag`."""
    before = "(?<!-)" if affix.startswith("-") else ""
    after = r"(?![\w-])" if re.match(r"\w", affix[-1]) else ""
    return re.compile(before + re.escape(affix) + after)


# Spellings outside components/ that are not a component's: (file, affix) -> why.
NOT_A_COMPONENTS_NAME = {
    ("policy/rules.py", "/aws/lambda/"): (
        "where Lambda logs a function configured with no log group: AWS's name, which HandlerFunction "
        "follows; and the pack runs from policy/ alone, where components/ cannot be imported"
    ),
    ("preflight.py", "-schedule-group"): "the address of AWS's page on schedule groups, cited for their quota",
    ("components/serverless_workflows/asl/integration_table.py", "-role"): (
        "AWS's path of service-linked roles (role/aws-service-role/...), in the ARN EMR on EKS documents"
    ),
}


def project_modules() -> Iterator[str]:
    """Every module but the components' own (the definitions' layer, `asl/`, is scanned) and the tests."""
    for relative in project_python_files():
        if not relative.startswith(("tests/", COMPONENTS_FOLDER)) or relative.startswith(f"{COMPONENTS_FOLDER}asl/"):
            yield relative


def is_components_module(module: str) -> bool:
    """Whether a dotted module name is the components' package or one of its modules (not the definitions')."""
    return module == "serverless_workflows" or (
        module.startswith("serverless_workflows.") and not module.startswith("serverless_workflows.asl")
    )


def test_the_affixes_are_found_from_the_names_functions() -> None:
    # The scan below is only as good as this list: it holds each kind of name.
    found = affixes()
    assert {"-role", "-scheduler-role", "-schedule-dlq", "-logs", "-policy", "-sfn-", "-fn-"} <= found
    assert {"/aws/lambda/", "/aws/vendedlogs/states/", "-alarms", "-dashboard"} <= found


def strings_taken_from_components(nodes: Sequence[ast.AST]) -> Iterator[tuple[str, str]]:
    """(where, value) of each string constant a module (its syntax nodes) takes from components/: imported
    (`from serverless_workflows.workflow import ROLE_SUFFIX`) or read off a module (`workflow.ROLE_SUFFIX`)."""
    modules: dict[str, ModuleType] = {}
    for node in nodes:
        if isinstance(node, ast.ImportFrom) and is_components_module(node.module or ""):
            imported = importlib.import_module(str(node.module))
            for alias in node.names:
                value = getattr(imported, alias.name, None)
                if isinstance(value, ModuleType):
                    modules[alias.asname or alias.name] = value
                elif isinstance(value, str):
                    yield f"{node.module}.{alias.name}", value
    for node in nodes:
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in modules:
            value = getattr(modules[node.value.id], node.attr, None)
            if isinstance(value, str):
                yield f"{modules[node.value.id].__name__}.{node.attr}", value


def test_no_module_outside_components_spells_a_components_name() -> None:
    spelled = []
    patterns = {affix: affix_pattern(affix) for affix in sorted(affixes())}
    for module in project_modules():
        text = (PROJECT_ROOT / module).read_text(encoding="utf-8")
        taken = list(strings_taken_from_components(syntax_nodes(module)))
        for affix, pattern in patterns.items():
            if (module, affix) not in NOT_A_COMPONENTS_NAME and pattern.search(text):
                spelled.append(f"{module}: {affix!r}")
            for where, value in taken:
                if pattern.search(value):
                    spelled.append(f"{module}: {affix!r} from {where}")
    assert not spelled, (
        "ask components/serverless_workflows/names.py (or read the stack outputs) instead of spelling: "
        + "; ".join(spelled)
    )


@pytest.mark.parametrize(("module", "affix"), sorted(NOT_A_COMPONENTS_NAME))
def test_each_exception_to_the_scan_is_still_needed(module: str, affix: str) -> None:
    text = (PROJECT_ROOT / module).read_text(encoding="utf-8")
    assert affix_pattern(affix).search(text), f"{module} no longer spells {affix!r}: drop it from NOT_A_COMPONENTS_NAME"


def test_the_scan_reads_the_strings_a_module_imports_from_components_or_reads_off_one() -> None:
    source = (
        "from serverless_workflows import iam\n"
        "from serverless_workflows.workflow import TYPE_TOKEN, Workflow\n"
        "limit, service = iam.ROLE_NAME_LIMIT, iam.CLOUDWATCH_SERVICE\n"
    )
    assert dict(strings_taken_from_components(tuple(ast.walk(ast.parse(source))))) == {
        "serverless_workflows.workflow.TYPE_TOKEN": "serverless-workflows:index:Workflow",
        "serverless_workflows.iam.CLOUDWATCH_SERVICE": "cloudwatch.amazonaws.com",
    }


def test_the_scan_finds_a_name_spelled_as_it_would_be_written() -> None:
    assert affix_pattern("-schedule-dlq").search('DEAD_LETTER_SUFFIX = "-schedule-dlq"')
    assert affix_pattern("-role").search('spec.name + "-role"')
    assert affix_pattern("/aws/lambda/").search('f"/aws/lambda/{name}"')
    assert not affix_pattern("-policy").search("pulumi preview --policy-pack policy")
    assert not affix_pattern("-schedule").search("x-scheduler-role")


# --- the README's table ---------------------------------------------------------------------

# How the table writes a name: the stack's prefix as '…' and the region's code as '<rc>'
# (names.region_code of a region without '-' is the region itself).
STACK, RC = "…", "<rc>"


def table_row(first_cell: str) -> tuple[str, str]:
    """(file, the row's Resources cell) of the table row whose first cell starts with `first_cell`, in the
    README or any page of docs/, wherever the README's restructuring put it."""
    pages = [PROJECT_ROOT / "README.md", *sorted((PROJECT_ROOT / "docs").glob("*.md"))]
    for page in pages:
        for line in page.read_text(encoding="utf-8").splitlines():
            if line.startswith(f"| {first_cell}"):
                return page.name, line.split("|")[2]
    raise AssertionError(
        f"no table row starts with '| {first_cell}' in README.md or docs/*.md: the table of what each "
        "component deploys moved or changed; point this test at it"
    )


def physical_names(names: Any, leaving_out: tuple[str, ...] = ()) -> set[str]:
    return {physical for _, physical in named(names, RC, leaving_out=leaving_out) if physical is not None}


def quoted(cell: str) -> set[str]:
    return set(re.findall(r"`([^`]+)`", cell))


@pytest.mark.parametrize(
    ("first_cell", "names"),
    [
        ('`Workflow "scheduled"`', workflow_names("scheduled", f"{STACK}-scheduled")),
        (
            "`HandlerFunction` ",
            handler_function_names("<step>", f"{STACK}-<step>"),
        ),
        ('`Monitoring "monitoring"` (unless `alarmsEnabled: false`)', monitoring_names("monitoring", STACK)),
    ],
)
def test_the_readme_table_names_what_the_components_name(first_cell: str, names: Any) -> None:
    page, cell = table_row(first_cell)
    expected = physical_names(names)
    if hasattr(names, "dashboard_page"):
        # The dashboard's later pages, as the table writes the second.
        expected.add(names.dashboard_page(2).physical_in(RC))
    # The cell's other quoted words are config keys (`dashboardEnabled: false`), not names.
    assert {word for word in quoted(cell) if ": " not in word} == expected, page


def test_the_readme_table_names_a_workflow_without_a_schedule_without_its_schedules_parts() -> None:
    page, cell = table_row('`Workflow "call-center"`')
    names = workflow_names("call-center", f"{STACK}-call-center")
    assert quoted(cell) == physical_names(names, leaving_out=("schedule",)), page


# --- Monitoring's alarm text ----------------------------------------------------------------


def test_a_function_alarm_points_at_the_log_group_the_function_logs_to(deploy: Deploy) -> None:
    run = deploy()
    groups = {group.inputs["name"] for group in run.of_type("aws:cloudwatch/logGroup:LogGroup")}
    errors = [alarm for alarm in run.of_type("aws:cloudwatch/metricAlarm:MetricAlarm") if
              (alarm.inputs["namespace"], alarm.inputs["metricName"]) == ("AWS/Lambda", "Errors")]  # fmt: skip
    assert errors
    for alarm in errors:
        function = alarm.inputs["dimensions"]["FunctionName"]
        pointed = re.search(r"CloudWatch Logs group (.+?), level", alarm.inputs["alarmDescription"])
        assert pointed is not None, alarm.name
        assert pointed.group(1).replace("<the FunctionName dimension>", function) in groups, alarm.name


def test_a_dead_letter_alarm_names_a_mark_only_scheduler_roles_have(deploy: Deploy) -> None:
    run = deploy(catalogue=SUITE_CATALOGUE)
    roles = {role.name: role.inputs["name"] for role in run.of_type("aws:iam/role:Role")}
    scheduler_roles = {workflow_names(spec.name, spec.name).schedule.scheduler_role.pulumi
                       for spec in SUITE_CATALOGUE if spec.schedule is not None}  # fmt: skip
    alarms = [alarm for alarm in run.of_type("aws:cloudwatch/metricAlarm:MetricAlarm") if
              alarm.name.endswith("-schedule-dead-letter-failed")]  # fmt: skip
    assert len(alarms) == len(scheduler_roles) > 1
    for alarm in alarms:
        mark = re.search(r"the role whose name holds '([^']+)'", alarm.inputs["alarmDescription"])
        assert mark is not None, alarm.name
        assert {name for name, physical in roles.items() if mark.group(1) in physical} == scheduler_roles, alarm.name
