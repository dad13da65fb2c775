"""Evaluate `__main__.py` under Pulumi mocks with a stack's config, and record what it declares."""

from __future__ import annotations

import importlib.util
import logging
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import pulumi
from pulumi.runtime.mocks import MockCallArgs, MockMonitor, MockResourceArgs

from stack_files import PROJECT, PROJECT_ROOT, qualify, readable_stack_config, stack_config, stack_files
from workflows.spec import WorkflowSpec

__all__ = ["PROJECT", "PROJECT_ROOT", "ProgramRun", "Registration", "run_program", "stack_config", "stack_files"]


@dataclass(frozen=True)
class Registration:
    """One resource the program declared, with the inputs it declared it with."""

    urn: str
    type: str
    name: str
    inputs: dict[str, Any]
    parent: str
    provider: str
    custom: bool
    dependencies: tuple[str, ...]
    retain_on_delete: bool = False


@dataclass
class ProgramRun:
    resources: list[Registration] = field(default_factory=list)
    outputs: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    """What the program logged with `pulumi.log.warn`, in order: what `pulumi preview` prints as
    `warning:` lines. Kept here, not printed, so that a tool shows each once."""

    def of_type(self, type_token: str) -> list[Registration]:
        return [r for r in self.resources if r.type == type_token]

    def named(self, name: str) -> Registration:
        matches = [r for r in self.resources if r.name == name]
        if len(matches) != 1:
            raise KeyError(f"{len(matches)} resources named {name!r}; names: {sorted(r.name for r in self.resources)}")
        return matches[0]

    def children_of(self, parent: Registration) -> list[Registration]:
        return [r for r in self.resources if r.parent == parent.urn]

    def __iter__(self) -> Iterator[Registration]:
        return iter(self.resources)


class _Warnings(logging.Handler):
    """Keeps the warnings the mock engine is handed in a run."""

    def __init__(self, run: ProgramRun) -> None:
        super().__init__(logging.WARNING)
        self._run = run

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno == logging.WARNING:
            self._run.warnings.append(record.getMessage())


def _engine_log(run: ProgramRun) -> logging.Logger:
    """The mock engine's log for one run: its warnings land in `run.warnings`, and nothing is
    printed (a logger of its own, outside logging's tree, so nothing reaches the root logger)."""
    logger = logging.Logger("pulumi-engine", logging.WARNING)
    logger.addHandler(_Warnings(run))
    return logger


NewResource = Callable[[MockResourceArgs], tuple[str | None, dict[str, Any]]]
Call = Callable[[MockCallArgs], dict[str, Any]]


class _Mocks(pulumi.runtime.Mocks):
    def __init__(self, new_resource: NewResource, call: Call) -> None:
        self._new_resource = new_resource
        self._call = call

    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        return self._new_resource(args)

    def call(self, args: MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        return self._call(args), []


class _RecordingMonitor(MockMonitor):
    """A mock monitor that also keeps each resource's parent and provider, which
    `Mocks.new_resource` is not told."""

    def __init__(self, mocks: _Mocks, run: ProgramRun) -> None:
        super().__init__(mocks)
        self._run = run

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 - gRPC method name
        response = super().RegisterResource(request)  # type: ignore[no-untyped-call]
        if request.type != "pulumi:pulumi:Stack":
            self._run.resources.append(
                Registration(
                    urn=response.urn,
                    type=request.type,
                    name=request.name,
                    inputs=pulumi.runtime.rpc.deserialize_properties(request.object),
                    parent=request.parent,
                    provider=request.provider,
                    custom=request.custom,
                    dependencies=tuple(request.dependencies),
                    retain_on_delete=bool(request.retainOnDelete),
                )
            )
        return response


def load_program() -> ModuleType:
    """A fresh copy of `__main__.py`, loaded under another name so nothing runs on import."""
    if str(PROJECT_ROOT) not in sys.path:
        sys.path.insert(0, str(PROJECT_ROOT))
    spec = importlib.util.spec_from_file_location("serverless_workflows_program", PROJECT_ROOT / "__main__.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_program(
    new_resource: NewResource,
    call: Call,
    *,
    stack: str = "dev",
    config: dict[str, str] | None = None,
    preview: bool = False,
    into: ProgramRun | None = None,
    catalogue: tuple[WorkflowSpec, ...] | None = None,
) -> ProgramRun:
    """Run `main()` of `__main__.py` once, under mocks, and wait for every resource.

    `config` maps `key` or `namespace:key` to the string the CLI would pass;
    it defaults to the stack's files (an encrypted alarm email left out: nothing here decrypts
    it). `catalogue` replaces the project's.
    """
    values = readable_stack_config(stack) if config is None else config
    program = load_program()

    def declare() -> object:
        return program.main() if catalogue is None else program.main(catalogue)

    return run_under_mocks(declare, new_resource, call, stack=stack, config=values, preview=preview, into=into)


def run_under_mocks(
    declare: Callable[[], object],
    new_resource: NewResource,
    call: Call,
    *,
    stack: str = "dev",
    config: Mapping[str, str] | None = None,
    preview: bool = False,
    into: ProgramRun | None = None,
) -> ProgramRun:
    """Call `declare` in a fresh Pulumi runtime under mocks, and wait for every resource.

    If `declare` returns a mapping of outputs, their resolved values land in `.outputs`.

    Exceptions raised while declaring, including inside `apply`, propagate;
    pass `into` to see what had been declared by then.
    """
    run = ProgramRun() if into is None else into
    mocks = _Mocks(new_resource, call)
    pulumi.runtime.set_mocks(
        mocks,
        project=PROJECT,
        stack=stack,
        preview=preview,
        logger=_engine_log(run),
        monitor=_RecordingMonitor(mocks, run),
    )
    pulumi.runtime.set_all_config({qualify(k): v for k, v in (config or {}).items()})

    @pulumi.runtime.test  # type: ignore[untyped-decorator]
    def evaluate() -> pulumi.Output[Any] | None:
        outputs = declare()
        # Only a mapping is taken as outputs; whatever else `declare` returns is ignored.
        if not isinstance(outputs, Mapping) or not outputs:
            return None
        return pulumi.Output.all(**outputs).apply(run.outputs.update)

    evaluate()
    return run
