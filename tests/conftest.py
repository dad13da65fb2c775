from __future__ import annotations

import contextlib
import gc
import itertools
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pulumi
import pytest

ROOT = Path(__file__).resolve().parent.parent
# Python's own, read before the imports below: jsonata-python (which the rehearsal imports) raises
# it to 10,000 for the whole process, but the program and the tools run with the default.
RECURSION_LIMIT = sys.getrecursionlimit()
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from rehearsal import fake_aws  # noqa: E402
from rehearsal.program import ProgramRun, run_program, run_under_mocks, stack_config  # noqa: E402
from scripts import test_fast  # noqa: E402
from tests.support import SUITE_CATALOGUE, CloudStack, Declare, Deploy  # noqa: E402
from workflows.catalogue import CATALOGUE  # noqa: E402
from workflows.spec import WorkflowSpec  # noqa: E402

if TYPE_CHECKING:
    from rehearsal.moto_aws import InMemoryAws

# The test layers, fastest first (CONTRIBUTING.md#the-test-layers). A test's layer comes from the
# fixtures it uses; a test that reaches the Pulumi engine some other way (a module-scoped run, a
# mock of its own) or starts a process (pip, a fresh interpreter, scripts/stack.sh) says so with
# `pytest.mark.program`. Unmarked and without those fixtures, it is a unit test, and it may start
# neither the Pulumi engine nor a process (checked below), so `make test-fast` stays pure Python.
LAYERS = ("unit", "program", "rehearsal")
_LAYER_FIXTURES = {"rehearsal": {"moto"}, "program": {"deploy", "declare"}}


def layer_of(item: pytest.Item) -> str:
    """The highest layer a test reaches: by its fixtures, or by its own marker."""
    fixtures = set(getattr(item, "fixturenames", ()))
    reached = {layer for layer, needs in _LAYER_FIXTURES.items() if fixtures & needs}
    reached |= {marker.name for marker in item.iter_markers() if marker.name in LAYERS}
    return max(reached, key=LAYERS.index, default="unit")


# How a module says all its tests are rehearsal tests; read as text, so that deciding costs no import.
_REHEARSAL_MODULE = re.compile(r"^pytestmark = pytest\.mark\.rehearsal$", re.MULTILINE)


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """`make test-fast` and `make test-program` (`-m unit`, `-m program`) skip, unimported, the modules
    whose every test is a rehearsal test: each process would otherwise import moto and its engine.
    A process of `make test-fast` (scripts/test_fast.py) collects only its share of the modules."""
    if config.getoption("markexpr") not in ("unit", "program") or collection_path.suffix != ".py":
        return None
    share = os.environ.get(test_fast.FILES_VARIABLE)
    if share is not None and collection_path.name.startswith("test_") and collection_path.name not in share.split():
        return True
    return bool(_REHEARSAL_MODULE.search(collection_path.read_text(encoding="utf-8"))) or None


_seconds_by_module: dict[str, float] = {}


def _count(module: str, seconds: float) -> None:
    _seconds_by_module[module] = _seconds_by_module.get(module, 0.0) + seconds


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(
    collector: pytest.Collector,
) -> Generator[None, pytest.CollectReport, pytest.CollectReport]:
    # What scripts/test_fast.py balances the next run's shares by: each module's import and
    # collection, and (below) its tests' time.
    if not (os.environ.get(test_fast.TIMINGS_VARIABLE) and isinstance(collector, pytest.Module)):
        return (yield)
    started = time.perf_counter()
    try:
        return (yield)
    finally:
        _count(collector.path.name, time.perf_counter() - started)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if os.environ.get(test_fast.TIMINGS_VARIABLE):
        _count(report.nodeid.split("::")[0].rsplit("/", 1)[-1], report.duration)


_exit_status: list[int] = []


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Also: one full garbage collection now, then what survives it frozen. pytest's unraisable-exception
    check collects twice more at the end (to report what a finalizer raised); after this, those walk
    only what was allocated since, not the caches the tests filled (about 0.4 s a collection here).
    What this collection finalizes is still reported: the check's hook is installed until its end."""
    del session
    gc.collect()
    gc.freeze()
    _exit_status.append(int(exitstatus))
    if path := os.environ.get(test_fast.TIMINGS_VARIABLE):
        Path(path).write_text(json.dumps(_seconds_by_module), encoding="utf-8")


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    """A share of `make test-fast` ends once pytest is done with it, without the interpreter tearing down
    every module it loaded (about half a second of a heap this size, on each core): the share reported
    what it ran in pytest_sessionfinish, and nothing runs after it."""
    del config
    if os.environ.get(test_fast.FILES_VARIABLE) is not None and _exit_status:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(_exit_status[-1])


def pytest_collection_finish(session: pytest.Session) -> None:
    """What every test shares once collected (modules, the catalogue, botocore's and IAM's data) is
    taken out of the garbage collector's generations: a collection then walks only what the tests
    allocate, not the hundreds of megabytes loaded before them (measured: about 5% of the unit layer)."""
    del session
    gc.collect()
    gc.freeze()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        layer = layer_of(item)
        if item.get_closest_marker(layer) is None:
            item.add_marker(layer)
    # The in-memory AWS tests first: `make test` runs with `--dist worksteal`, which hands each
    # worker a contiguous half at the start and rebalances by stealing from the end of a queue,
    # so these usually stay on one worker, and only that one starts moto and deploys the shared
    # stack (a worker that steals some of them deploys it too: correct, only slower).
    items.sort(key=lambda item: item.get_closest_marker("rehearsal") is None)


def _refusal(item: pytest.Item, what: str) -> Callable[..., Any]:
    def refuse(*_: Any, **__: Any) -> Any:
        pytest.fail(
            f"{item.nodeid} is a unit test but {what}: use the deploy or declare fixture, or mark it "
            "pytest.mark.program (CONTRIBUTING.md#the-test-layers)",
            pytrace=False,
        )

    return refuse


@contextlib.contextmanager
def _unit_guard(item: pytest.Item) -> Iterator[None]:
    """While a unit test (or a fixture it sets up) runs, starting the Pulumi engine or a process fails
    it, and Python's recursion limit is its default, as where the program runs: a test of deeply nested
    input (a stack file, a definition) meets the limit a user's run meets, in the time it takes there."""
    if item.get_closest_marker("unit") is None:
        yield
        return
    raised = sys.getrecursionlimit()
    sys.setrecursionlimit(RECURSION_LIMIT)
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(pulumi.runtime, "set_mocks", _refusal(item, "starts the Pulumi engine"))
            patch.setattr(subprocess.Popen, "__init__", _refusal(item, "starts a process"))
            yield
    finally:
        sys.setrecursionlimit(raised)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Iterator[None]:
    with _unit_guard(item):
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    with _unit_guard(item):
        return (yield)


# Program runs by their inputs: evaluating the program under mocks takes most of a second,
# and many tests read the same run. A test must not change a run it gets from `deploy`.
_runs: dict[tuple[object, ...], tuple[ProgramRun, object]] = {}


@pytest.fixture
def deploy() -> Deploy:
    """Evaluate the whole program under mocks: `deploy(stack="dev", config=None, into=None, catalogue=None)`.

    Equal inputs give the same (shared, read-only) run; `into=` always evaluates anew, so that a
    test can see what was declared before a failure."""

    def _deploy(
        stack: str = "dev",
        config: dict[str, str] | None = None,
        into: ProgramRun | None = None,
        catalogue: tuple[WorkflowSpec, ...] | None = None,
    ) -> ProgramRun:
        values = stack_config(stack) if config is None else config
        # Entries by identity: a tuple built anew of the same entries (TUTORIALS, and the project's
        # CATALOGUE while it holds the tutorials alone) is the same program, evaluated once.
        entries = CATALOGUE if catalogue is None else catalogue
        key = (stack, tuple(sorted(values.items())), tuple(map(id, entries)))
        if into is None and key in _runs:
            return _runs[key][0]
        run = run_program(
            fake_aws.new_resource, fake_aws.call, stack=stack, config=values, into=into, catalogue=catalogue
        )
        if into is None:
            # The entries are kept with the run, so that their ids cannot be reused by others.
            _runs[key] = (run, entries)
        return run

    return _deploy


@pytest.fixture
def declare() -> Declare:
    """Run any declaring function under the same mocks: `declare(fn, into=None)`."""

    def _declare(fn: Callable[[], Any], into: ProgramRun | None = None) -> ProgramRun:
        return run_under_mocks(fn, fake_aws.new_resource, fake_aws.call, into=into)

    return _declare


@pytest.fixture(scope="session")
def moto() -> Iterator[InMemoryAws]:
    """The in-memory AWS of this test session (of this worker, under xdist). Moto resets every
    backend when a mock starts, so there is one, and stacks share it under different names."""
    # Imported here: only the rehearsal layer loads moto and its engine (a second and more).
    from rehearsal.moto_aws import InMemoryAws

    with InMemoryAws.running() as aws:
        yield aws


@pytest.fixture(scope="session")
def shared_cloud(moto: InMemoryAws) -> CloudStack:
    """One deployment for every test that only reads it (runs executions, reads resources).
    A test that changes the stack uses `cloud` instead, or restores what it changed."""
    config = stack_config("dev")
    return CloudStack(moto, moto.deploy(stack="shared", config=config, catalogue=SUITE_CATALOGUE), "shared")


_own_stacks = itertools.count(1)


@pytest.fixture
def cloud(moto: InMemoryAws) -> CloudStack:
    """A deployment of its own (a stack name of its own in the same in-memory AWS), for a test
    that breaks or changes the stack."""
    stack = f"own{next(_own_stacks)}"
    return CloudStack(moto, moto.deploy(stack=stack, config=stack_config("dev"), catalogue=SUITE_CATALOGUE), stack)


@pytest.fixture
def seeded(moto: InMemoryAws) -> Iterator[Callable[[int | None], None]]:
    """`seeded(n)` makes the Lambda sandbox seed `random` with n for the rest of the test."""
    before = moto.sandbox.random_seed

    def _seed(seed: int | None) -> None:
        moto.sandbox.random_seed = seed

    yield _seed
    moto.sandbox.random_seed = before
