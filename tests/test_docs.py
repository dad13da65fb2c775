"""The documentation: the README, CONTRIBUTING.md and docs/, held together and to the code.

- every relative link and every `#anchor` resolves, anchors computed as GitHub slugs headings;
- the README stays at most 20 KB outside the block `make diagrams` writes, and links every page;
- a file of the project that sends a reader to a page (`docs/delivery.md#adding-an-environment`)
  names a page and an anchor that exist;
- the tables of docs/configuration.md are the keys, types and defaults settings.py knows;
- docs/architecture.md names every module, and only modules that exist;
- the alarm runbook of docs/operations.md has one entry per alarm serverless_workflows.monitoring declares.
"""

from __future__ import annotations

import ast
import dataclasses
import json
import os
import re
import typing
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

import preflight
from rehearsal.program import PROJECT_ROOT
from serverless_workflows.alarm_thresholds import ResolvedThreshold, ResolvedThresholds
from serverless_workflows.asl.asl_language import WORKFLOW_TYPES
from serverless_workflows.asl.house_rules import HOUSE_RULES, LEVELS, RULE_NAMES
from serverless_workflows.logs import RETENTION_DAYS, STATES_LOG_LEVELS
from serverless_workflows.monitoring_plan import MonitoredWorkflow, MonitoringPlan, alarm_specs
from settings import (
    ALARM_THRESHOLD_NAMES,
    AWS_KEYS,
    KNOWN_KEYS,
    SCHEDULE_STACK_KEYS,
    THRESHOLD_KEYS,
    WORKFLOW_KEYS,
    StackSettings,
)
from tests.support import ASL_CORPUS, TUTORIALS, project_python_files
from workflows.catalogue import CATALOGUE
from workflows.diagram import BEGIN, END
from workflows.spec import ScheduleSpec

README = PROJECT_ROOT / "README.md"
DOCS = PROJECT_ROOT / "docs"
# The pages whose links and anchors are checked: the README, every page it leads to, and the pages
# those link (the changelog, the corpus's record of decisions); a test keeps the list closed so.
PAGES = [
    README,
    PROJECT_ROOT / "CONTRIBUTING.md",
    PROJECT_ROOT / "CHANGELOG.md",
    *sorted(DOCS.glob("*.md")),
    ASL_CORPUS / "decisions.md",
]
README_LIMIT = 20 * 1024

_FENCE = re.compile(r"^ *(```|~~~)")
_HEADING = re.compile(r"^(#{1,6}) +(.+?) *#*$")
_LINK = re.compile(r"!?\[([^\]]*)\]\(([^)\s]+)(?: +\"[^\"]*\")?\)")
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:")


def prose(text: str) -> str:
    """`text` without its fenced code blocks and inline code spans, which hold no links or headings."""
    kept: list[str] = []
    fenced = False
    for line in text.splitlines():
        if _FENCE.match(line):
            fenced = not fenced
            kept.append("")
            continue
        kept.append("" if fenced else line)
    return re.sub(r"`[^`]*`", "", "\n".join(kept))


def headings(text: str) -> list[str]:
    """The ATX headings of a Markdown text, outside code blocks, as written."""
    found = []
    fenced = False
    for line in text.splitlines():
        if _FENCE.match(line):
            fenced = not fenced
        elif not fenced and (match := _HEADING.match(line)):
            found.append(match[2])
    return found


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading: its text lowercased, punctuation other than `-` and `_`
    dropped, spaces turned into `-`."""
    parts = re.split(r"(`[^`]*`)", heading)
    # Inside a code span the text is literal; outside, a link counts by its text, and HTML tags
    # and emphasis marks are no text.
    text = "".join(
        part.strip("`")
        if part.startswith("`")
        else re.sub(r"<[^>]+>", "", re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", part)).replace("*", "")
        for part in parts
    )
    return re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """Every heading's anchor; a repeated one gets -1, -2... as on GitHub."""
    seen: dict[str, int] = {}
    found = set()
    for heading in headings(path.read_text()):
        base = slug(heading)
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return found


def links(path: Path) -> list[tuple[str, str]]:
    """(text, target) of every Markdown link of `path`, outside code."""
    return [(" ".join(match[1].split()), match[2]) for match in _LINK.finditer(prose(path.read_text()))]


def broken(source: Path, target: str) -> str | None:
    """Why a link from `source` to `target` does not resolve, or None when it does."""
    if _SCHEME.match(target):
        return None  # a web address: not checked here
    file_part, _, anchor = target.partition("#")
    destination = (source.parent / file_part).resolve() if file_part else source
    if not destination.is_relative_to(PROJECT_ROOT):
        return "leads out of the project"
    if not destination.exists():
        return f"{destination.relative_to(PROJECT_ROOT)} does not exist"
    if anchor:
        if destination.suffix != ".md":
            return f"an anchor into {destination.name}, which is not a Markdown page"
        if anchor not in anchors(destination):
            return f"{destination.relative_to(PROJECT_ROOT)} has no heading with anchor #{anchor}"
    return None


def section(path: Path, heading: str, level: int = 2) -> str:
    """The text under a heading of `path`, up to the next heading of its level or above."""
    marker = "#" * level
    text = path.read_text()
    assert f"\n{marker} {heading}\n" in text, f"{path.name} has no heading {marker} {heading}"
    after = text.split(f"\n{marker} {heading}\n", 1)[1]
    return re.split(rf"\n#{{1,{level}}} ", after, maxsplit=1)[0]


def table_rows(text: str) -> dict[str, list[str]]:
    """The rows of the Markdown tables in `text` whose first cell is one `name` in backticks:
    name -> the other cells."""
    rows = {}
    for line in text.splitlines():
        match = re.match(r"^\| `([^`]+)` \|(.*)\|$", line)
        if match:
            rows[match[1]] = [cell.strip() for cell in match[2].split(" | ")]
    return rows


# --- links and anchors --------------------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(PROJECT_ROOT)))
def test_every_relative_link_and_anchor_resolves(page: Path) -> None:
    problems = [f"[{text}]({target}): {why}" for text, target in links(page) if (why := broken(page, target))]
    assert problems == [], f"{page.relative_to(PROJECT_ROOT)} has broken links:\n" + "\n".join(problems)


def test_every_page_a_checked_page_links_is_checked_too() -> None:
    checked = {page.resolve() for page in PAGES}
    unchecked = set()
    for page in PAGES:
        for _, target in links(page):
            file_part = target.partition("#")[0]
            if not _SCHEME.match(target) and file_part.endswith(".md"):
                destination = (page.parent / file_part).resolve()
                if destination not in checked:
                    unchecked.add(f"{destination.relative_to(PROJECT_ROOT)} (linked from {page.name})")
    assert unchecked == set(), f"linked pages whose links are not checked: {', '.join(sorted(unchecked))}"


def test_anchors_are_computed_as_github_slugs_headings() -> None:
    assert slug("Operate it: `python -m ops`") == "operate-it-python--m-ops"
    assert slug("A team's backend") == "a-teams-backend"
    assert slug("Known leftovers after `pulumi destroy`") == "known-leftovers-after-pulumi-destroy"
    assert slug("`<function>-errors`") == "function-errors"
    assert slug("Alarm thresholds: `alarmThresholds`") == "alarm-thresholds-alarmthresholds"
    assert slug("snake_case and [a link](x.md)") == "snake_case-and-a-link"


def test_a_broken_link_or_anchor_is_named() -> None:
    # The check itself, on links that do not resolve: each is named with the reason.
    assert broken(README, "docs/delivery.md#adding-an-environment") is None
    assert broken(README, "#quick-start") is None
    assert broken(README, "docs/nowhere.md") == "docs/nowhere.md does not exist"
    assert broken(README, "docs/delivery.md#nowhere") == "docs/delivery.md has no heading with anchor #nowhere"
    assert broken(README, "#nowhere") == "README.md has no heading with anchor #nowhere"
    assert broken(README, "../outside.md") == "leads out of the project"
    assert broken(README, "https://www.pulumi.com/docs/install/") is None


def test_links_and_headings_in_code_are_not_read_as_such() -> None:
    text = "# Title\n\n```sh\n# a comment\n[x](nowhere.md)\n```\n\nSee `[y](nowhere.md)` and [z](#title).\n"
    assert headings(text) == ["Title"]
    assert [match[2] for match in _LINK.finditer(prose(text))] == ["#title"]


def test_repeated_headings_get_numbered_anchors(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("# Page\n\n## Notes\n\n## Notes\n\n## Notes\n")
    assert anchors(page) == {"page", "notes", "notes-1", "notes-2"}


# --- the README: short, and the way to every page ---------------------------------------------------


def test_the_readme_is_at_most_20_kb_outside_the_diagrams_block() -> None:
    text = README.read_text()
    assert BEGIN in text, "the README has no diagrams block"
    assert END in text, "the README's diagrams block has no end"
    before, rest = text.split(BEGIN, 1)
    after = rest.split(END, 1)[1]
    size = len((before + after).encode())
    assert size <= README_LIMIT, f"README.md is {size:,} bytes outside the diagrams block; at most {README_LIMIT:,}"


def test_the_readme_links_every_page_of_docs_and_contributing() -> None:
    linked = {(README.parent / target.partition("#")[0]).resolve() for _, target in links(README)}
    pages = {*DOCS.glob("*.md"), PROJECT_ROOT / "CONTRIBUTING.md"}
    missing = sorted(str(page.relative_to(PROJECT_ROOT)) for page in pages if page.resolve() not in linked)
    assert missing == [], f"pages the README does not link: {', '.join(missing)}"


def test_the_readme_quick_start_goes_from_clone_to_running() -> None:
    quick_start = section(README, "Quick start")
    for command in ("make test", "make demo", "make deploy STACK=dev", "python -m ops verify"):
        assert command in quick_start, command


# --- pages cited from code and messages ------------------------------------------------------------

_CITATION = re.compile(r"(?<![\w/.<-])((?:docs/[\w-]+|README|CONTRIBUTING)\.md)(?:#([\w-]+))?")
_CITING = ("*.py", "*.sh", "*.yml", "*.yaml", "Makefile", "run")
# Folders of no project text: tools, caches, state (by name, wherever they are), and the ASL
# corpus (definitions, not prose) by its path: the package's own asl/ holds modules that cite pages.
_NOT_SCANNED = {".git", ".venv", "venv", "node_modules", "__pycache__", ".build", ".pulumi-state"}
_NOT_SCANNED |= {".mypy_cache", ".ruff_cache", ".pytest_cache"}
_NOT_SCANNED_PATHS = {ASL_CORPUS}
# A README section cited by its title: README "Add your own workflow", README: Known leftovers.
_README_SECTION = re.compile(r"\bREADME(?:\.md)?(?:'s)?(?:[,:] | )(?:\"([^\"\n]+)\"|([A-Z][A-Za-z' ]*[a-z]))")


def citing_files() -> Iterator[Path]:
    """The project's files that may send a reader to a page; not this one, whose examples do not resolve."""
    for folder, subfolders, files in os.walk(PROJECT_ROOT):
        subfolders[:] = [
            name for name in subfolders if name not in _NOT_SCANNED and Path(folder) / name not in _NOT_SCANNED_PATHS
        ]
        for name in files:
            path = Path(folder) / name
            if name != "test_docs.py" and any(path.match(pattern) for pattern in _CITING):
                yield path


def test_the_citation_scans_read_every_python_file_of_the_project() -> None:
    """Guards the two scans below: a folder left out by its name alone (the corpus's `asl`) once
    left out the package's asl/ modules too, and their citations went unchecked."""
    scanned = {path.relative_to(PROJECT_ROOT).as_posix() for path in citing_files()}
    unscanned = sorted(set(project_python_files()) - scanned - {"tests/test_docs.py"})
    assert unscanned == [], f"files the citation scans do not read: {', '.join(unscanned)}"
    assert "components/serverless_workflows/asl/validate.py" in scanned


def test_every_page_and_anchor_the_code_cites_exists() -> None:
    problems = []
    for path in citing_files():
        for match in _CITATION.finditer(path.read_text(errors="replace")):
            target = match[1] + (f"#{match[2]}" if match[2] else "")
            why = broken(PROJECT_ROOT / "README.md", target)
            if why:
                problems.append(f"{path.relative_to(PROJECT_ROOT)} cites {target}: {why}")
    assert problems == [], "\n".join(problems)


def test_every_readme_section_the_code_cites_by_its_title_is_in_the_readme() -> None:
    titles = set(headings(README.read_text()))
    problems = []
    for path in citing_files():
        for match in _README_SECTION.finditer(path.read_text(errors="replace")):
            title = match[1] or match[2]
            if title not in titles:
                problems.append(f"{path.relative_to(PROJECT_ROOT)} cites README {title!r}, which has no such section")
    assert problems == [], "\n".join(problems)


def test_a_moved_section_is_caught_where_it_is_still_cited() -> None:
    cited = [m[1] or m[2] for m in _README_SECTION.finditer('(see README, Adding an environment) README "Operate it"')]
    assert cited == ["Adding an environment", "Operate it"]
    assert not {"Adding an environment", "Operate it"} & set(headings(README.read_text()))


# --- docs/configuration.md: every key settings.py knows ----------------------------------------------

CONFIGURATION = DOCS / "configuration.md"
# The StackSettings field each stack key sets: a new field needs a key here and a row on the page.
FIELD_OF_KEY = {
    "logLevel": "log_level",
    "logRetentionDays": "log_retention_days",
    "tracingEnabled": "tracing_enabled",
    "retainData": "retain_data",
    "alarmsEnabled": "alarms_enabled",
    "alarmEmail": "alarm_email",
    "alarmThresholds": "alarm_thresholds",
    "dashboardEnabled": "dashboard_enabled",
    "workflows": "workflows",
    "houseRules": "house_rules",
    "aws:region": "aws_region",
    "aws:profile": "aws_profile",
    "aws:allowedAccountIds": "aws_allowed_account_ids",
}
TYPE_OF_ANNOTATION = {
    "bool": "boolean",
    "int": "integer",
    "float": "number",
    "str": "string",
    "str | None": "string",
    "tuple[str, ...]": "list",
    "ResolvedThresholds": "object",
    "Mapping[str, WorkflowSettings]": "object",
    "Mapping[str, str]": "object",
}


def stack_key_rows() -> dict[str, list[str]]:
    """Key -> [type, default, allowed, effect], from the page's "Stack keys" table."""
    return table_rows(section(CONFIGURATION, "Stack keys"))


def claiming_schedule() -> ScheduleSpec:
    """The schedule the top-level schedule keys configure."""
    (schedule,) = [spec.schedule for spec in CATALOGUE if spec.schedule is not None and spec.schedule.stack_keys]
    return schedule


def test_the_configuration_page_lists_every_stack_key_settings_knows() -> None:
    documented = set(stack_key_rows())
    known = {key.split(":", 1)[1] for key in KNOWN_KEYS} | AWS_KEYS
    assert documented == known, f"missing: {sorted(known - documented)}; unknown: {sorted(documented - known)}"
    fields = {f.name for f in dataclasses.fields(StackSettings)} - {"stack"}
    assert set(FIELD_OF_KEY.values()) == fields, "a StackSettings field without its key in FIELD_OF_KEY"
    assert set(FIELD_OF_KEY) | set(SCHEDULE_STACK_KEYS) == known


def test_each_stack_keys_type_and_default_is_the_one_settings_and_pulumi_yaml_declare() -> None:
    rows = stack_key_rows()
    declared = yaml.safe_load((PROJECT_ROOT / "Pulumi.yaml").read_text())["config"]
    for key, declaration in declared.items():
        kind, default = rows[key][0], rows[key][1]
        assert kind == declaration["type"], key
        shown = (
            str(declaration["default"]).lower() if isinstance(declaration["default"], bool) else declaration["default"]
        )
        assert default == f"`{shown}`", key
    annotations = {f.name: f.type for f in dataclasses.fields(StackSettings)}
    defaults = StackSettings(stack="any")
    for key, field_name in FIELD_OF_KEY.items():
        kind, default = rows[key][0], rows[key][1]
        assert kind == TYPE_OF_ANNOTATION[str(annotations[field_name])], key
        value = getattr(defaults, field_name)
        if key not in declared:
            # No value of its own by default: the page says what stands in for it, in parentheses.
            assert value in (None, (), {}, ResolvedThresholds()), key
            assert default.startswith("("), key
        else:
            assert default == f"`{str(value).lower() if isinstance(value, bool) else value}`", key
    schedule = claiming_schedule()
    assert rows["schedulePayload"][:2] == ["object", f"`{json.dumps(dict(schedule.payload))}`"]
    assert rows["scheduleExpression"][1] == f"`{schedule.expression}`"


def test_the_allowed_values_of_choice_keys_are_the_ones_settings_accepts() -> None:
    rows = stack_key_rows()
    assert tuple(re.findall(r"`([A-Z]+)`", rows["logLevel"][2])) == STATES_LOG_LEVELS
    assert tuple(int(days) for days in re.findall(r"\d+", rows["logRetentionDays"][2])) == RETENTION_DAYS
    workflow_rows = table_rows(section(CONFIGURATION, "Workflow keys: `workflows`"))
    assert tuple(workflow_rows) == WORKFLOW_KEYS
    assert tuple(re.findall(r"`([A-Z]+)`", workflow_rows["type"][2])) == WORKFLOW_TYPES
    for key in SCHEDULE_STACK_KEYS:
        assert workflow_rows[key][0] == rows[key][0], key


def test_the_house_rules_table_is_the_one_the_validator_and_settings_read() -> None:
    adding = DOCS / "adding-a-workflow.md"
    rows = table_rows(section(adding, "House rules and their enforcement levels"))
    assert [(name, cells) for name, cells in rows.items() if name in RULE_NAMES] == [
        (rule.name, [f"`{rule.default}`", rule.description]) for rule in HOUSE_RULES
    ]
    levels = re.findall(r"^- \*\*`([a-z]+)`\*\*", section(adding, "House rules and their enforcement levels"), re.M)
    assert tuple(levels) == LEVELS
    allowed = stack_key_rows()["houseRules"][2]
    assert tuple(re.findall(r"`([a-z-]+)`", allowed)) == (*RULE_NAMES, *LEVELS)


def test_the_threshold_tables_are_the_names_fields_and_defaults_settings_reads() -> None:
    thresholds = section(CONFIGURATION, "Alarm thresholds: `alarmThresholds`")
    rows = table_rows(thresholds)
    fields = {name: cells for name, cells in rows.items() if name in THRESHOLD_KEYS}
    names = {name: cells for name, cells in rows.items() if name not in THRESHOLD_KEYS}
    assert list(fields) == list(THRESHOLD_KEYS)
    default = ResolvedThreshold()
    annotations = {name: hint.__name__ for name, hint in typing.get_type_hints(ResolvedThreshold).items()}
    for name, field_name in THRESHOLD_KEYS.items():
        assert fields[name][1] == f"`{getattr(default, field_name)}`", name
        assert fields[name][0] == TYPE_OF_ANNOTATION[annotations[field_name]], name
    assert list(names) == list(ALARM_THRESHOLD_NAMES)
    # Each name's row shows the alarms it sets, as components/serverless_workflows/monitoring.py names them.
    for name, what in threshold_of_alarm().items():
        assert f"`…-{what}`" in " ".join(names[name]), (name, what)


# --- docs/adding-a-workflow.md: the account quotas ------------------------------------------------


def test_the_quota_section_names_what_the_preflight_counts_and_what_it_leaves_out_with_its_source() -> None:
    text = section(DOCS / "adding-a-workflow.md", "Many workflows: quotas, alarms and the dashboard")
    words = " ".join(text.split())
    linked = {match[2] for match in _LINK.finditer(prose(text))}
    for quota in preflight.QUOTAS:
        assert quota.service in words, f"the quota section does not name {quota.service} {quota.name!r}"
        assert f"{quota.default:,}" in words, f"the quota section does not give {quota.name!r}'s default"
    for uncounted in preflight.NOT_COUNTED:
        assert uncounted.what in words, f"the quota section does not say why {uncounted.what} are not counted"
        assert uncounted.source in linked, f"the quota section does not link {uncounted.source}"


# --- docs/operations.md: one runbook entry per alarm -------------------------------------------------

OPERATIONS = DOCS / "operations.md"


# A workflow with every part Monitoring alarms on: a schedule, its dead-letter queue, a function.
EVERY_PART = MonitoredWorkflow(
    name="wf", state_machine_arn="arn", schedule_group="group", dead_letter_queue_name="dlq", function_names={"fn": "p"}
)


def what(alarm_name: str) -> str:
    """The `<what>` of an alarm of EVERY_PART, as the runbook heads it: `<function>-errors` for a function's."""
    short = alarm_name.removeprefix("stack-wf-")
    return f"<function>-{short.removeprefix('fn-')}" if short.startswith("fn-") else short


def threshold_of_alarm() -> dict[str, str]:
    """Threshold name -> the `<what>` of the alarm it sets, read off the alarms Monitoring declares."""
    found = {}
    for name, field_name in ALARM_THRESHOLD_NAMES.items():
        marked = ResolvedThresholds(**{field_name: ResolvedThreshold(value=7)})
        declared = alarm_specs(MonitoringPlan("stack", [EVERY_PART], thresholds=marked))
        (alarm,) = [alarm for alarm in declared if alarm.threshold == 7]
        found[name] = what(alarm.name)
    return found


def test_the_runbook_has_an_entry_for_each_alarm_monitoring_declares() -> None:
    alarms = {what(alarm.name): alarm for alarm in alarm_specs(MonitoringPlan("stack", [EVERY_PART]))}
    runbook = section(OPERATIONS, "Alarm runbook")
    entries = {heading.strip("`"): heading for heading in headings(runbook) if heading.startswith("`")}
    assert set(entries) == set(alarms), f"missing: {sorted(set(alarms) - set(entries))}"
    threshold_names = {alarm: name for name, alarm in threshold_of_alarm().items()}
    for alarm_what, alarm in alarms.items():
        entry = " ".join(section(OPERATIONS, entries[alarm_what], level=3).split())
        assert f"{alarm.namespace} `{alarm.metric_name}`, {alarm.statistic}" in entry, alarm_what
        assert f"threshold `{threshold_names[alarm_what]}`" in entry, alarm_what


# --- docs/architecture.md: every module, and only modules ---------------------------------------------

ARCHITECTURE = DOCS / "architecture.md"
PACKAGES = ("components", "workflows", "ops", "rehearsal", "policy", "bench", "examples")
# Folders of no module of the project: a virtualenv Pulumi creates for a plugin or a policy pack.
_NOT_MODULES = {"__pycache__", "venv", ".venv"}


def only_a_docstring(path: Path) -> bool:
    body = ast.parse(path.read_text()).body
    return len(body) <= 1 and all(isinstance(node, ast.Expr) for node in body)


def tutorial_handlers() -> set[str]:
    """The handler modules of the tutorials, and those they import from `handlers/`. A team's
    handlers are its catalogue entries' business, as its workflows are, and no page lists them."""
    found = {"handlers/" + "/".join(f.handler.split(".")[1:-1]) + ".py" for s in TUTORIALS for f in s.functions}
    for module in list(found):
        for node in ast.walk(ast.parse((PROJECT_ROOT / module).read_text())):
            if isinstance(node, ast.ImportFrom) and node.module == "handlers":
                found |= {f"handlers/{alias.name}.py" for alias in node.names}
    return found


def modules() -> set[str]:
    """The program's modules: every .py file of its packages and at the top, but a package's
    `__init__.py` that holds only its docstring; of `handlers/`, the tutorials'."""
    found = {path.name for path in PROJECT_ROOT.glob("*.py")} | tutorial_handlers()
    for package in PACKAGES:
        for path in (PROJECT_ROOT / package).rglob("*.py"):
            if not _NOT_MODULES & set(path.parts) and not (path.name == "__init__.py" and only_a_docstring(path)):
                found.add(path.relative_to(PROJECT_ROOT).as_posix())
    return found


def test_the_architecture_page_names_every_module_and_only_modules_that_exist() -> None:
    named = set(re.findall(r"`([\w./-]+\.py)`", ARCHITECTURE.read_text()))
    missing = sorted(modules() - named)
    assert missing == [], f"docs/architecture.md does not name: {', '.join(missing)}"
    absent = sorted(name for name in named if not (PROJECT_ROOT / name).is_file())
    assert absent == [], f"docs/architecture.md names modules that do not exist: {', '.join(absent)}"


def test_the_architecture_page_says_where_grants_live() -> None:
    layers = " ".join(section(ARCHITECTURE, "Layers").split())
    assert "`HandlerFunction.grant_invoke`" in layers
    assert "`Workflow.grant_start_execution`" in layers
    assert "`components/serverless_workflows/iam.py`" in layers
