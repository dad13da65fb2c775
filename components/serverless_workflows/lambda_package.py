"""The Lambda deployment package of one handler: its import closure and its pinned dependencies.

`handler_archive("handlers.call_center.open_case")` holds:

- **The handler module's import closure inside its own top-level package.**
  Starting from the handler module, every `import` and `from ... import` that
  names a module of that package (absolute or relative, submodules and
  subpackages) is followed, together with the `__init__.py` of every package on
  the way, since Python runs those too. Imports of anything else (the standard
  library, third-party distributions) are not followed. So a module that the
  handler does not import, a test file, or a new unrelated handler leaves the
  archive unchanged, and the function is not redeployed.

  The closure is read statically, with `ast`: it sees every import statement in
  a file, including those inside functions, `try` and `if TYPE_CHECKING:`
  blocks, but not a module named at run time (`importlib.import_module(name)`,
  `__import__`) or a data file opened by path or through `importlib.resources`.
  A module imported that way is listed in the importing module as
  `__package_includes__ = ("handlers.plugins.csv", ".sibling")`: string
  literals, absolute within the package or relative to the module, followed
  like imports. Data files are not packaged. The sources are parsed by the
  Python that runs this program, so syntax newer than that Python is refused.

- **Third-party distributions**, when the handler module's folder holds a
  `requirements.txt` (`handlers/report/requirements.txt` for
  `handlers.report.app.handler`). The file is the complete set, like
  pip-compile's output: one `name==version` per line (extras, environment
  markers, evaluated for the target, and `--hash` options allowed), and nothing
  else. pip installs it with `--no-deps --only-binary=:all:` for the function's
  runtime and architecture; the installed set must then satisfy its own
  `Requires-Dist`, or the missing distributions are named. The set is built once
  under `<source_root>/.build/` (in the working directory's `.build/` when the
  sources are installed ones, in a site-packages folder), in a folder keyed by
  the file's text, the runtime and the architecture; later previews reuse it
  without pip. Its files go at the archive root, less `bin/` and byte code.

The sources are read from `source_root`. By default, that is the folder on the
import path that holds the handler's top-level package, found as Python would
import it (`importlib.util.find_spec`, which does not run the package), or else
the working directory, where Pulumi runs a program.

File modes on disk do not reach Lambda. Pulumi (sdk/go/common/resource/archive,
`addNextFileToZIP`) writes each entry of an `AssetArchive` with only a name,
deflate and a fixed 1990-01-01 time, in sorted order: no Unix mode, so Lambda
extracts the file readable and not executable (pulumi/pulumi#5010, #3593); and
it hashes the archive from a tar of paths and contents with a constant mode.
So a source file only its owner can read still reaches Lambda readable by the
runtime user, a chmod alone does not redeploy, and `archive_zip` writes every
entry 0644 to match what Lambda sees.
"""

from __future__ import annotations

import ast
import csv
import hashlib
import importlib.util
import io
import os
import posixpath
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from email.parser import HeaderParser
from pathlib import Path

import pulumi
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import NormalizedName, canonicalize_name

from serverless_workflows.defaults import FUNCTION_ARCHITECTURE, FUNCTION_RUNTIME

BUILD_DIR = ".build"
# Folders that hold installed distributions: no place to build in.
_INSTALLED = frozenset({"site-packages", "dist-packages"})
REQUIREMENTS_FILE = "requirements.txt"
INCLUDES_NAME = "__package_includes__"

# Part of the cache key: a change to how the set is installed must not reuse
# sets built the old way.
_BUILD_FORMAT = "1"

_IDENTIFIER = r"[A-Za-z_][A-Za-z0-9_]*"
_HANDLER = re.compile(rf"^{_IDENTIFIER}(\.{_IDENTIFIER}){{2,}}$")
_RUNTIME = re.compile(r"^python3\.(\d+)$")
_MACHINES = {"arm64": "aarch64", "x86_64": "x86_64"}
_OPTION_START = re.compile(r"\s--?[A-Za-z]")
_COMMENT = re.compile(r"(^|\s)#.*$")
_NO_MATCH = re.compile(r"No matching distribution found for (\S+)")


class PackagingError(ValueError):
    """A handler cannot be packaged; the message names the file or setting and what is allowed."""


# --- target -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Target:
    runtime: str
    architecture: str
    python: tuple[int, int]
    machine: str
    glibc_minor: int

    @property
    def platforms(self) -> list[str]:
        """pip's --platform values, newest first (pip prefers earlier ones).

        pip takes each value literally (manylinux_2_34 does not imply
        manylinux_2_17), so every glibc level the runtime can load is listed,
        plus the legacy aliases that older wheels still carry.
        """
        tags = [f"manylinux_2_{minor}_{self.machine}" for minor in range(self.glibc_minor, 16, -1)]
        tags.append(f"manylinux2014_{self.machine}")
        if self.machine == "x86_64":
            tags += [f"manylinux_2_{minor}_x86_64" for minor in range(16, 4, -1)]
            tags += ["manylinux2010_x86_64", "manylinux1_x86_64"]
        return tags

    @property
    def abi(self) -> str:
        return f"cp{self.python[0]}{self.python[1]}"

    def describe(self) -> str:
        return (
            f"{self.runtime} on {self.architecture} (CPython {self.python[0]}.{self.python[1]}, "
            f"manylinux up to glibc 2.{self.glibc_minor}, {self.machine})"
        )

    def environment(self, extra: str = "") -> dict[str, str]:
        """PEP 508 marker values of the Lambda runtime, not of the Python running this program."""
        version = f"{self.python[0]}.{self.python[1]}"
        return {
            "implementation_name": "cpython",
            "implementation_version": f"{version}.0",
            "os_name": "posix",
            "platform_machine": self.machine,
            "platform_python_implementation": "CPython",
            "platform_release": "",
            "platform_system": "Linux",
            "platform_version": "",
            "python_full_version": f"{version}.0",
            "python_version": version,
            "sys_platform": "linux",
            "extra": extra,
        }


def _target(runtime: str, architecture: str) -> _Target:
    match = _RUNTIME.match(runtime)
    if match is None:
        raise PackagingError(f"runtime {runtime!r} is not a Lambda Python runtime; use python3.N, e.g. python3.14.")
    minor = int(match[1])
    # Lambda's python3.12 and later run on Amazon Linux 2023 (glibc 2.34);
    # python3.9 to 3.11 on Amazon Linux 2 (glibc 2.26).
    if minor >= 12:
        glibc_minor = 34
    elif minor >= 9:
        glibc_minor = 26
    else:
        raise PackagingError(f"runtime {runtime!r} is no longer offered by Lambda; use python3.12 or later.")
    if architecture not in _MACHINES:
        raise PackagingError(f"architecture {architecture!r} is not one of {', '.join(_MACHINES)}.")
    return _Target(runtime, architecture, (3, minor), _MACHINES[architecture], glibc_minor)


# --- the import closure -------------------------------------------------------------


@dataclass(frozen=True)
class _Module:
    name: str
    path: Path | None
    """The file Python runs: module.py or package/__init__.py; None for a namespace package."""
    is_package: bool


def _shown(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _locate(root: Path, dotted: str) -> _Module | None:
    """Where Python's path finder would find `dotted` under root, in its order of preference."""
    base = root.joinpath(*dotted.split("."))
    if (base / "__init__.py").is_file():
        return _Module(dotted, base / "__init__.py", is_package=True)
    if base.with_name(base.name + ".py").is_file():
        return _Module(dotted, base.with_name(base.name + ".py"), is_package=False)
    if base.is_dir():
        return _Module(dotted, None, is_package=True)
    return None


def _parse(path: Path, root: Path) -> ast.Module:
    """The module's syntax tree, parsed once per version of the file: a stack's functions share
    their package's modules, and a catalogue of hundreds of functions would parse each again."""
    shown = _shown(path, root)
    try:
        version = path.stat()
        key = (path, version.st_mtime_ns, version.st_size)
        if key in _PARSED:
            return _PARSED[key]
        source = path.read_bytes()
    except OSError as error:
        raise PackagingError(f"{shown} cannot be read: {error.strerror}.") from None
    try:
        tree = ast.parse(source, filename=shown)
    except SyntaxError as error:
        running = f"{sys.version_info[0]}.{sys.version_info[1]}"
        raise PackagingError(f"{shown} line {error.lineno}: {error.msg} (parsed by Python {running}).") from None
    _PARSED[key] = tree
    return tree


def _imports(tree: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    """The import statements anywhere in `tree` (lazy ones in functions included), found once per tree."""
    found = _IMPORTS.get(id(tree))
    if found is None or found[0] is not tree:
        found = (tree, [node for node in ast.walk(tree) if isinstance(node, ast.Import | ast.ImportFrom)])
        _IMPORTS[id(tree)] = found
    return found[1]


# Trees are only read, never changed, so one can serve every handler that imports the module.
_PARSED: dict[tuple[Path, int, int], ast.Module] = {}
# By the tree's id, with the tree itself, so that an id reused by another tree is not mistaken.
_IMPORTS: dict[int, tuple[ast.Module, list[ast.Import | ast.ImportFrom]]] = {}


def _string_literals(node: ast.expr) -> list[str] | None:
    if not isinstance(node, ast.List | ast.Tuple):
        return None
    values = [element.value for element in node.elts if isinstance(element, ast.Constant)]
    if len(values) != len(node.elts) or not all(isinstance(value, str) for value in values):
        return None
    return [str(value) for value in values]


def _top_level_assignment(tree: ast.Module, name: str) -> ast.Assign | ast.AnnAssign | None:
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
            return node
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.target.id == name:
            return node
    return None


class _Closure:
    def __init__(self, root: Path, top: str) -> None:
        self.root = root
        self.top = top
        self.files: dict[str, Path] = {}
        self.imported: set[str] = set()
        """Archive paths of the modules reached by an import (or named as the handler), not only run as a parent."""
        self._seen: set[str] = set()
        self._todo: list[_Module] = []

    def add(self, module: _Module, *, as_parent: bool = False) -> None:
        if module.path is not None and not as_parent:
            self.imported.add(_shown(module.path, self.root))
        if module.name in self._seen:
            return
        self._seen.add(module.name)
        # Importing a.b.c runs a/__init__.py and a/b/__init__.py first.
        parts = module.name.split(".")
        for end in range(1, len(parts)):
            parent = _locate(self.root, ".".join(parts[:end]))
            if parent is not None:
                self.add(parent, as_parent=True)
        if module.path is not None:
            self.files[_shown(module.path, self.root)] = module.path
            self._todo.append(module)

    def run(self) -> dict[str, Path]:
        while self._todo:
            self._scan(self._todo.pop())
        return dict(sorted(self.files.items()))

    def _require(self, dotted: str, where: str) -> _Module:
        module = _locate(self.root, dotted)
        if module is None:
            relative = "/".join(dotted.split("."))
            raise PackagingError(
                f"{where} imports {dotted}, but there is neither {relative}.py nor {relative}/ "
                f"under {self.root}; Lambda would fail with ModuleNotFoundError."
            )
        self.add(module)
        return module

    def _absolute(self, module: _Module, level: int, name: str, where: str) -> str | None:
        """The absolute name of an import; None when it lies outside the package."""
        if level == 0:
            return name if name.split(".", maxsplit=1)[0] == self.top else None
        package = module.name if module.is_package else module.name.rpartition(".")[0]
        parts = package.split(".")
        if level > len(parts):
            raise PackagingError(f"{where}: the relative import goes above the top-level package {self.top}.")
        base = parts[: len(parts) - level + 1]
        return ".".join(base + (name.split(".") if name else []))

    def _scan(self, module: _Module) -> None:
        assert module.path is not None
        shown = _shown(module.path, self.root)
        tree = _parse(module.path, self.root)
        for node in _imports(tree):
            where = f"{shown} line {node.lineno}"
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.split(".")[0] == self.top:
                        self._require(alias.name, where)
            elif isinstance(node, ast.ImportFrom):
                base_name = self._absolute(module, node.level, node.module or "", where)
                if base_name is None:
                    continue
                base = self._require(base_name, where)
                if not base.is_package:
                    continue
                for alias in node.names:
                    names = self._star_names(base) if alias.name == "*" else [alias.name]
                    for name in names:
                        # `from pkg import name` imports the submodule pkg.name when there is one.
                        submodule = _locate(self.root, f"{base_name}.{name}")
                        if submodule is not None:
                            self.add(submodule)
        self._includes(module, tree, shown)

    def _star_names(self, package: _Module) -> list[str]:
        if package.path is None:
            return []
        assignment = _top_level_assignment(_parse(package.path, self.root), "__all__")
        names = _string_literals(assignment.value) if assignment is not None and assignment.value else None
        return names or []

    def _includes(self, module: _Module, tree: ast.Module, shown: str) -> None:
        assignment = _top_level_assignment(tree, INCLUDES_NAME)
        if assignment is None:
            return
        where = f"{shown} line {assignment.lineno}"
        names = _string_literals(assignment.value) if assignment.value is not None else None
        if names is None:
            raise PackagingError(
                f"{where}: {INCLUDES_NAME} must be a tuple or list of string literals naming modules of the "
                f"{self.top} package, e.g. ('{self.top}.plugins.csv', '.sibling')."
            )
        for name in names:
            stripped = name.lstrip(".")
            absolute = self._absolute(module, len(name) - len(stripped), stripped, where)
            if absolute is None:
                raise PackagingError(
                    f"{where}: {INCLUDES_NAME} names {name!r}, which is outside the {self.top} package; "
                    f"third-party code goes in {REQUIREMENTS_FILE}."
                )
            self._require(absolute, where)


def _binds(statements: list[ast.stmt], name: str) -> bool:
    """Whether module-level code binds `name` (a def, class, assignment or import), or might (`import *`)."""
    for node in statements:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            if node.name in (name, "__getattr__"):
                return True
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == name for target in targets for t in ast.walk(target)):
                return True
        elif isinstance(node, ast.Import | ast.ImportFrom):
            for alias in node.names:
                if alias.name == "*" or (alias.asname or alias.name.split(".")[0]) == name:
                    return True
        elif isinstance(node, ast.If | ast.Try | ast.With):
            blocks = [node.body, getattr(node, "orelse", []), getattr(node, "finalbody", [])]
            blocks += [handler.body for handler in getattr(node, "handlers", [])]
            if any(_binds(block, name) for block in blocks):
                return True
    return False


def default_source_root(handler: str) -> Path:
    """Where the sources of `handler` are read from when no source_root is given: the folder on the
    import path that holds its top-level package (found, not imported), else the working directory."""
    top = handler.split(".", 1)[0]
    try:
        spec = importlib.util.find_spec(top)
    except (ImportError, ValueError):
        spec = None
    if spec is not None and spec.submodule_search_locations:
        # A package's folder (the first, for a namespace package spread over several): its parent.
        return Path(next(iter(spec.submodule_search_locations))).parent
    return Path.cwd()


def _build_root(root: Path) -> Path:
    """Where the requirements' sets are built: beside the sources, unless they are installed ones."""
    return Path.cwd() if _INSTALLED & set(root.parts) else root


def _handler_module(handler: str, source_root: Path | None) -> tuple[Path, _Module, str]:
    if not _HANDLER.match(handler):
        raise PackagingError(
            f"handler {handler!r} must be Lambda's handler setting for a module in a package: "
            "package.module.function, e.g. handlers.call_center.open_case."
        )
    if source_root is None:
        source_root = default_source_root(handler)
    root = source_root.resolve()
    if not root.is_dir():
        raise PackagingError(f"source_root {source_root} is not a folder.")
    module_name, function = handler.rsplit(".", 1)
    module = _locate(root, module_name)
    if module is None or module.path is None:
        relative = "/".join(module_name.split("."))
        raise PackagingError(
            f"handler {handler!r}: there is no module {module_name} under {root} "
            f"(looked for {relative}.py and {relative}/__init__.py)."
        )
    if not _binds(_parse(module.path, root).body, function):
        raise PackagingError(
            f"handler {handler!r}: {_shown(module.path, root)} defines no top-level {function!r}; "
            "Lambda would fail with Runtime.HandlerNotFound."
        )
    return root, module, module_name.split(".")[0]


def _closure(root: Path, module: _Module, top: str) -> dict[str, Path]:
    closure = _Closure(root, top)
    closure.add(module)
    return closure.run()


def handler_sources(handler: str, *, source_root: Path | None = None) -> dict[str, Path]:
    """Archive path -> file for the handler module's import closure in its own package, sorted.

    Paths keep the package folder (`handlers/case.py`), so Lambda's handler
    setting imports the same module as the tests do.
    """
    return _closure(*_handler_module(handler, source_root))


# --- third-party dependencies ---------------------------------------------------------


@dataclass(frozen=True)
class PinnedRequirement:
    """One line of a handler's requirements.txt."""

    line: int
    text: str
    requirement: Requirement
    hashes: tuple[str, ...]

    @property
    def name(self) -> NormalizedName:
        return canonicalize_name(self.requirement.name)

    @property
    def version(self) -> str:
        (specifier,) = self.requirement.specifier
        return specifier.version

    @property
    def pip_line(self) -> str:
        """The line pip gets: markers are already evaluated for the target, extras do not matter with --no-deps."""
        return " ".join([f"{self.requirement.name}=={self.version}", *(f"--hash={h}" for h in self.hashes)])


def _logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """(first line number, line) with backslash continuations joined and comments removed, as pip reads them."""
    start, pending = 0, ""
    for number, raw in enumerate(text.splitlines(), start=1):
        if not pending:
            start = number
        if raw.endswith("\\"):
            pending += raw[:-1] + " "
            continue
        line = _COMMENT.sub("", pending + raw).strip()
        pending = ""
        if line:
            yield start, line
    if pending.strip():
        yield start, _COMMENT.sub("", pending).strip()


def read_requirements(path: Path, *, shown: str | None = None) -> list[PinnedRequirement]:
    """The requirements of a handler's requirements.txt; anything but pinned releases is refused."""
    shown = shown or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise PackagingError(f"{shown} cannot be read: {error}.") from None
    return _parse_requirements(text, shown)


def _parse_requirements(text: str, shown: str) -> list[PinnedRequirement]:
    pins: list[PinnedRequirement] = []
    for number, line in _logical_lines(text):
        where = f"{shown} line {number}"
        if line.startswith("-"):
            raise PackagingError(
                f"{where}: {line.split()[0]!r} is not allowed; each line is one requirement pinned with == "
                "(set a package index with PIP_INDEX_URL or pip.conf instead)."
            )
        option = _OPTION_START.search(line)
        requirement_text = line[: option.start()] if option else line
        hashes = _hashes(line[option.start() :] if option else "", where)
        try:
            requirement = Requirement(requirement_text)
        except InvalidRequirement as error:
            reason = str(error).splitlines()[0]
            raise PackagingError(f"{where}: {requirement_text!r} is not a requirement: {reason}") from None
        specifiers = list(requirement.specifier)
        if (
            requirement.url
            or len(specifiers) != 1
            or specifiers[0].operator != "=="
            or specifiers[0].version.endswith(".*")
        ):
            raise PackagingError(
                f"{where}: {requirement_text!r} is not pinned; write one exact version, name==1.2.3 "
                "(the file lists every distribution the handler needs, each pinned, like pip-compile's output)."
            )
        pins.append(PinnedRequirement(number, requirement_text, requirement, hashes))
    return pins


def _hashes(options: str, where: str) -> tuple[str, ...]:
    tokens = options.split()
    hashes: list[str] = []
    while tokens:
        token = tokens.pop(0)
        if token.startswith("--hash="):
            hashes.append(token.removeprefix("--hash="))
        elif token == "--hash" and tokens:
            hashes.append(tokens.pop(0))
        else:
            raise PackagingError(f"{where}: {token!r} is not allowed after a requirement; only --hash is.")
    return tuple(hashes)


def _applicable(pins: list[PinnedRequirement], target: _Target, shown: str) -> list[PinnedRequirement]:
    chosen: dict[str, PinnedRequirement] = {}
    for pin in pins:
        marker = pin.requirement.marker
        if marker is not None and not marker.evaluate(target.environment()):
            continue
        if pin.name in chosen:
            raise PackagingError(
                f"{shown} line {pin.line}: {pin.requirement.name} is already listed on line "
                f"{chosen[pin.name].line} for {target.runtime} on {target.architecture}; list it once."
            )
        chosen[pin.name] = pin
    return list(chosen.values())


@dataclass(frozen=True)
class _Installed:
    name: str
    version: str
    requires: list[str]


def _installed(site: Path) -> dict[str, _Installed]:
    installed: dict[str, _Installed] = {}
    for metadata in sorted(site.glob("*.dist-info/METADATA")):
        headers = HeaderParser().parsestr(metadata.read_text(encoding="utf-8"))
        name, version = str(headers["Name"]), str(headers["Version"])
        installed[canonicalize_name(name)] = _Installed(name, version, list(headers.get_all("Requires-Dist") or []))
    return installed


def _missing(site: Path, pins: list[PinnedRequirement], target: _Target) -> list[str]:
    """What the installed set's own Requires-Dist asks for and the set lacks, for the target Python and platform."""
    installed = _installed(site)
    problems: set[str] = set()
    todo = [(pin.name, frozenset(canonicalize_name(e) for e in pin.requirement.extras)) for pin in pins]
    seen: set[tuple[str, frozenset[str]]] = set()
    while todo:
        name, extras = todo.pop()
        if (name, extras) in seen or name not in installed:
            continue
        seen.add((name, extras))
        dist = installed[name]
        for line in dist.requires:
            try:
                requirement = Requirement(line)
            except InvalidRequirement:
                problems.add(f"{dist.name} {dist.version} declares an unreadable requirement {line!r}")
                continue
            marker = requirement.marker
            if marker is not None and not any(marker.evaluate(target.environment(e)) for e in ("", *sorted(extras))):
                continue
            dependency = installed.get(canonicalize_name(requirement.name))
            if dependency is None:
                problems.add(f"{requirement.name} (required by {dist.name} {dist.version})")
            elif not requirement.specifier.contains(dependency.version, prereleases=True):
                problems.add(
                    f"{requirement.name}{requirement.specifier} (required by {dist.name} {dist.version}; "
                    f"{dependency.name}=={dependency.version} is listed)"
                )
            else:
                todo.append(
                    (canonicalize_name(requirement.name), frozenset(canonicalize_name(e) for e in requirement.extras))
                )
    return sorted(problems)


def _run_pip(arguments: list[str]) -> subprocess.CompletedProcess[str]:
    """pip of the Python running this program; the only place pip is called (tests replace it to prove a cache hit)."""
    return subprocess.run(
        [sys.executable, "-m", "pip", *arguments],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_NO_INPUT": "1"},
    )


def _pip_failure(output: str, pins: list[PinnedRequirement], shown: str, target: _Target) -> PackagingError:
    match = _NO_MATCH.search(output)
    # Offline or a broken index also ends in "no matching distribution": that is not the package's fault.
    if match is not None and "WARNING: Retrying" not in output:
        try:
            name = canonicalize_name(Requirement(match[1]).name)
        except InvalidRequirement:
            name = canonicalize_name(match[1])
        for pin in pins:
            if pin.name == name:
                return PackagingError(
                    f"{shown} line {pin.line}: pip found no wheel of {pin.text} for {target.describe()}. "
                    f"Pin a version that publishes a manylinux wheel for {target.machine}, "
                    "or use a pure-Python package (a py3-none-any wheel)."
                )
    lines = output.splitlines()
    errors = [line for line in lines if line.startswith(("ERROR:", "WARNING: Retrying"))] or lines[-5:]
    details = "\n  ".join(errors[:10])
    return PackagingError(f"{shown}: pip could not install the requirements for {target.describe()}:\n  {details}")


def _build(site: Path, pins: list[PinnedRequirement], shown: str, target: _Target) -> None:
    """Install the set into a scratch folder beside `site`, check it, then move it into place in one rename,
    so `site` exists only when complete, also when two previews build it at once."""
    if importlib.util.find_spec("pip") is None:
        raise PackagingError(f"{shown}: pip is not installed for {sys.executable}; it installs the requirements.")
    try:
        site.parent.mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(prefix=".tmp-", dir=site.parent))
    except OSError as error:
        raise PackagingError(f"{shown}: cannot build the requirements in {site.parent}: {error.strerror}.") from None
    try:
        requirements = scratch / REQUIREMENTS_FILE
        requirements.write_text("".join(pin.pip_line + "\n" for pin in pins), encoding="utf-8")
        staging = scratch / "site"
        arguments = [
            "install",
            "--no-deps",
            "--only-binary=:all:",
            "--no-compile",
            "--target",
            str(staging),
            "--implementation",
            "cp",
            "--python-version",
            f"{target.python[0]}.{target.python[1]}",
            "--abi",
            target.abi,
            *(f"--platform={platform}" for platform in target.platforms),
            "--requirement",
            str(requirements),
        ]
        finished = _run_pip(arguments)
        if finished.returncode != 0:
            raise _pip_failure(finished.stdout + "\n" + finished.stderr, pins, shown, target)
        _drop_unpackaged_records(staging)
        missing = _missing(staging, pins, target)
        if missing:
            raise PackagingError(
                f"{shown} is incomplete for {target.runtime} on {target.architecture}; it lacks "
                f"{', '.join(missing)}. List every distribution the handler needs, each pinned with == "
                "(pip-compile writes such a file)."
            )
        try:
            staging.rename(site)
        except OSError as error:
            # Another preview that built the same set first wins; its copy is as good as this one.
            if not site.is_dir():
                raise PackagingError(f"{shown}: cannot store the installed set in {site}: {error.strerror}.") from None
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _packaged(relative: str) -> bool:
    """Whether an installed file belongs in the archive. Console scripts are no use to Lambda (and carry
    this machine's interpreter path); byte code for another Python would only be ignored."""
    parts = relative.split("/")
    return parts[0] not in ("bin", "..") and "__pycache__" not in parts and not relative.endswith(".pyc")


def _drop_unpackaged_records(site: Path) -> None:
    """Keep each RECORD to the files the archive holds: pip lists the console scripts too, with hashes of
    their shebang lines, which name this machine's interpreter and would make archives differ between machines."""
    for record in site.glob("*.dist-info/RECORD"):
        rows = list(csv.reader(io.StringIO(record.read_text(encoding="utf-8"))))
        kept = [row for row in rows if row and _packaged(posixpath.normpath(row[0]))]
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(kept)
        record.write_text(buffer.getvalue(), encoding="utf-8")


def _site_files(site: Path) -> dict[str, Path]:
    files: dict[str, Path] = {}
    for path in sorted(site.rglob("*")):
        relative = path.relative_to(site).as_posix()
        if _packaged(relative) and path.is_file():
            files[relative] = path
    return files


def _dependency_files(requirements: Path, root: Path, target: _Target) -> dict[str, Path]:
    """Archive path -> file for the distributions a requirements.txt pins, installed for the target (cached)."""
    shown = _shown(requirements, root)
    try:
        text = requirements.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise PackagingError(f"{shown} cannot be read: {error}.") from None
    pins = _applicable(_parse_requirements(text, shown), target, shown)
    if not pins:
        return {}
    key_text = "\0".join([_BUILD_FORMAT, target.runtime, target.architecture, text])
    key = hashlib.sha256(key_text.encode()).hexdigest()[:24]
    site = _build_root(root) / BUILD_DIR / f"{target.runtime}-{target.architecture}-{key}"
    if not site.is_dir():
        _build(site, pins, shown, target)
    return _site_files(site)


def _check_closure_requirements(handler: str, closure: _Closure, own: Path, root: Path, target: _Target) -> None:
    """Only the handler module's folder's requirements.txt is installed. One beside another module of
    the closure (a helper subpackage's) would be left out, and Lambda fail with ModuleNotFoundError,
    unless the handler's own file pins the same. A package's __init__.py that is only run as the parent
    of an imported module (app/__init__.py for app.report.main) does not make its folder's file needed."""
    own_shown = _shown(own, root)
    own_pins = (
        {pin.name: pin for pin in _applicable(read_requirements(own, shown=own_shown), target, own_shown)}
        if own.is_file()
        else {}
    )
    for archive_path, path in sorted(closure.files.items()):
        other = path.parent / REQUIREMENTS_FILE
        if other == own or archive_path not in closure.imported or not other.is_file():
            continue
        shown = _shown(other, root)
        lacking = [
            pin.text
            for pin in _applicable(read_requirements(other, shown=shown), target, shown)
            if pin.name not in own_pins
            or not pin.requirement.specifier.contains(own_pins[pin.name].version, prereleases=True)
        ]
        if lacking:
            installed = (
                f"only {own_shown} is installed for it; pin the same there."
                if own.is_file()
                else f"nothing is installed for it (there is no {own_shown}); create {own_shown} with "
                f"{', '.join(lacking)}."
            )
            raise PackagingError(
                f"{shown} pins {', '.join(lacking)}, which the package of {handler} would lack: it holds "
                f"{archive_path} from that folder, but {installed}"
            )


# --- the archive ----------------------------------------------------------------------


class HandlerArchive(pulumi.AssetArchive):
    """A handler's deployment package, with the Lambda runtime and architecture its dependencies
    were installed for: a function given it runs on those (`HandlerFunctionArgs.code`), so that
    they are written once."""

    def __init__(self, assets: dict[str, pulumi.Asset | pulumi.Archive], *, runtime: str, architecture: str) -> None:
        super().__init__(assets)
        self.runtime = runtime
        self.architecture = architecture


def handler_archive(
    handler: str,
    *,
    source_root: Path | None = None,
    runtime: str = FUNCTION_RUNTIME,
    architecture: str = FUNCTION_ARCHITECTURE,
) -> HandlerArchive:
    """The deployment package of one Lambda handler (see the module docstring), for `runtime` on
    `architecture`."""
    target = _target(runtime, architecture)
    root, module, top = _handler_module(handler, source_root)
    closure = _Closure(root, top)
    closure.add(module)
    files = closure.run()
    assert module.path is not None
    requirements = module.path.parent / REQUIREMENTS_FILE
    _check_closure_requirements(handler, closure, requirements, root, target)
    if requirements.is_file():
        dependencies = _dependency_files(requirements, root, target)
        clashes = sorted(path for path in dependencies if path.split("/")[0] in (top, f"{top}.py"))
        if clashes:
            raise PackagingError(
                f"{_shown(requirements, root)}: the requirements install {clashes[0]}, which would replace "
                f"the handler's own package {top}; rename the package or drop that distribution."
            )
        files.update(dependencies)
    assets: dict[str, pulumi.Asset | pulumi.Archive] = {
        path: pulumi.FileAsset(str(files[path])) for path in sorted(files)
    }
    return HandlerArchive(assets, runtime=runtime, architecture=architecture)


def archive_zip(archive: pulumi.AssetArchive) -> bytes:
    """The archive as the zip Lambda receives: same paths, same bytes.

    Pulumi builds its own zip at deploy time; this one serves the offline
    rehearsal and the size benchmark. Timestamps are fixed so that equal
    sources give equal bytes.
    """
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        for archive_path in sorted(archive.assets):
            asset = archive.assets[archive_path]
            if not isinstance(asset, pulumi.FileAsset):
                raise TypeError(f"{archive_path}: only file assets are packaged, got {type(asset).__name__}.")
            info = zipfile.ZipInfo(archive_path, date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            bundle.writestr(info, Path(asset.path).read_bytes())
    return buffer.getvalue()
