"""The Lambda package of one handler: its import closure, its pinned dependencies, the cache, determinism, modes.

Dependencies come from wheels written by hand into a temporary folder that pip
reads instead of an index (PIP_NO_INDEX, PIP_FIND_LINKS): no network.
Packages are run the way Lambda runs them: unzipped into a task root and
imported by a fresh `python -I -S`. `-S` as well as `-I`, because `-I` alone
still puts this virtualenv's site-packages on the path, where a dependency the
archive forgot would be found anyway.
"""

from __future__ import annotations

import ast
import base64
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import textwrap
import zipfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pulumi
import pytest

from serverless_workflows import lambda_package
from serverless_workflows.defaults import ARCHITECTURES, FUNCTION_ARCHITECTURE, FUNCTION_RUNTIME, SUPPORTED_RUNTIMES
from serverless_workflows.lambda_package import (
    PackagingError,
    archive_zip,
    handler_archive,
    handler_sources,
    read_requirements,
)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CALL_CENTER = ("open_case", "assign_case", "work_on_case", "close_case", "escalate_case")
TODAYS_ARCHIVE = ["handlers/__init__.py", "handlers/call_center.py", "handlers/case.py"]


# --- helpers ------------------------------------------------------------------------


def write_tree(root: Path, files: Mapping[str, str]) -> Path:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root


def make_wheel(
    folder: Path,
    name: str,
    version: str = "1.0",
    *,
    tag: str = "py3-none-any",
    requires: tuple[str, ...] = (),
    files: Mapping[str, str] | None = None,
) -> Path:
    """A minimal valid wheel: the files, METADATA, WHEEL and a RECORD with hashes."""
    dist_info = f"{name}-{version}.dist-info"
    metadata = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
    metadata += "".join(f"Requires-Dist: {requirement}\n" for requirement in requires)
    contents = {
        **(files if files is not None else {f"{name}/__init__.py": f"VERSION = {version!r}\n"}),
        f"{dist_info}/METADATA": metadata,
        f"{dist_info}/WHEEL": f"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: {tag}\n",
    }

    def record_line(path: str, text: str) -> str:
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()
        return f"{path},sha256={digest},{len(text.encode())}\n"

    contents[f"{dist_info}/RECORD"] = (
        "".join(record_line(p, t) for p, t in contents.items()) + f"{dist_info}/RECORD,,\n"
    )
    wheel = folder / f"{name}-{version}-{tag}.whl"
    with zipfile.ZipFile(wheel, "w") as bundle:
        for path, text in contents.items():
            bundle.writestr(path, text)
    return wheel


_RUNNER = """
import importlib, json, sys
task_root, handler, event = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
sys.path.insert(0, task_root)
module_name, function_name = handler.rsplit(".", 1)
result = getattr(importlib.import_module(module_name), function_name)(event, None)
loaded = sorted(
    m.__file__[len(task_root) + 1:] for m in list(sys.modules.values())
    if getattr(m, "__file__", None) and m.__file__.startswith(task_root)
)
print(json.dumps({"result": result, "loaded": loaded}))
"""


def run_like_lambda(archive: pulumi.AssetArchive, handler: str, event: Any, task_root: Path) -> dict[str, Any]:
    """Unzip the archive into a task root and call the handler in a fresh, isolated interpreter."""
    with zipfile.ZipFile(io.BytesIO(archive_zip(archive))) as bundle:
        bundle.extractall(task_root)
    finished = subprocess.run(
        [sys.executable, "-I", "-S", "-c", _RUNNER, str(task_root), handler, json.dumps(event)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert finished.returncode == 0, finished.stderr
    output: dict[str, Any] = json.loads(finished.stdout)
    return output


def asset_files(archive: pulumi.AssetArchive) -> dict[str, str]:
    """What Pulumi hashes and zips: archive path -> file on disk."""
    files: dict[str, str] = {}
    for path, asset in archive.assets.items():
        assert isinstance(asset, pulumi.FileAsset)
        files[path] = str(asset.path)
    return files


@pytest.fixture
def wheels(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder pip installs from, instead of any index or configuration."""
    folder = tmp_path / "wheels"
    folder.mkdir()
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(folder))
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("PIP_NO_CACHE_DIR", "1")
    return folder


@pytest.fixture
def report(tmp_path: Path) -> Path:
    """A source root whose handler `app.report.main.handler` has a requirements.txt beside it."""
    return write_tree(
        tmp_path / "src",
        {
            "app/__init__.py": "",
            "app/report/__init__.py": "",
            "app/report/main.py": """
                import tinydep

                def handler(event, context):
                    return {"tinydep": tinydep.VERSION, "from": tinydep.__file__.rsplit("/", 2)[-2]}
            """,
            "app/report/requirements.txt": "tinydep==1.0\n",
        },
    )


def requirements_error(report: Path, text: str, **target: str) -> str:
    (report / "app/report/requirements.txt").write_text(text)
    with pytest.raises(PackagingError) as raised:
        handler_archive("app.report.main.handler", source_root=report, **target)
    return str(raised.value)


# --- the import closure ---------------------------------------------------------------


@pytest.mark.parametrize("function", CALL_CENTER)
def test_each_call_center_function_gets_exactly_todays_three_files(function: str) -> None:
    handler = f"handlers.call_center.{function}"
    expected = {path: PROJECT_ROOT / path for path in TODAYS_ARCHIVE}
    assert handler_sources(handler) == expected
    assert asset_files(handler_archive(handler)) == {path: str(file) for path, file in expected.items()}


def test_an_unrelated_module_and_test_files_leave_the_archive_unchanged(tmp_path: Path) -> None:
    shutil.copytree(PROJECT_ROOT / "handlers", tmp_path / "handlers", ignore=shutil.ignore_patterns("__pycache__"))
    before = archive_zip(handler_archive("handlers.call_center.open_case", source_root=tmp_path))
    write_tree(
        tmp_path,
        {
            "handlers/billing.py": "import json\n\ndef handler(event, context):\n    return {}\n",
            "handlers/test_call_center.py": "from handlers import call_center\n",
            "handlers/tests/test_case.py": "from handlers import case\n",
            "handlers/requirements-dev.txt": "pytest\n",
        },
    )
    after = handler_archive("handlers.call_center.open_case", source_root=tmp_path)
    assert sorted(after.assets) == TODAYS_ARCHIVE
    assert archive_zip(after) == before


@pytest.mark.program
def test_subpackages_relative_and_lazy_imports_are_followed(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/app.py": """
                from . import util
                from .sub import helper
                import pkg.deep.leaf

                def handler(event, context):
                    from pkg import lazy
                    return [util.NAME, helper.NAME, pkg.deep.leaf.NAME, lazy.NAME]
            """,
            "pkg/util.py": "from .sub.inner import NAME as INNER\nNAME = 'util+' + INNER\n",
            "pkg/sub/__init__.py": "from .other import NAME as OTHER\n",
            "pkg/sub/helper.py": "from ..sub import OTHER\nNAME = 'helper+' + OTHER\n",
            "pkg/sub/inner.py": "NAME = 'inner'\n",
            "pkg/sub/other.py": "NAME = 'other'\n",
            "pkg/deep/leaf.py": "NAME = 'leaf'\n",  # a namespace subpackage: no __init__.py
            "pkg/lazy.py": "NAME = 'lazy'\n",
            "pkg/unused.py": "raise RuntimeError('never imported')\n",
            "pkg/sub/unused.py": "raise RuntimeError('never imported')\n",
        },
    )
    archive = handler_archive("pkg.app.handler", source_root=root)
    expected = [
        "pkg/__init__.py",
        "pkg/app.py",
        "pkg/deep/leaf.py",
        "pkg/lazy.py",
        "pkg/sub/__init__.py",
        "pkg/sub/helper.py",
        "pkg/sub/inner.py",
        "pkg/sub/other.py",
        "pkg/util.py",
    ]
    assert sorted(archive.assets) == expected
    ran = run_like_lambda(archive, "pkg.app.handler", {}, tmp_path / "task")
    assert ran["result"] == ["util+inner", "helper+other", "leaf", "lazy"]
    assert ran["loaded"] == expected


@pytest.mark.program
def test_a_subpackage_imported_by_name_from_its_parent_is_packaged_and_imports(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/app.py": "from pkg import steps\n\ndef handler(event, context):\n    return steps.run()\n",
            "pkg/steps/__init__.py": "from .first import NAME\n\ndef run():\n    return NAME\n",
            "pkg/steps/first.py": "NAME = 'first'\n",
        },
    )
    archive = handler_archive("pkg.app.handler", source_root=root)
    assert "pkg/steps/__init__.py" in archive.assets, (
        f"`from pkg import steps`, steps a subpackage, left it out of the archive (Lambda: ImportError): "
        f"{sorted(archive.assets)}"
    )
    ran = run_like_lambda(archive, "pkg.app.handler", {}, tmp_path / "task")
    assert ran["result"] == "first"
    assert ran["loaded"] == ["pkg/__init__.py", "pkg/app.py", "pkg/steps/__init__.py", "pkg/steps/first.py"]


def test_star_imports_follow_the_packages_all(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path,
        {
            "pkg/__init__.py": "__all__ = ['steps']\n",
            "pkg/steps.py": "NAME = 'steps'\n",
            "pkg/other.py": "",
            "pkg/app.py": "from pkg import *\n\ndef handler(event, context):\n    return steps.NAME\n",
        },
    )
    assert sorted(handler_sources("pkg.app.handler", source_root=root)) == [
        "pkg/__init__.py",
        "pkg/app.py",
        "pkg/steps.py",
    ]


def test_a_star_import_of_a_package_without_all_takes_its_init_alone(tmp_path: Path) -> None:
    # Without __all__, `from pkg import *` binds the names pkg/__init__.py defines or imports, and
    # imports no submodule: the other modules of the folder, test files among them, stay out.
    root = write_tree(
        tmp_path,
        {
            "pkg/__init__.py": "from .steps import NAME\nGREETING = 'hello'\n",
            "pkg/steps.py": "NAME = 'steps'\n",
            "pkg/other.py": "",
            "pkg/test_app.py": "import pytest\n",
            "pkg/tests/__init__.py": "",
            "pkg/app.py": "from pkg import *\n\ndef handler(event, context):\n    return GREETING + NAME\n",
        },
    )
    packaged = sorted(handler_sources("pkg.app.handler", source_root=root))
    assert packaged == ["pkg/__init__.py", "pkg/app.py", "pkg/steps.py"], (
        f"`from pkg import *` without __all__ packaged modules it does not import: {packaged}"
    )


@pytest.mark.program
def test_modules_imported_by_computed_name_are_declared_in_package_includes(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/app.py": """
                import importlib

                __package_includes__ = ("pkg.plugins.csv", ".helpers")

                def handler(event, context):
                    plugin = importlib.import_module("pkg.plugins." + event["format"])
                    return importlib.import_module("pkg.helpers").wrap(plugin.NAME)
            """,
            "pkg/helpers.py": "def wrap(name):\n    return f'<{name}>'\n",
            "pkg/plugins/__init__.py": "",
            "pkg/plugins/csv.py": "NAME = 'csv'\n",
            "pkg/plugins/xml.py": "NAME = 'xml'\n",
        },
    )
    archive = handler_archive("pkg.app.handler", source_root=root)
    assert sorted(archive.assets) == [
        "pkg/__init__.py",
        "pkg/app.py",
        "pkg/helpers.py",
        "pkg/plugins/__init__.py",
        "pkg/plugins/csv.py",
    ]
    assert run_like_lambda(archive, "pkg.app.handler", {"format": "csv"}, tmp_path / "task")["result"] == "<csv>"


@pytest.mark.parametrize(
    ("files", "message"),
    [
        (
            {"pkg/app.py": "__package_includes__ = ['pkg.' + 'x']\ndef handler(e, c): ...\n"},
            "pkg/app.py line 1: __package_includes__ must be a tuple or list of string literals naming modules of "
            "the pkg package, e.g. ('pkg.plugins.csv', '.sibling').",
        ),
        (
            {"pkg/app.py": "__package_includes__ = ('requests',)\ndef handler(e, c): ...\n"},
            "pkg/app.py line 1: __package_includes__ names 'requests', which is outside the pkg package; "
            "third-party code goes in requirements.txt.",
        ),
        (
            {"pkg/app.py": "import pkg.missing\ndef handler(e, c): ...\n"},
            "pkg/app.py line 1 imports pkg.missing, but there is neither pkg/missing.py nor pkg/missing/ under "
            "{root}; Lambda would fail with ModuleNotFoundError.",
        ),
        (
            {"pkg/app.py": "from .. import elsewhere\ndef handler(e, c): ...\n"},
            "pkg/app.py line 1: the relative import goes above the top-level package pkg.",
        ),
        (
            {"pkg/app.py": "from . import util\ndef handler(e, c): ...\n", "pkg/util.py": "def broken(:\n"},
            "pkg/util.py line 1: invalid syntax (parsed by Python {python}).",
        ),
        (
            {"pkg/app.py": "def handle(e, c): ...\n"},
            "handler 'pkg.app.handler': pkg/app.py defines no top-level 'handler'; "
            "Lambda would fail with Runtime.HandlerNotFound.",
        ),
    ],
)
def test_closure_problems_are_named(tmp_path: Path, files: dict[str, str], message: str) -> None:
    root = write_tree(tmp_path, {"pkg/__init__.py": "", **files})
    python = f"{sys.version_info[0]}.{sys.version_info[1]}"
    with pytest.raises(PackagingError) as raised:
        handler_archive("pkg.app.handler", source_root=root)
    assert str(raised.value) == message.format(root=root.resolve(), python=python)


@pytest.mark.parametrize(
    ("handler", "target", "message"),
    [
        (
            "main.handler",
            {},
            "handler 'main.handler' must be Lambda's handler setting for a module in a package: "
            "package.module.function, e.g. handlers.call_center.open_case.",
        ),
        (
            "handlers.nope.handler",
            {},
            "handler 'handlers.nope.handler': there is no module handlers.nope under {root} "
            "(looked for handlers/nope.py and handlers/nope/__init__.py).",
        ),
        (
            "handlers.call_center.open_case",
            {"runtime": "python3.8"},
            "runtime 'python3.8' is no longer offered by Lambda; use python3.12 or later.",
        ),
        (
            "handlers.call_center.open_case",
            {"runtime": "nodejs22.x"},
            "runtime 'nodejs22.x' is not a Lambda Python runtime; use python3.N, e.g. python3.14.",
        ),
        (
            "handlers.call_center.open_case",
            {"architecture": "amd64"},
            "architecture 'amd64' is not one of arm64, x86_64.",
        ),
    ],
)
def test_bad_handler_runtime_or_architecture_is_named(handler: str, target: dict[str, str], message: str) -> None:
    with pytest.raises(PackagingError) as raised:
        handler_archive(
            handler, runtime=target.get("runtime", "python3.14"), architecture=target.get("architecture", "arm64")
        )
    assert str(raised.value) == message.format(root=PROJECT_ROOT)


@pytest.mark.parametrize("runtime", SUPPORTED_RUNTIMES)
@pytest.mark.parametrize("architecture", ARCHITECTURES)
def test_every_runtime_and_architecture_a_function_may_have_can_be_packaged(runtime: str, architecture: str) -> None:
    assert handler_archive("handlers.call_center.open_case", runtime=runtime, architecture=architecture).assets


@pytest.mark.program
def test_a_module_using_the_standard_library_broadly_runs_from_its_archive_alone(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/app.py": """
                import base64, collections, csv, dataclasses, datetime, decimal, enum, fractions, functools
                import hashlib, io, itertools, json, logging, math, re, statistics, string, textwrap, uuid
                import urllib.parse, zoneinfo
                from typing import Any

                class Kind(enum.Enum):
                    A = "a"

                @dataclasses.dataclass
                class Row:
                    amount: decimal.Decimal

                def handler(event: Any, context: Any) -> dict[str, Any]:
                    logging.getLogger(__name__).info("called")
                    rows = [Row(decimal.Decimal(v)) for v in event["amounts"]]
                    total = sum((r.amount for r in rows), decimal.Decimal(0))
                    when = datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
                    out = io.StringIO()
                    csv.writer(out).writerow([str(total), Kind.A.value])
                    return {
                        "total": str(total),
                        "mean": str(statistics.mean(r.amount for r in rows)),
                        "half": str(fractions.Fraction(1, 2)),
                        "when": when.isoformat(),
                        "csv": out.getvalue().strip(),
                        "b64": base64.b64encode(b"hi").decode(),
                        "sha": hashlib.sha256(b"hi").hexdigest()[:8],
                        "uuid": str(uuid.UUID(int=1)),
                        "query": urllib.parse.urlencode({"q": "a b"}),
                        "count": collections.Counter("aab")["a"],
                        "pairs": list(itertools.pairwise([1, 2, 3])),
                        "sqrt": math.isqrt(17),
                        "word": re.sub(r"\\d", "", "a1b2") + string.ascii_lowercase[2] + textwrap.shorten("x  y", 9),
                        "json": json.dumps({"k": functools.reduce(lambda a, b: a + b, [1, 2])}),
                        "tzpath": isinstance(zoneinfo.TZPATH, tuple),
                    }
            """,
        },
    )
    archive = handler_archive("pkg.app.handler", source_root=root)
    assert sorted(archive.assets) == ["pkg/__init__.py", "pkg/app.py"]
    ran = run_like_lambda(archive, "pkg.app.handler", {"amounts": ["1.10", "2.20"]}, tmp_path / "task")
    assert ran["result"] == {
        "total": "3.30",
        "mean": "1.65",
        "half": "1/2",
        "when": "2026-01-02T03:04:05+00:00",
        "csv": "3.30,a",
        "b64": "aGk=",
        "sha": "8f434346",
        "uuid": "00000000-0000-0000-0000-000000000001",
        "query": "q=a+b",
        "count": 2,
        "pairs": [[1, 2], [2, 3]],
        "sqrt": 4,
        "word": "abcx y",
        "json": '{"k": 3}',
        "tzpath": True,
    }


# --- requirements.txt ----------------------------------------------------------------


@pytest.mark.program
def test_a_pinned_dependency_is_packaged_at_the_root_and_imported(report: Path, wheels: Path, tmp_path: Path) -> None:
    make_wheel(
        wheels,
        "tinydep",
        files={
            "tinydep/__init__.py": "VERSION = '1.0'\n",
            "tinydep/__pycache__/stale.cpython-314.pyc": "not byte code",
            "tinydep-1.0.data/scripts/tinydep-cli": "#!python\nprint('cli')\n",
        },
    )
    archive = handler_archive("app.report.main.handler", source_root=report)
    assert sorted(archive.assets) == [
        "app/__init__.py",
        "app/report/__init__.py",
        "app/report/main.py",
        "tinydep-1.0.dist-info/INSTALLER",
        "tinydep-1.0.dist-info/METADATA",
        "tinydep-1.0.dist-info/RECORD",
        "tinydep-1.0.dist-info/REQUESTED",
        "tinydep-1.0.dist-info/WHEEL",
        "tinydep/__init__.py",
    ]
    # The RECORD lists what the archive holds, not the console script left out (its shebang names this machine).
    record = Path(asset_files(archive)["tinydep-1.0.dist-info/RECORD"]).read_text()
    assert sorted(line.split(",")[0] for line in record.splitlines()) == [
        path for path in sorted(archive.assets) if path.startswith("tinydep")
    ]
    ran = run_like_lambda(archive, "app.report.main.handler", {}, tmp_path / "task")
    assert ran["result"] == {"tinydep": "1.0", "from": "tinydep"}
    assert "tinydep/__init__.py" in ran["loaded"]


def with_helper(report: Path, helper_pins: str) -> Path:
    """The report handler importing a helper subpackage that has a requirements.txt of its own."""
    main = report / "app/report/main.py"
    main.write_text("from app.common import dates\n" + main.read_text())
    files = {"app/common/__init__.py": "", "app/common/dates.py": "import tinydep\n"}
    return write_tree(report, {**files, "app/common/requirements.txt": helper_pins})


@pytest.mark.parametrize(
    ("own", "helper", "lacking"),
    [
        (None, "tinydep==1.0\n", "tinydep==1.0"),
        ("tinydep==1.0\n", "tinydep==1.0\notherdep==2.0\n", "otherdep==2.0"),
        ("tinydep==1.0\n", "tinydep==1.1\n", "tinydep==1.1"),
    ],
)
def test_a_requirements_file_elsewhere_in_the_closure_must_be_covered_by_the_handlers_own(
    report: Path, wheels: Path, own: str | None, helper: str, lacking: str
) -> None:
    with_helper(report, helper)
    requirements = report / "app/report/requirements.txt"
    if own is None:
        requirements.unlink()
    else:
        requirements.write_text(own)
    with pytest.raises(PackagingError) as raised:
        handler_archive("app.report.main.handler", source_root=report)
    installed = (
        "nothing is installed for it (there is no app/report/requirements.txt); create "
        f"app/report/requirements.txt with {lacking}."
        if own is None
        else "only app/report/requirements.txt is installed for it; pin the same there."
    )
    assert str(raised.value) == (
        f"app/common/requirements.txt pins {lacking}, which the package of app.report.main.handler would lack: "
        f"it holds app/common/__init__.py from that folder, but {installed}"
    )


@pytest.mark.parametrize("own", [None, "tinydep==1.0\n"])
def test_a_parent_packages_requirements_are_not_needed_for_its_init_alone(
    report: Path, unzipping_pip: Path, own: str | None
) -> None:
    # Python runs app/__init__.py as the parent of app.report.main; the handler imports nothing from app/.
    make_wheel(unzipping_pip, "tinydep")
    (report / "app/requirements.txt").write_text("six==1.16.0\n")
    main = report / "app/report/main.py"
    if own is None:
        (report / "app/report/requirements.txt").unlink()
        main.write_text("def handler(event, context):\n    return {}\n")
    archive = handler_archive("app.report.main.handler", source_root=report)
    assert {"app/__init__.py", "app/report/main.py"} <= set(archive.assets)
    # Importing a module from that folder, or the package itself, does need them.
    for imports in ("import app.tools\n", "from app import NAME\n"):
        write_tree(report, {"app/tools.py": "", "app/__init__.py": "NAME = 1\n"})
        main.write_text(imports + "def handler(event, context):\n    return {}\n")
        with pytest.raises(PackagingError, match=r"^app/requirements.txt pins six==1.16.0, which the package"):
            handler_archive("app.report.main.handler", source_root=report)


def test_a_helpers_requirements_pinned_by_the_handler_too_are_packaged(report: Path, unzipping_pip: Path) -> None:
    make_wheel(unzipping_pip, "tinydep")
    with_helper(report, "tinydep==1.0.0\n")
    archive = handler_archive("app.report.main.handler", source_root=report)
    assert {"app/common/dates.py", "tinydep/__init__.py"} <= set(archive.assets)


@pytest.mark.program
def test_a_second_preview_reuses_the_built_set_without_pip(
    report: Path, wheels: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_wheel(wheels, "tinydep")
    first = asset_files(handler_archive("app.report.main.handler", source_root=report))
    (built,) = (report / ".build").iterdir()
    assert built.name.startswith("python3.14-arm64-")

    def no_pip(arguments: list[str]) -> subprocess.CompletedProcess[str]:
        raise AssertionError(f"pip was called again: {arguments}")

    monkeypatch.setattr(lambda_package, "_run_pip", no_pip)
    assert asset_files(handler_archive("app.report.main.handler", source_root=report)) == first
    assert [path.name for path in (report / ".build").iterdir()] == [built.name]
    # Another architecture is another set.
    with pytest.raises(AssertionError, match="pip was called again"):
        handler_archive("app.report.main.handler", source_root=report, architecture="x86_64")


@pytest.mark.program
def test_an_edited_pin_is_installed_not_the_set_built_before(report: Path, wheels: Path, tmp_path: Path) -> None:
    make_wheel(wheels, "tinydep", "1.0")
    make_wheel(wheels, "tinydep", "2.0")
    before = handler_archive("app.report.main.handler", source_root=report)
    assert "tinydep-1.0.dist-info/METADATA" in before.assets
    (report / "app/report/requirements.txt").write_text("tinydep==2.0\n")
    after = handler_archive("app.report.main.handler", source_root=report)
    assert "tinydep-2.0.dist-info/METADATA" in after.assets, (
        "requirements.txt now pins tinydep==2.0, but the package reused the set built for tinydep==1.0: "
        f"{sorted(path for path in after.assets if 'dist-info' in path)}"
    )
    ran = run_like_lambda(after, "app.report.main.handler", {}, tmp_path / "task")
    assert ran["result"]["tinydep"] == "2.0"


@pytest.mark.program
def test_equal_sources_and_requirements_give_equal_archives(report: Path, wheels: Path) -> None:
    make_wheel(wheels, "tinydep")
    first = handler_archive("app.report.main.handler", source_root=report)
    second = handler_archive("app.report.main.handler", source_root=report)
    assert asset_files(first) == asset_files(second)
    assert archive_zip(first) == archive_zip(second)
    # A rebuild from scratch (another machine, a cleaned cache) gives the same bytes.
    shutil.rmtree(report / ".build")
    assert archive_zip(handler_archive("app.report.main.handler", source_root=report)) == archive_zip(first)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            "tinydep",
            "line 3: 'tinydep' is not pinned; write one exact version, name==1.2.3 (the file lists every "
            "distribution the handler needs, each pinned, like pip-compile's output).",
        ),
        ("tinydep>=1.0", "line 3: 'tinydep>=1.0' is not pinned; write one exact version, name==1.2.3"),
        ("tinydep==1.*", "line 3: 'tinydep==1.*' is not pinned; write one exact version, name==1.2.3"),
        ("tinydep~=1.0", "line 3: 'tinydep~=1.0' is not pinned; write one exact version, name==1.2.3"),
        ("tinydep==1.0,<2", "line 3: 'tinydep==1.0,<2' is not pinned; write one exact version, name==1.2.3"),
        (
            "tinydep @ https://example.invalid/tinydep-1.0-py3-none-any.whl",
            "line 3: 'tinydep @ https://example.invalid/tinydep-1.0-py3-none-any.whl' is not pinned",
        ),
        (
            "-e ./tinydep",
            "line 3: '-e' is not allowed; each line is one requirement pinned with == "
            "(set a package index with PIP_INDEX_URL or pip.conf instead).",
        ),
        ("--index-url https://example.invalid/simple", "line 3: '--index-url' is not allowed"),
        (
            "tinydep==1.0 --no-binary :all:",
            "line 3: '--no-binary' is not allowed after a requirement; only --hash is.",
        ),
        ("tiny dep==1.0", "line 3: 'tiny dep==1.0' is not a requirement: Expected "),  # then packaging's reason
    ],
)
def test_anything_but_a_pinned_release_is_refused(report: Path, line: str, message: str) -> None:
    error = requirements_error(report, f"# pinned by hand\n\n{line}\n")
    assert error.startswith(f"app/report/requirements.txt {message}"), error


def test_pip_compile_output_is_read(tmp_path: Path) -> None:
    requirements = tmp_path / "requirements.txt"
    requirements.write_text(
        "#\n# This file is autogenerated by pip-compile\n#\n"
        "certifi==2024.2.2 \\\n"
        "    --hash=sha256:aaa \\\n"
        "    --hash=sha256:bbb\n"
        "    # via requests\n"
        "Requests[socks]==2.31.0  # via -r requirements.in\n"
        'tomli==2.0.1 ; python_version < "3.11"\n'
    )
    pins = read_requirements(requirements)
    assert [(pin.line, pin.name, pin.pip_line) for pin in pins] == [
        (4, "certifi", "certifi==2024.2.2 --hash=sha256:aaa --hash=sha256:bbb"),
        (8, "requests", "Requests==2.31.0"),
        (9, "tomli", "tomli==2.0.1"),
    ]


@pytest.mark.program
def test_markers_are_evaluated_for_the_lambda_runtime_not_this_python(report: Path, wheels: Path) -> None:
    make_wheel(wheels, "tinydep")
    (report / "app/report/requirements.txt").write_text(
        'tinydep==1.0\nmissing-on-purpose==9.9 ; python_version < "3.12"\n'
        'also-missing==9.9 ; platform_machine == "x86_64"\n'
    )
    archive = handler_archive("app.report.main.handler", source_root=report)
    assert "tinydep/__init__.py" in archive.assets


@pytest.mark.program
def test_a_dependency_with_only_an_sdist_is_refused(report: Path, wheels: Path) -> None:
    (wheels / "tinydep-1.0.tar.gz").write_bytes(b"an sdist pip must not build")
    assert requirements_error(report, "tinydep==1.0\n") == (
        "app/report/requirements.txt line 1: pip found no wheel of tinydep==1.0 for python3.14 on arm64 "
        "(CPython 3.14, manylinux up to glibc 2.34, aarch64). Pin a version that publishes a manylinux wheel "
        "for aarch64, or use a pure-Python package (a py3-none-any wheel)."
    )
    assert list((report / ".build").iterdir()) == []


X86_WHEEL = "cp314-cp314-manylinux_2_17_x86_64.manylinux2014_x86_64"


@pytest.mark.program
@pytest.mark.parametrize(
    ("tag", "architecture", "packaged"),
    [
        (X86_WHEEL, "arm64", False),
        (X86_WHEEL, "x86_64", True),
        ("cp314-cp314-manylinux_2_28_aarch64", "arm64", True),
        ("cp310-abi3-manylinux2014_aarch64", "arm64", True),
        ("cp314-cp314-manylinux1_x86_64", "x86_64", True),
        ("cp314-cp314-manylinux_2_39_aarch64", "arm64", False),  # newer glibc than Amazon Linux 2023's 2.34
        ("cp313-cp313-manylinux_2_17_aarch64", "arm64", False),  # built for another Python
        ("cp314-cp314-musllinux_1_2_aarch64", "arm64", False),
    ],
)
def test_binary_wheels_must_fit_the_runtime_and_architecture(
    report: Path, wheels: Path, tag: str, architecture: str, packaged: bool
) -> None:
    make_wheel(wheels, "tinydep", tag=tag)
    if packaged:
        archive = handler_archive("app.report.main.handler", source_root=report, architecture=architecture)
        assert "tinydep/__init__.py" in archive.assets
        return
    machine = {"arm64": "aarch64", "x86_64": "x86_64"}[architecture]
    assert requirements_error(report, "tinydep==1.0\n", architecture=architecture) == (
        f"app/report/requirements.txt line 1: pip found no wheel of tinydep==1.0 for python3.14 on {architecture} "
        f"(CPython 3.14, manylinux up to glibc 2.34, {machine}). Pin a version that publishes a manylinux wheel "
        f"for {machine}, or use a pure-Python package (a py3-none-any wheel)."
    )


@pytest.mark.program
def test_an_incomplete_set_is_refused_naming_what_is_missing(report: Path, wheels: Path) -> None:
    make_wheel(
        wheels,
        "tinydep",
        requires=(
            "tinyhelper>=2",
            "tinystyle[colour]==1.0",
            'x86only ; platform_machine == "x86_64"',
            'oldpython ; python_version < "3.12"',
            'windows ; sys_platform == "win32"',
            'fancy ; extra == "fancy"',
        ),
    )
    make_wheel(wheels, "tinyhelper", "1.5")
    make_wheel(wheels, "tinystyle", requires=('palette ; extra == "colour"',))
    assert requirements_error(report, "tinydep==1.0\ntinyhelper==1.5\ntinystyle==1.0\n") == (
        "app/report/requirements.txt is incomplete for python3.14 on arm64; it lacks "
        "palette (required by tinystyle 1.0), "
        "tinyhelper>=2 (required by tinydep 1.0; tinyhelper==1.5 is listed). "
        "List every distribution the handler needs, each pinned with == (pip-compile writes such a file)."
    )
    assert list((report / ".build").iterdir()) == []


@pytest.mark.program
def test_the_complete_set_is_accepted(report: Path, wheels: Path) -> None:
    make_wheel(wheels, "tinydep", requires=("tinyhelper>=2", 'fancy ; extra == "fancy"'))
    make_wheel(wheels, "tinyhelper", "2.1")
    (report / "app/report/requirements.txt").write_text("tinydep==1.0\ntinyhelper==2.1\n")
    archive = handler_archive("app.report.main.handler", source_root=report)
    assert {"tinydep/__init__.py", "tinyhelper/__init__.py"} <= set(archive.assets)


@pytest.mark.program
def test_other_pip_failures_are_reported_without_a_traceback(report: Path, wheels: Path) -> None:
    make_wheel(wheels, "tinydep")
    error = requirements_error(report, "tinydep==1.0 --hash=sha256:0000\n")
    assert error.startswith(
        "app/report/requirements.txt: pip could not install the requirements for python3.14 on arm64 "
        "(CPython 3.14, manylinux up to glibc 2.34, aarch64):\n  ERROR: THESE PACKAGES DO NOT MATCH THE HASHES"
    ), error
    assert "Traceback" not in error


def test_an_unreachable_index_is_not_blamed_on_the_package(report: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    offline = (
        "WARNING: Retrying (Retry(total=0, connect=None, read=None, redirect=None, status=None)) after connection "
        "broken by 'NewConnectionError(...)': /simple/tinydep/\n"
        "ERROR: Could not find a version that satisfies the requirement tinydep==1.0 (from versions: none)\n"
        "ERROR: No matching distribution found for tinydep==1.0\n"
    )
    monkeypatch.setattr(
        lambda_package, "_run_pip", lambda arguments: subprocess.CompletedProcess(arguments, 1, "", offline)
    )
    assert requirements_error(report, "tinydep==1.0\n") == (
        "app/report/requirements.txt: pip could not install the requirements for python3.14 on arm64 "
        "(CPython 3.14, manylinux up to glibc 2.34, aarch64):\n  " + "\n  ".join(offline.splitlines())
    )


def test_a_build_folder_that_cannot_be_created_is_named(report: Path) -> None:
    (report / ".build").write_text("not a folder")
    assert requirements_error(report, "tinydep==1.0\n") == (
        f"app/report/requirements.txt: cannot build the requirements in {report.resolve() / '.build'}: File exists."
    )


@pytest.mark.program
def test_a_dependency_may_not_replace_the_handlers_package(report: Path, wheels: Path) -> None:
    make_wheel(wheels, "tinydep", files={"app/evil.py": ""})
    assert requirements_error(report, "tinydep==1.0\n") == (
        "app/report/requirements.txt: the requirements install app/evil.py, which would replace the handler's "
        "own package app; rename the package or drop that distribution."
    )


# --- where the sources are read from -----------------------------------------------------


def test_without_a_source_root_the_packages_folder_on_the_import_path_is_read_and_nothing_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An installed package's place: the handler's package is found where Python would import it from.
    installed = write_tree(
        tmp_path / "lib",
        {
            "found_on_path/__init__.py": "raise RuntimeError('the package was run to find it')\n",
            "found_on_path/app.py": "def handler(event, context):\n    return {}\n",
        },
    )
    monkeypatch.syspath_prepend(str(installed))
    monkeypatch.chdir(tmp_path)
    assert handler_sources("found_on_path.app.handler") == {
        "found_on_path/__init__.py": installed / "found_on_path/__init__.py",
        "found_on_path/app.py": installed / "found_on_path/app.py",
    }
    assert "found_on_path" not in sys.modules


def test_without_a_source_root_a_package_off_the_import_path_is_read_from_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Pulumi runs a program in its project's folder, where the program's own handlers are.
    project = write_tree(tmp_path, {"off_the_path/__init__.py": "", "off_the_path/app.py": "def handler(e, c): ...\n"})
    monkeypatch.chdir(project)
    assert sorted(handler_sources("off_the_path.app.handler")) == ["off_the_path/__init__.py", "off_the_path/app.py"]


def test_installed_sources_have_their_requirements_built_in_the_working_directory(
    report: Path, unzipping_pip: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_wheel(unzipping_pip, "tinydep")
    installed = tmp_path / "venv" / "lib" / "python3.12" / "site-packages"
    shutil.copytree(report, installed)
    project = tmp_path / "project"
    project.mkdir()
    monkeypatch.chdir(project)
    archive = handler_archive("app.report.main.handler", source_root=installed)
    assert "tinydep/__init__.py" in archive.assets
    assert not (installed / ".build").exists()
    (built,) = (project / ".build").iterdir()
    assert built.name.startswith("python3.14-arm64-")


# --- file modes ------------------------------------------------------------------------


def test_every_entry_is_0644_even_for_a_file_only_its_owner_can_read(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"pkg/__init__.py": "", "pkg/app.py": "def handler(e, c):\n    return 'ok'\n"})
    (root / "pkg/app.py").chmod(0o600)
    (root / "pkg/__init__.py").chmod(0o700)
    archive = handler_archive("pkg.app.handler", source_root=root)
    with zipfile.ZipFile(io.BytesIO(archive_zip(archive))) as bundle:
        modes = {info.filename: info.external_attr >> 16 for info in bundle.infolist()}
    # 0o600 would leave the file unreadable by Lambda's runtime user, who does not own it.
    assert modes == {"pkg/__init__.py": 0o644, "pkg/app.py": 0o644}


# --- what handler code may import -------------------------------------------------------

INFRASTRUCTURE = {"components", "workflows", "settings", "ops", "rehearsal", "policy", "pulumi", "pulumi_aws"}
INFRASTRUCTURE |= {"stack_files", "boto3", "botocore", "moto"}
# In this Python's list but gone from Lambda's: PEP 594 (3.13) and PEP 632 and friends (3.12).
REMOVED_BY_3_14 = {
    "aifc", "audioop", "cgi", "cgitb", "chunk", "crypt", "imghdr", "lib2to3", "mailcap", "msilib", "nis",
    "nntplib", "ossaudiodev", "pipes", "sndhdr", "spwd", "sunau", "telnetlib", "uu", "xdrlib",
    "asynchat", "asyncore", "distutils", "imp", "smtpd",
}  # fmt: skip


def _imported_roots(path: Path) -> Iterator[tuple[int, str]]:
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name.split(".")[0]) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module.split(".")[0]


def importable(requirements: Path, root: Path) -> set[str]:
    """What the distributions a requirements.txt pins put at the archive root, so what a handler may
    import: read from the set built for it (python-dateutil gives `dateutil`, a lone module `six.py`
    gives `six`), not from their names."""
    target = lambda_package._target(FUNCTION_RUNTIME, FUNCTION_ARCHITECTURE)
    tops = {path.split("/")[0] for path in lambda_package._dependency_files(requirements, root, target)}
    return {top.split(".")[0] for top in tops if not top.endswith((".dist-info", ".data"))}


def foreign_imports(package: Path) -> list[str]:
    """Imports under `package` that are neither Lambda's standard library, the package itself, nor
    installed by the importing module's folder's requirements.txt; infrastructure never is."""
    stdlib = set(sys.stdlib_module_names) - REMOVED_BY_3_14
    found: list[str] = []
    for path in sorted(package.rglob("*.py")):
        requirements = path.parent / "requirements.txt"
        installed = importable(requirements, package.parent) if requirements.is_file() else set()
        for line, root in _imported_roots(path):
            allowed = root in stdlib or root == package.name or root in installed
            if root in INFRASTRUCTURE or not allowed:
                found.append(f"{path.relative_to(package.parent).as_posix()} line {line}: {root}")
    return found


@pytest.fixture
def unzipping_pip(wheels: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """pip replaced by unzipping every wheel of `wheels` into its --target: a built set without a pip run."""

    def install(arguments: list[str]) -> subprocess.CompletedProcess[str]:
        target = Path(arguments[arguments.index("--target") + 1])
        for wheel in sorted(wheels.glob("*.whl")):
            with zipfile.ZipFile(wheel) as bundle:
                bundle.extractall(target)
        return subprocess.CompletedProcess(arguments, 0, "", "")

    monkeypatch.setattr(lambda_package, "_run_pip", install)
    return wheels


def test_handler_code_imports_only_the_standard_library_itself_or_declared_distributions() -> None:
    assert foreign_imports(PROJECT_ROOT / "handlers") == []


def test_the_import_check_finds_infrastructure_undeclared_and_removed_modules(
    tmp_path: Path, unzipping_pip: Path
) -> None:
    make_wheel(unzipping_pip, "tiny_dep")
    # Import names unlike their distributions': nothing in the test names them but the wheels' files.
    make_wheel(unzipping_pip, "PyYAML", "6.0.3", files={"yaml/__init__.py": ""})
    make_wheel(unzipping_pip, "python_dateutil", "2.9.0", files={"dateutil/__init__.py": "", "six.py": ""})
    make_wheel(unzipping_pip, "pulumi", "3.272.0")
    package = write_tree(
        tmp_path / "handlers",
        {
            "__init__.py": "",
            "ok.py": "import json\nfrom handlers import ok\nfrom . import ok\n",
            "bad.py": "import boto3\nfrom components import iam\nimport requests\nimport cgi\n",
            "report/app.py": "import tiny_dep\nimport yaml\nimport pulumi\nimport dateutil.tz\nimport six\n",
            "report/names.py": "import pyyaml\nimport python_dateutil\n",
            "report/requirements.txt": "tiny-dep==1.0\nPyYAML==6.0.3\npython-dateutil==2.9.0\npulumi==3.272.0\n",
        },
    )
    assert foreign_imports(package) == [
        "handlers/bad.py line 1: boto3",
        "handlers/bad.py line 2: components",
        "handlers/bad.py line 3: requests",
        "handlers/bad.py line 4: cgi",
        "handlers/report/app.py line 3: pulumi",
        "handlers/report/names.py line 1: pyyaml",
        "handlers/report/names.py line 2: python_dateutil",
    ]
