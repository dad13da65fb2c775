"""The examples outside the catalogue (issue 24), as a Pulumi user of the package meets them:

- `examples/python/`, a Pulumi project of its own: in a fresh virtual environment outside the
  repository, with the package built and installed from the repository (offline: pip builds the wheel
  without an index, and the venv gets the dependencies the wheel names from this one), the program
  declares under Pulumi's mocks a state machine, a role allowed to invoke only its function, a log
  group and a schedule, and no module of the catalogue exists there;
- `examples/yaml/`, a Pulumi YAML program, uses only what the pinned schema declares, spelt as the
  schema spells it, each interpolation of a declared value or output of the type its property takes,
  its definition's placeholder escaped as Pulumi YAML needs, and its Workflow, handed to the
  provider as the YAML engine would hand it, declares what the Python example does;
- docs/components.md shows the Python example whole and an excerpt of the YAML one, as they are.
"""

from __future__ import annotations

import json
import os
import re
import runpy
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pulumi
import pytest
import yaml

from rehearsal.program import PROJECT_ROOT, ProgramRun
from serverless_workflows.provider import PACKAGE_NAME, ComponentPackage
from tests.support import Declare, bare_venv, installed_closure, mirror_distributions

EXAMPLES = PROJECT_ROOT / "examples"
PYTHON_EXAMPLE = EXAMPLES / "python" / "__main__.py"
YAML_EXAMPLE = EXAMPLES / "yaml" / "Pulumi.yaml"
SCHEMA: dict[str, Any] = json.loads((PROJECT_ROOT / "components" / "plugin" / "schema.json").read_text())
FUNCTION_ARN = "arn:aws:lambda:us-east-1:123456789012:function:hello"
EXAMPLE_PROJECT = yaml.safe_load((EXAMPLES / "python" / "Pulumi.yaml").read_text())["name"]
# What the example's program must declare, at least: the state machine, its role and log group, the schedule.
DECLARED = {
    ("serverless-workflows:index:Workflow", "hello"),
    ("aws:sfn/stateMachine:StateMachine", "hello-state-machine"),
    ("aws:iam/role:Role", "hello-role"),
    ("aws:iam/rolePolicy:RolePolicy", "hello-policy"),
    ("aws:cloudwatch/logGroup:LogGroup", "hello-logs"),
    ("aws:scheduler/schedule:Schedule", "hello-schedule"),
}

# Run in the fresh venv, outside the repository: the example program under Pulumi's mocks, with mocks of
# its own (nothing of the repository is there to import), printing what was registered as JSON.
RUNNER = """
import importlib.util, json, runpy, sys
import pulumi
from pulumi.runtime import mocks

program, project, function_arn = sys.argv[1:]

class Aws(pulumi.runtime.Mocks):
    def new_resource(self, args):
        name = args.inputs.get("name") or args.name
        service = args.typ.split(":")[1].split("/")[0]
        return f"{args.name}-id", {**args.inputs, "arn": f"arn:aws:{service}:us-east-1:123456789012:{name}"}

    def call(self, args):
        return {"accountId": "123456789012", "region": "us-east-1", "name": "us-east-1", "partition": "aws",
                "dnsSuffix": "amazonaws.com"}, []

class Recording(mocks.MockMonitor):
    registered = []

    def RegisterResource(self, request):
        response = super().RegisterResource(request)
        if request.type != "pulumi:pulumi:Stack":
            inputs = pulumi.runtime.rpc.deserialize_properties(request.object)
            self.registered.append({"type": request.type, "name": request.name, "inputs": inputs})
        return response

aws = Aws()
monitor = Recording(aws)
pulumi.runtime.set_mocks(aws, project=project, stack="dev", monitor=monitor)
pulumi.runtime.set_all_config({f"{project}:functionArn": function_arn})

@pulumi.runtime.test
def run():
    runpy.run_path(program, run_name="__main__")

run()
import serverless_workflows
print(json.dumps({
    "registered": monitor.registered,
    "package": serverless_workflows.__file__,
    "repository": [name for name in ("workflows", "deployment", "settings", "rehearsal", "components")
                   if importlib.util.find_spec(name) is not None],
}, default=str))
"""


def _quiet_pip(*args: str | Path, cwd: Path) -> None:
    """pip of this (the dev) venv, offline and without this machine's pip configuration."""
    environment = {**os.environ, "PIP_CONFIG_FILE": os.devnull, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "pip", *map(str, args)],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def install_from_the_repository(tmp_path: Path) -> Path:
    """A fresh venv under `tmp_path` with the package installed from the repository, as `pip install
    <clone>` would install it, offline: the files git tracks of the package and pyproject.toml copied,
    as a clone holds them (a file not yet added is missing there too; building writes nothing into the
    checkout), built into a wheel with the setuptools pyproject.toml pins, installed; the dependencies
    the wheel names are this venv's, mirrored in. Returns the venv's python."""
    source = tmp_path / "clone"
    tracked = subprocess.run(
        ["git", "ls-files", "-z", "--", "pyproject.toml", "components/serverless_workflows"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\0")
    for relative in filter(None, tracked):
        (source / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(PROJECT_ROOT / relative, source / relative)
    assert (source / "pyproject.toml").is_file(), "git tracks no pyproject.toml"
    dist = tmp_path / "dist"
    _quiet_pip("wheel", "--no-build-isolation", "--no-index", "--no-deps", "-w", dist, source, cwd=tmp_path)
    (wheel,) = dist.glob("serverless_workflows-*.whl")
    python, site_packages = bare_venv(tmp_path / "venv")
    _quiet_pip("--python", python, "install", "--no-index", "--no-deps", wheel, cwd=tmp_path)
    with zipfile.ZipFile(wheel) as archive:
        (metadata,) = [name for name in archive.namelist() if name.endswith(".dist-info/METADATA")]
        requires = [line.split(":", 1)[1].strip() for line in archive.read(metadata).decode().splitlines()
                    if line.startswith("Requires-Dist:")]  # fmt: skip
    assert requires, "the wheel names no dependency"
    packages = tmp_path / "dependencies"
    mirror_distributions(installed_closure(requires, "the package's wheel"), packages)
    (site_packages / "dependencies.pth").write_text(f"{packages}\n")
    return python


def policy_statements(inputs: dict[str, Any]) -> list[dict[str, Any]]:
    statements: list[dict[str, Any]] = json.loads(inputs["policy"])["Statement"]
    return statements


@pytest.mark.program
def test_the_python_example_runs_in_a_fresh_venv_with_the_package_installed_from_the_repository(
    tmp_path: Path, declare: Declare
) -> None:
    python = install_from_the_repository(tmp_path)
    runner = tmp_path / "runner.py"
    runner.write_text(RUNNER)
    # Outside the repository, nothing on PYTHONPATH: only what the venv holds can be imported.
    result = subprocess.run(
        [python, runner, PYTHON_EXAMPLE, EXAMPLE_PROJECT, FUNCTION_ARN],
        cwd=tmp_path,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert Path(report["package"]).is_relative_to(tmp_path / "venv"), report["package"]
    assert report["repository"] == [], "the venv reaches the repository's own modules"
    registered = {(r["type"], r["name"]): r["inputs"] for r in report["registered"]}
    assert registered.keys() >= DECLARED, sorted(registered)

    definition = json.loads(registered[("aws:sfn/stateMachine:StateMachine", "hello-state-machine")]["definition"])
    assert definition["States"]["Hello"]["Resource"] == FUNCTION_ARN
    assert registered[("aws:scheduler/schedule:Schedule", "hello-schedule")]["scheduleExpression"] == "rate(1 hour)"
    # The role may invoke that function and no other, and nothing else of Lambda.
    lambda_statements = [
        statement
        for statement in policy_statements(registered[("aws:iam/rolePolicy:RolePolicy", "hello-policy")])
        if any(action.startswith("lambda:") for action in statement["Action"])
    ]
    assert [(s["Action"], s["Resource"]) for s in lambda_statements] == [(["lambda:InvokeFunction"], [FUNCTION_ARN])]

    # The same program in this process, from the checkout's package: the same resources.
    def in_the_repository() -> None:
        pulumi.runtime.set_all_config({f"{pulumi.get_project()}:functionArn": FUNCTION_ARN})
        runpy.run_path(str(PYTHON_EXAMPLE), run_name="__main__")

    here = declare(in_the_repository)
    assert {(r.type, r.name) for r in here.resources} == registered.keys()


def test_the_python_example_is_a_project_of_its_own_that_installs_the_package_from_the_repository() -> None:
    project = yaml.safe_load((EXAMPLES / "python" / "Pulumi.yaml").read_text())
    assert project["runtime"]["name"] == "python"
    assert set(project["config"]) == {"functionArn"}
    lines = [
        line
        for line in (EXAMPLES / "python" / "requirements.txt").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    assert lines == ["../.."]
    assert (EXAMPLES / "python" / lines[0]).resolve() == PROJECT_ROOT
    # It imports the package and Pulumi, nothing of the repository (tests/test_architecture.py too).
    imported = set(re.findall(r"^(?:from|import) (\w+)", PYTHON_EXAMPLE.read_text(), re.MULTILINE))
    assert imported == {"pulumi", "serverless_workflows"}


def test_the_docs_show_the_python_example_as_it_is() -> None:
    page = (PROJECT_ROOT / "docs" / "components.md").read_text()
    shown = page.split("### A minimal program\n", 1)[1].split("```python\n", 1)[1].split("```", 1)[0]
    program = PYTHON_EXAMPLE.read_text()
    assert shown == program.split('"""\n\n', 1)[1]


def test_the_docs_show_an_excerpt_of_the_yaml_example_as_it_is() -> None:
    page = (PROJECT_ROOT / "docs" / "components.md").read_text()
    shown = page.split("### YAML\n", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
    assert excerpt_problems(shown, YAML_EXAMPLE.read_text()) == []


def excerpt_problems(shown: str, program: str) -> list[str]:
    """How `shown` is not an excerpt of the YAML `program`: each of its lines must be one of the program's,
    in the program's order (lines may be left out, none changed or added), and what it reads as must be
    the program with entries left out: each mapping's keys among the program's there, every other
    value (a list, a string, a number) the program's."""
    theirs, after = program.splitlines(), 0
    problems = []
    for line in shown.splitlines():
        if line in theirs[after:]:
            after = theirs.index(line, after) + 1
        else:
            problems.append(f"line {line!r} is not the example's, in its order")

    def compare(ours: Any, theirs: Any, path: str) -> None:
        if isinstance(ours, dict) and isinstance(theirs, dict):
            for key, value in ours.items():
                if key in theirs:
                    compare(value, theirs[key], f"{path}.{key}" if path else str(key))
                else:
                    problems.append(f"{path or 'the program'} has no {key!r} in the example")
        elif ours != theirs:
            problems.append(f"{path} is {ours!r}, the example's is {theirs!r}")

    compare(yaml.safe_load(shown), yaml.safe_load(program), "")
    return problems


def test_the_excerpt_check_sees_a_changed_added_or_reordered_line() -> None:
    program = YAML_EXAMPLE.read_text()
    assert excerpt_problems(program, program) == []
    changed = program.replace("periodSeconds: 600", "periodSeconds: 300")
    assert excerpt_problems(changed, program) == [
        "line '          periodSeconds: 300' is not the example's, in its order",
        "resources.alarms.properties.thresholds.executionsFailed.periodSeconds is 300, the example's is 600",
    ]
    # A list item left out changes the list, which an excerpt shows whole.
    shortened = program.replace("              - ErrorEquals: [States.ALL]\n", "")
    assert excerpt_problems(shortened, program) == [
        "resources.hello.properties.definitionDocument.States.Hello.Retry is None, the example's is "
        "[{'ErrorEquals': ['States.ALL']}]"
    ]
    added = program.replace("runtime: yaml\n", "runtime: yaml\nmain: src/\n")
    assert excerpt_problems(added, program) == [
        "line 'main: src/' is not the example's, in its order",
        "the program has no 'main' in the example",
    ]
    first, second, *rest = program.splitlines(keepends=True)
    assert excerpt_problems("".join([second, first, *rest]), program) == [
        f"line {first.rstrip()!r} is not the example's, in its order"
    ]


# --- the YAML example against the pinned schema --------------------------------------------------------

_INTERPOLATION = re.compile(r"\$\$|\$\{([^}]*)\}")


def interpolations(text: str) -> list[str]:
    """What Pulumi YAML interpolates in a string: each `${...}`; `$$` is a literal `$`."""
    return [match[1] for match in _INTERPOLATION.finditer(text) if match[0] != "$$"]


def as_written(text: str) -> str:
    """A string as Pulumi YAML hands it on, its interpolations aside: each `$$` made `$`."""
    return text.replace("$$", "$")


def type_of(reference: str) -> dict[str, Any]:
    type_definition: dict[str, Any] = SCHEMA["types"][reference.removeprefix("#/types/")]
    return type_definition


def schema_problems(value: Any, prop: dict[str, Any], path: str, program: dict[str, Any]) -> list[str]:
    """What in `value`, set at `path` of `program`, the schema's property `prop` does not allow: a
    property the type has not, a required one left out, a value of another type, an interpolation of a
    value of another type, a resource's output where the value must be plain (known when the program
    runs)."""
    if isinstance(value, str) and (found := interpolations(value)):
        return interpolation_problems(value, found, prop, path, program)
    reference = prop.get("$ref", "")
    if reference.startswith("#/types/"):
        return object_problems(value, type_of(reference), path, program)
    return [] if reference == ANY else _typed_problems(value, prop, path, program)


ANY = "pulumi.json#/Any"
# What Pulumi YAML itself names, all strings: pulumi.cwd, pulumi.organization, pulumi.project, pulumi.stack.
BUILT_IN = "pulumi"


def interpolation_problems(
    value: str, found: list[str], prop: dict[str, Any], path: str, program: dict[str, Any]
) -> list[str]:
    """A string that interpolates: a resource's output cannot be plain, and what the interpolation makes
    must be what `prop` takes. A string that is one interpolation and nothing else is the value
    interpolated, of that value's type; one with text around is a string."""
    resources = program.get("resources", {})
    # A config value is known when the program runs; a resource's output (`${name.property}`) is not.
    if prop.get("plain") and any(_accessed(name)[0] in resources for name in found):
        return [f"{path} is plain, known when the program runs: it cannot take {value!r}"]
    whole = value == f"${{{found[0]}}}"
    given = referenced_type(found[0], program) if whole else {"type": "string"}
    if given is None or fits(given, prop):
        return []
    made = f"{value!r} is {described(given)}" if whole else f"{value!r} makes a string"
    return [f"{path} takes {described(prop)}: {made}"]


_ACCESSOR = re.compile(r"\.(\w+)|\[(\d+)\]")


def _accessed(reference: str) -> tuple[str, list[tuple[str, str]]]:
    """`name.property[0]` as its name and its accessors, (property, "") or ("", index) each."""
    head = re.match(r"\w+", reference)
    name = head[0] if head else reference
    return name, _ACCESSOR.findall(reference[len(name) :])


def referenced_type(reference: str, program: dict[str, Any]) -> dict[str, Any] | None:
    """The schema type of what `${reference}` reads, as a property of the schema is typed; None where
    this check cannot know it (a variable, another package's resource or type, an untyped config value)
    or where it reads nothing (`reference_problem` names that)."""
    name, accessors = _accessed(reference)
    if name == BUILT_IN:
        return {"type": "string"}
    config = program.get("config", {})
    if name in config:
        return config_type(config[name]) if not accessors else None
    resource = program.get("resources", {}).get(name)
    definition = SCHEMA["resources"].get(resource["type"]) if resource else None
    if definition is None or not accessors or not accessors[0][0]:
        return None
    prop: dict[str, Any] | None = definition["properties"].get(accessors[0][0])
    for _, index in accessors[1:]:
        if prop is None or not index or prop.get("type") != "array":
            return None
        prop = prop["items"]
    return prop


def reference_problem(reference: str, program: dict[str, Any]) -> str | None:
    """What is wrong with `${reference}` in `program`: a name it does not declare, an output of one of the
    package's resources that the schema does not list."""
    name, accessors = _accessed(reference)
    if name == BUILT_IN or name in program.get("config", {}) or name in program.get("variables", {}):
        return None
    resource = program.get("resources", {}).get(name)
    if resource is None:
        return f"${{{reference}}}: the program declares no config, variable or resource {name}"
    definition = SCHEMA["resources"].get(resource["type"])
    if definition is None or not resource["type"].startswith(f"{PACKAGE_NAME}:"):
        return None
    output = accessors[0][0] if accessors else ""
    if output not in definition["properties"]:
        return f"${{{reference}}}: {resource['type']} has no output {output}"
    return None


def config_type(declared: Any) -> dict[str, Any] | None:
    """A config value's type as the schema types a property, from its declaration in Pulumi.yaml
    (`type: integer`, `type: array` with `items`, or the older `List<String>`)."""
    if not isinstance(declared, dict) or "type" not in declared:
        return None
    kind = str(declared["type"]).lower()
    if listed := re.fullmatch(r"list<(\w+)>", kind):
        return {"type": "array", "items": {"type": listed[1]}}
    items = declared.get("items")
    return {"type": kind, **({"items": config_type(items) or {}} if isinstance(items, dict) else {})}


def fits(given: dict[str, Any], wanted: dict[str, Any]) -> bool:
    """Whether a value of the schema type `given` may be set where `wanted` is: the same type, an
    integer where a number is, anything where Any is; a list's items and a map's values alike."""
    if wanted.get("$ref") == ANY or not given:
        return True
    if "$ref" in given or "$ref" in wanted:
        return given.get("$ref") == wanted.get("$ref")
    kind = wanted.get("type")
    if given.get("type") != kind and (given.get("type"), kind) != ("integer", "number"):
        return False
    inner = {"array": "items", "object": "additionalProperties"}.get(str(kind))
    return inner is None or inner not in wanted or fits(given.get(inner, {}), wanted[inner])


def described(prop: dict[str, Any]) -> str:
    reference = str(prop.get("$ref", ""))
    if reference:
        return reference.rsplit("/", 1)[-1].rsplit(":", 1)[-1]
    kind = str(prop.get("type"))
    if kind == "array" and "items" in prop:
        return f"array of {described(prop['items'])}"
    return kind


def _typed_problems(value: Any, prop: dict[str, Any], path: str, program: dict[str, Any]) -> list[str]:
    kind = prop.get("type")
    if not _is_a(value, kind):
        return [f"{path} must be {kind}, not {value!r}"]
    if kind == "array":
        return [
            problem
            for n, item in enumerate(value)
            for problem in schema_problems(item, prop["items"], f"{path}[{n}]", program)
        ]
    if kind == "object" and "additionalProperties" in prop:
        return [
            problem
            for key, item in value.items()
            for problem in schema_problems(item, prop["additionalProperties"], f"{path}.{key}", program)
        ]
    return []


def _is_a(value: Any, kind: str | None) -> bool:
    expected: dict[str, type | tuple[type, ...]] = {
        "string": str,
        "boolean": bool,
        "integer": int,
        "number": (int, float),
        "array": list,
        "object": dict,
    }
    if kind not in expected or (kind in ("integer", "number") and isinstance(value, bool)):
        return False
    return isinstance(value, expected[kind])


def object_problems(
    value: Any,
    definition: dict[str, Any],
    path: str,
    program: dict[str, Any],
    *,
    properties: str = "properties",
    required: str = "required",
) -> list[str]:
    if not isinstance(value, dict):
        return [f"{path} must be an object, not {value!r}"]
    known = definition.get(properties, {})
    problems = [
        f"{path}.{name} is not a property here; it has {', '.join(known)}" for name in value if name not in known
    ]
    problems += [f"{path}.{name} is required" for name in definition.get(required, []) if name not in value]
    return problems + [
        problem
        for name, item in value.items()
        if name in known
        for problem in schema_problems(item, known[name], f"{path}.{name}", program)
    ]


def yaml_problems(program: dict[str, Any]) -> list[str]:
    """What a Pulumi YAML program sets of the package that its schema does not declare or type so, and
    each interpolation of a name it does not declare or of an output the package's resources do not
    have."""
    ours = {
        name: resource
        for name, resource in program.get("resources", {}).items()
        if resource["type"].startswith(f"{PACKAGE_NAME}:")
    }
    problems = []
    for name, resource in ours.items():
        definition = SCHEMA["resources"].get(resource["type"])
        if definition is None:
            problems.append(f"{name}: the schema has no resource {resource['type']}")
            continue
        problems += object_problems(
            resource.get("properties", {}),
            definition,
            name,
            program,
            properties="inputProperties",
            required="requiredInputs",
        )
    for reference in interpolations(json.dumps(program)):
        if problem := reference_problem(reference, program):
            problems.append(problem)
    return problems


def yaml_program() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(YAML_EXAMPLE.read_text())
    return loaded


def test_the_yaml_example_uses_only_what_the_pinned_schema_declares() -> None:
    program = yaml_program()
    assert {resource["type"] for resource in program["resources"].values()} == {
        f"{PACKAGE_NAME}:index:Workflow",
        f"{PACKAGE_NAME}:index:Monitoring",
    }
    assert yaml_problems(program) == []
    assert program["runtime"] == "yaml"
    assert (YAML_EXAMPLE.parent / program["packages"][PACKAGE_NAME]).resolve() == PROJECT_ROOT / "components" / "plugin"


def test_the_schema_check_sees_what_the_schema_does_not_declare() -> None:
    workflow = f"{PACKAGE_NAME}:index:Workflow"
    program = {"resources": {
        "a": {"type": f"{PACKAGE_NAME}:index:Nothing"},
        "b": {"type": workflow, "properties": {"retry_attempts": 3, "schedule": {"expresion": "rate(1 hour)"}}},
        "c": {"type": workflow, "properties": {"stateMachineName": "${b.stateMachineName}", "logRetentionDays": "14",
                                               "functions": {"F": {"arn": "${b.roleArn}", "timeoutSeconds": 3}}}},
    }, "outputs": {"x": "${c.stateMachineUrl}"}}  # fmt: skip
    assert yaml_problems(program) == [
        f"a: the schema has no resource {PACKAGE_NAME}:index:Nothing",
        "b.retry_attempts is not a property here; it has "
        + ", ".join(SCHEMA["resources"][workflow]["inputProperties"]),
        "b.schedule.expresion is not a property here; it has "
        + ", ".join(type_of(f"#/types/{PACKAGE_NAME}:index:ScheduleArgs")["properties"]),
        "b.schedule.expression is required",
        "c.stateMachineName is plain, known when the program runs: it cannot take '${b.stateMachineName}'",
        "c.logRetentionDays must be integer, not '14'",
        f"${{c.stateMachineUrl}}: {workflow} has no output stateMachineUrl",
    ]


def test_the_schema_check_sees_an_interpolation_of_what_the_property_does_not_take() -> None:
    function, monitoring = f"{PACKAGE_NAME}:index:HandlerFunction", f"{PACKAGE_NAME}:index:Monitoring"
    program = {
        "config": {"days": {"type": "string"}, "weeks": {"type": "integer"}, "subnets": {"type": "List<String>"}},
        "resources": {
            "h": {"type": function, "properties": {
                "handler": "handlers.call_center.open_case",
                "logRetentionDays": "${days}",
                "timeoutSeconds": "${weeks}",
                "memoryMb": "${weeks}0",
                "extraStatements": ["${g.roleArn}"],
                "code": "${g.functionArn}",
                "vpcConfig": {"subnetIds": "${subnets}", "securityGroupIds": ["sg-${pulumi.stack}"]},
                "description": "${nothing}",
                "environment": {"NAME": "${g.functionName}", "ALARMS": "${g.alarmNames}"},
            }},
            "g": {"type": function, "properties": {"handler": "handlers.case.close_case"}},
            "m": {"type": monitoring, "properties": {"namePrefix": "ops", "workflows": [
                {"name": "w", "stateMachineArn": "${m.alarmNames}", "functionNames": {"F": "${g.functionName}"}},
                {"name": "v", "stateMachineArn": "${m.alarmNames[0]}"},
            ]}},
        },
    }  # fmt: skip
    assert yaml_problems(program) == [
        "h.logRetentionDays takes integer: '${days}' is string",
        "h.memoryMb takes integer: '${weeks}0' makes a string",
        "h.extraStatements[0] takes object: '${g.roleArn}' is string",
        "h.code takes Archive: '${g.functionArn}' is string",
        "m.workflows[0].stateMachineArn takes string: '${m.alarmNames}' is array of string",
        "${nothing}: the program declares no config, variable or resource nothing",
        f"${{g.alarmNames}}: {function} has no output alarmNames",
    ]


def test_the_yaml_examples_placeholder_survives_pulumi_yamls_interpolation() -> None:
    properties = yaml_program()["resources"]["hello"]["properties"]
    text = json.dumps(properties["definitionDocument"])
    # Nothing in the definition is a Pulumi YAML interpolation; the component gets ${Hello} as written.
    assert interpolations(text) == []
    handed = json.loads(as_written(text))
    assert handed["States"]["Hello"]["Resource"] == "${Hello}"
    assert set(properties["functions"]) == {"Hello"}
    # Unescaped, Pulumi YAML would look for a variable Hello, which the program does not have.
    assert interpolations("${Hello}") == ["Hello"]
    assert as_written("$$$$.Execution.Id") == "$$.Execution.Id"


def handed_to_the_provider(properties: dict[str, Any], config: dict[str, str]) -> dict[str, Any]:
    """A resource's properties as the YAML engine hands them on: `$$` a `$`, each `${name}` of `config`
    its value, every number a float (the engine's protobuf Struct has no integers)."""

    def interpolated(match: re.Match[str]) -> str:
        if match[0] == "$$":
            return "$"
        assert match[1] in config, f"${{{match[1]}}}: a resource's output, which this test does not resolve"
        return config[match[1]]

    handed: dict[str, Any] = json.loads(_INTERPOLATION.sub(interpolated, json.dumps(properties)), parse_int=float)
    return handed


@pytest.mark.program
def test_the_yaml_examples_workflow_declares_what_the_python_example_declares(declare: Declare) -> None:
    properties = yaml_program()["resources"]["hello"]["properties"]
    inputs = handed_to_the_provider(properties, {"functionArn": FUNCTION_ARN})
    package = ComponentPackage()
    through_provider = declare(
        lambda: package.construct("hello", f"{PACKAGE_NAME}:index:Workflow", inputs, pulumi.ResourceOptions())
    )

    def python_example() -> None:
        pulumi.runtime.set_all_config({f"{pulumi.get_project()}:functionArn": FUNCTION_ARN})
        runpy.run_path(str(PYTHON_EXAMPLE), run_name="__main__")

    in_python = declare(python_example)
    assert {(r.type, r.name) for r in through_provider.resources} >= DECLARED
    assert registrations(through_provider) == registrations(in_python)


def registrations(run: ProgramRun) -> list[tuple[str, str, Any]]:
    # The definition as data: the provider sorts a map's keys, which arrive in no order.
    def comparable(inputs: dict[str, Any]) -> dict[str, Any]:
        return {**inputs, "definition": json.loads(inputs["definition"])} if "definition" in inputs else inputs

    return sorted((r.type, r.name, comparable(r.inputs)) for r in run.resources)
