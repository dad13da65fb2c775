"""What several test modules share: the stacks, the worked-example workflow, and small helpers.

Test modules import from here, never from each other.
"""

from __future__ import annotations

import ast
import copy
import dataclasses
import functools
import importlib.metadata
import importlib.util
import json
import os
import random
import subprocess
import typing
import venv
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from rehearsal.program import PROJECT_ROOT, ProgramRun
from serverless_workflows.asl.definition import PLACEHOLDER, WorkflowDefinition
from stack_files import stack_config, stack_names
from workflows.catalogue import CALL_CENTER, CATALOGUE, SCHEDULED
from workflows.outputs import WorkflowOutput, read_entry
from workflows.spec import WorkflowSpec

if TYPE_CHECKING:
    # The in-memory AWS (moto and its Step Functions engine) takes a second and more to import: only
    # the rehearsal layer's tests load it, through the `moto` fixture.
    from rehearsal.moto_aws import InMemoryAws

STACKS = stack_names()

# The two tutorials, whose resources, documents, prices and messages tests pin exactly. A test
# that pins a total names them rather than CATALOGUE, so that a workflow a team adds to the
# catalogue (docs/adding-a-workflow.md#the-recipe) leaves it passing; tests of what every workflow
# gets iterate over CATALOGUE instead.
TUTORIALS: tuple[WorkflowSpec, ...] = (SCHEDULED, CALL_CENTER)
PREFIX = "serverless-workflows-dev"

Deploy = Callable[..., ProgramRun]
Declare = Callable[..., ProgramRun]

# Workflows laid out as the recipe (docs/adding-a-workflow.md#the-recipe) says a team adds them:
# workflows/<file>.asl.json, handlers/<module>.py and catalogue entries, here in a fixture folder.
# The worked example of the recipe; a test pins the docs' copy of its entry to this one.
EXAMPLE_DIR = PROJECT_ROOT / "tests" / "fixtures" / "nightly_report"
# Two workflows like a team's: scheduled JSONPath with Parallel, Map, Wait, a table and a topic;
# on-demand JSONata with a queue.
TEAM_DIR = PROJECT_ROOT / "tests" / "fixtures" / "team"


def _entries(folder: Path, module_file: str, *names: str) -> tuple[WorkflowSpec, ...]:
    """The entries `names` of `folder/module_file`, whose files stay in the fixture folder (an
    entry is written for the project's folders: `workflows/` and the project root)."""
    spec = importlib.util.spec_from_file_location(f"fixture_{folder.name}_entries", folder / module_file)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    loaded = []
    for name in names:
        entry: WorkflowSpec = getattr(module, name)
        loaded.append(
            dataclasses.replace(
                entry,
                definition=folder / "workflows" / Path(entry.definition).name,
                functions=tuple(dataclasses.replace(f, source_root=folder) for f in entry.functions),
            )
        )
    return tuple(loaded)


def clear_of(catalogue: tuple[WorkflowSpec, ...], entries: tuple[WorkflowSpec, ...]) -> tuple[WorkflowSpec, ...]:
    """`entries`, each renamed where `catalogue` (or an entry before it) already uses its name,
    a function's name or a shortcut output's: the suite adds its fixtures to whatever the
    catalogue holds, and a team may well have added a workflow named as the recipe's example."""
    workflows = {spec.name for spec in catalogue}
    functions = {function.name for spec in catalogue for function in spec.functions}
    outputs = {output for spec in catalogue for output in spec.shortcut_outputs}
    cleared = []
    for entry in entries:
        name = _free(entry.name, workflows)
        renamed = tuple(dataclasses.replace(f, name=_free(f.name, functions)) for f in entry.functions)
        by_function = {f.name: r.name for f, r in zip(entry.functions, renamed, strict=True)}
        shortcuts = {
            _free(output, outputs, "Suite"): _renamed_path(path, by_function)
            for output, path in entry.shortcut_outputs.items()
        }
        cleared.append(dataclasses.replace(entry, name=name, functions=renamed, shortcut_outputs=shortcuts))
    return tuple(cleared)


def _free(name: str, taken: set[str], mark: str = "-suite") -> str:
    """`name`, or `name` with `mark` (and a number) when it is taken; the result is taken from then on."""
    chosen, number = name, 1
    while chosen in taken:
        chosen = f"{name}{mark}" + (str(number) if number > 1 else "")
        number += 1
    taken.add(chosen)
    return chosen


def _renamed_path(path: str, functions: dict[str, str]) -> str:
    head, _, rest = path.partition(".")
    if head == "functions":
        function, _, field = rest.partition(".")
        return f"functions.{functions.get(function, function)}.{field}"
    return path


def tool_environment(environment: Mapping[str, str] | None = None, root: Path = PROJECT_ROOT) -> dict[str, str]:
    """`environment` (this process's by default) for a process that runs our program or tools from
    `root`: the package's source root, `root/components`, first on PYTHONPATH, where the editable
    install of requirements.txt (`-e .`) puts it, so that the process imports that checkout's package
    whether or not one is installed."""
    values = dict(os.environ if environment is None else environment)
    values["PYTHONPATH"] = os.pathsep.join(filter(None, [str(root / "components"), values.get("PYTHONPATH")]))
    return values


# Folders that hold no module of the project: environments, caches, builds, tools' own trees.
_NOT_THE_PROJECTS = {".venv", "venv", ".git", "node_modules", ".build", "__pycache__", ".pulumi-state"}


@functools.cache
def project_python_files() -> tuple[str, ...]:
    """Every .py file of the project, as a path relative to its root, in order; folders of
    environments and caches are not walked (a walk of .venv alone reads thousands of files)."""
    found = []
    for folder, folders, files in os.walk(PROJECT_ROOT):
        folders[:] = sorted(f for f in folders if f not in _NOT_THE_PROJECTS and not f.startswith("."))
        base = Path(folder).relative_to(PROJECT_ROOT)
        found += [(base / name).as_posix() for name in files if name.endswith(".py")]
    return tuple(sorted(found))


@functools.cache
def syntax_nodes(relative: str) -> tuple[ast.AST, ...]:
    """Every node of a project file's syntax tree, as ast.walk yields them. Parsed and walked once per
    process: the scans of the architecture, the names and the model tests each read every file, and
    walking is most of their time. The nodes are shared, so a caller must not change them."""
    path = PROJECT_ROOT / relative
    return tuple(ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))))


(EXAMPLE_AS_WRITTEN,) = _entries(EXAMPLE_DIR, "entry.py", "NIGHTLY_REPORT")
TEAM_AS_WRITTEN = _entries(TEAM_DIR, "entries.py", "ORDER_AUDIT", "INTAKE")
NIGHTLY_REPORT, ORDER_AUDIT, INTAKE = clear_of(CATALOGUE, (EXAMPLE_AS_WRITTEN, *TEAM_AS_WRITTEN))
SUITE_CATALOGUE: tuple[WorkflowSpec, ...] = (*CATALOGUE, NIGHTLY_REPORT, ORDER_AUDIT, INTAKE)
"""What the catalogue-wide tests run over: whatever the catalogue holds (the tutorials, and the
workflows a team has added), then the recipe's example and the two team-like fixtures."""

# Definitions a team brings as published (docs/adding-a-workflow.md#house-rules-and-their-enforcement-levels):
# the tutorial's Hello World without a top-level TimeoutSeconds, which the project rule top-level-timeout
# refuses while it is mandatory; and one raising and catching a States.-prefixed error of its own,
# which the validator warns about (tests/fixtures/asl/decisions.md).
HOUSE_RULES_DIR = PROJECT_ROOT / "tests" / "fixtures" / "house_rules"
UNTIMED_DEFINITION = HOUSE_RULES_DIR / "hello_world_untimed.asl.json"
CUSTOM_ERROR_DEFINITION = HOUSE_RULES_DIR / "custom_states_error.asl.json"


def brought(name: str = "legacy", definition: Path = UNTIMED_DEFINITION, **fields: Any) -> WorkflowSpec:
    """An on-demand catalogue entry of a definition brought as it is."""
    return WorkflowSpec(name=name, title=f"Brought {name}", definition=definition, **fields)


def definition_file(folder: Path, name: str, states: dict[str, Any]) -> Path:
    """An ASL file `folder/<name>.asl.json` of `states`, starting at the first, with the
    top-level timeout the project requires."""
    path = folder / f"{name}.asl.json"
    path.write_text(json.dumps({"StartAt": next(iter(states)), "TimeoutSeconds": 60, "States": states}))
    return path


@functools.cache
def _dev_config() -> tuple[tuple[str, str], ...]:
    # Read once per test process: PyYAML takes a few milliseconds a file, and tests ask often.
    return tuple(stack_config("dev").items())


def with_config(**overrides: str) -> dict[str, str]:
    """The dev stack's config with `key=value` overrides (project namespace)."""
    config = dict(_dev_config())
    config.update({f"serverless-workflows:{key}": value for key, value in overrides.items()})
    return config


def document(run: ProgramRun, name: str, key: str) -> dict[str, Any]:
    """A JSON input (policy, trust policy, definition) of the resource `name`, parsed."""
    parsed: dict[str, Any] = json.loads(run.named(name).inputs[key])
    return parsed


def seed_for(status: int) -> int:
    """A seed under which WorkOnCase's first draw, random.randint(0, 1), is `status`."""
    return next(seed for seed in range(100) if random.Random(seed).randint(0, 1) == status)


def role_arn(name: str, purpose: str) -> str:
    from rehearsal.fake_aws import ACCOUNT_ID

    return f"arn:aws:iam::{ACCOUNT_ID}:role/{name}-{purpose}-use1"


class CloudStack:
    """A stack of the dev config, with the worked-example workflow, deployed into the in-memory AWS."""

    def __init__(self, cloud: InMemoryAws, run: ProgramRun, stack: str) -> None:
        self.cloud = cloud
        self.run = run
        self.stack = stack

    @property
    def outputs(self) -> dict[str, Any]:
        return self.run.outputs

    def workflow(self, name: str) -> dict[str, Any]:
        """A workflow's entry of the `workflows` output, as written."""
        entry: dict[str, Any] = self.run.outputs["workflows"][name]
        return entry

    def deployed(self, name: str) -> WorkflowOutput[str]:
        """A workflow's entry of the `workflows` output, as the tools read it."""
        return read_entry(name, self.workflow(name))

    def client(self, service: str) -> Any:
        return self.cloud.client(service)

    def tick(self, workflow: str | None = None) -> list[str]:
        """One scheduler tick of this stack's schedules, or of one workflow's; the execution
        ARNs it started."""
        if workflow is None:
            return self.cloud.tick_schedules(f"serverless-workflows-{self.stack}-")
        return self.cloud.tick_schedules(groups={self.workflow(workflow)["schedule"]["group"]})


# --- mangled definitions, for property tests of everything that reads a definition --------

ASL_CORPUS = PROJECT_ROOT / "tests" / "fixtures" / "asl"
FIELD_NAMES = [
    "Type", "Next", "End", "StartAt", "States", "Branches", "ItemProcessor", "Iterator", "ProcessorConfig", "Mode",
    "ExecutionType", "Retry", "Catch", "ErrorEquals", "Choices", "Default", "Variable", "Condition", "And", "Not",
    "Seconds", "Timestamp", "TimeoutSeconds", "HeartbeatSeconds", "Resource", "Parameters", "Arguments", "Output",
    "Assign", "QueryLanguage", "ItemReader", "ItemBatcher", "ResultWriter", "ReaderConfig", "Label", "Items",
    "ItemsPath", "Credentials", "MaxConcurrency", "ToleratedFailurePercentage", "BackoffRate", "NumericEquals",
]  # fmt: skip
ODD_VALUES: list[Any] = [
    None, True, False, 0, -1, 1, 2.5, 10**30, float("inf"), "", "x", "$", "$.a", "{% %}", "{% $x %}", "States.ALL",
    "JSONata", "JSONPath", "DISTRIBUTED", "EXPRESS", "${Name}", "arn:aws:states:::lambda:invoke", [], {}, [None],
    {"": None}, [[[]]], {"Type": "Pass"}, {"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}, "S" * 100,
]  # fmt: skip


@functools.cache
def corpus_definitions() -> tuple[Any, ...]:
    """Every definition of the validator's corpus (valid and broken), parsed: seeds for `mutate`."""
    return tuple(json.loads(path.read_text()) for path in sorted(ASL_CORPUS.glob("*/*.asl.json")))


def _containers(node: Any) -> list[Any]:
    """Every dict and list inside `node`, itself included."""
    found, stack = [], [node]
    while stack:
        current = stack.pop()
        if isinstance(current, (dict, list)):
            found.append(current)
            stack.extend(current.values() if isinstance(current, dict) else current)
    return found


def random_json(rng: random.Random, depth: int = 0) -> Any:
    """A random JSON-like value, often an odd one, with field names a definition has."""
    choice = rng.random()
    if depth > 3 or choice < 0.5:
        # A copy: a shared list or dict could end up inside itself and make the document cyclic.
        return copy.deepcopy(rng.choice(ODD_VALUES))
    if choice < 0.75:
        return [random_json(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    return {rng.choice(FIELD_NAMES): random_json(rng, depth + 1) for _ in range(rng.randint(0, 4))}


def mutate(document: Any, rng: random.Random) -> Any:
    """A copy of `document` with one to four changes at any depth: a value replaced by one of
    another JSON type, a field deleted or added, a list emptied."""
    mutant = copy.deepcopy(document)
    for _ in range(rng.randint(1, 4)):
        target = rng.choice(_containers(mutant) or [None])
        if isinstance(target, dict) and target:
            key = rng.choice(list(target))
            action = rng.random()
            if action < 0.5:
                target[key] = random_json(rng)
            elif action < 0.7:
                del target[key]
            else:
                target[rng.choice(FIELD_NAMES)] = random_json(rng)
        elif isinstance(target, list) and target:
            index = rng.randrange(len(target))
            if rng.random() < 0.6:
                target[index] = random_json(rng)
            else:
                target.clear()
        elif target is None:
            return random_json(rng)
    return mutant


def definition_of(document: Any, name: str = "mutant.asl.json") -> WorkflowDefinition:
    """Any JSON value as the definition of a file `name` (never written), placeholders and all."""
    text = json.dumps(document)
    return WorkflowDefinition(source=name, text=text, placeholders=frozenset(PLACEHOLDER.findall(text)))


def args_types(components: Iterable[type]) -> dict[str, Any]:
    """Every TypedDict the arguments of `components` reach, by its name (a type token's last part in the
    component package's schema)."""
    found: dict[str, Any] = {}

    def visit(hint: Any) -> None:
        if typing.is_typeddict(hint) and hint.__name__ not in found:
            found[hint.__name__] = hint
            for field in hint.__annotations__.values():
                visit(field)
        for part in typing.get_args(hint):
            visit(part)

    for component in components:
        visit(typing.get_type_hints(vars(component)["__init__"], include_extras=True)["args"])
    return found


# --- venvs of what an install would hold, offline (tests/test_install.py, tests/test_examples.py) ------


def installed_closure(requirements: list[str], wanted_by: str) -> dict[str, importlib.metadata.Distribution]:
    """The distributions of this (the dev) venv that `pip install` of `requirements` would bring, by
    name; `wanted_by` names where the requirements come from, for the refusal of a missing one."""
    found: dict[str, importlib.metadata.Distribution] = {}
    seen: set[tuple[str, str]] = set()
    todo = [(Requirement(line), wanted_by) for line in requirements]
    while todo:
        requirement, needed_by = todo.pop()
        name = canonicalize_name(requirement.name)
        try:
            dist = importlib.metadata.distribution(requirement.name)
        except importlib.metadata.PackageNotFoundError:
            missing = f"{requirement.name} (needed by {needed_by}) is not installed in the dev venv"
            raise AssertionError(missing) from None
        assert requirement.specifier.contains(dist.version, prereleases=True), (
            f"the dev venv has {requirement.name} {dist.version}, but {needed_by} asks for {requirement}"
        )
        found[name] = dist
        for extra in {"", *requirement.extras}:
            if (name, extra) in seen:
                continue
            seen.add((name, extra))
            for line in dist.requires or []:
                dependency = Requirement(line)
                if dependency.marker is None or dependency.marker.evaluate({"extra": extra}):
                    todo.append((dependency, dist.metadata["Name"]))
    return found


def bare_venv(directory: Path) -> tuple[Path, Path]:
    """A virtual environment at `directory` with nothing in it, not even pip: its python, and its
    site-packages, where a .pth line puts a mirror (`mirror_distributions`) on its sys.path."""
    venv.EnvBuilder(with_pip=False, symlinks=True).create(directory)
    python = directory / "bin" / "python"
    site_packages = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    return python, Path(site_packages)


def mirror_distributions(dists: dict[str, importlib.metadata.Distribution], into: Path) -> None:
    """Symlink each distribution's installed files (code and .dist-info) under `into`.

    A top-level entry that only these distributions install is linked whole; one
    shared with a distribution outside them (a namespace package such as
    `google/`) is linked file by file, so the outsider's files stay out.
    """

    owners: dict[tuple[Path, str], set[str]] = {}
    for dist in importlib.metadata.distributions():
        root, name = Path(str(dist.locate_file(""))), canonicalize_name(dist.metadata["Name"])
        for top in {file.parts[0] for file in dist.files or []}:
            owners.setdefault((root, top), set()).add(name)
    for dist in dists.values():
        root = Path(str(dist.locate_file("")))
        for file in dist.files or []:
            top = file.parts[0]
            if top == "..":  # console scripts outside site-packages
                continue
            whole = owners[(root, top)] <= dists.keys()
            target = into / (top if whole else file)
            if target.is_symlink():
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            target.symlink_to(root / (top if whole else file))
