"""`make test-fast` (scripts/test_fast.py): the unit layer's modules shared out between one pytest per
core, each share collected alone, and the layer failing when any share fails."""

from __future__ import annotations

import itertools
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from rehearsal.program import PROJECT_ROOT
from scripts import test_fast
from tests import conftest


def test_every_module_is_in_exactly_one_share() -> None:
    modules = test_fast.suite_modules()
    assert "test_test_fast.py" in modules
    groups = test_fast.shares(modules, {}, 2)
    assert len(groups) == 2
    assert sorted(itertools.chain.from_iterable(groups)) == modules


def test_the_shares_are_balanced_by_the_times_last_taken() -> None:
    seconds = {"a.py": 6.0, "b.py": 4.0, "c.py": 3.0, "d.py": 2.0, "e.py": 1.0}
    groups = test_fast.shares(sorted(seconds), seconds, 2)
    loads = sorted(sum(seconds[name] for name in group) for group in groups)
    assert loads == [8.0, 8.0]


def test_a_module_never_timed_is_estimated_from_its_size_at_the_timed_ones_seconds_per_byte() -> None:
    timed = {"a.py": 3.0, "b.py": 1.0}
    sizes = {"a.py": 3000, "b.py": 1000, "new.py": 5000}
    # 1 ms a byte: new.py is estimated at 5 s, more than the other two together, not as nothing.
    assert sorted(test_fast.shares(["a.py", "b.py", "new.py"], timed, 2, sizes)) == [["a.py", "b.py"], ["new.py"]]
    # Without sizes, each module weighs the same: an unknown one is the average of the timed (2 s).
    assert sorted(test_fast.shares(["a.py", "b.py", "new.py"], timed, 2)) == [["a.py"], ["b.py", "new.py"]]
    # After a clone nothing is timed: the shares are balanced by size alone.
    after_a_clone = test_fast.shares(sorted(sizes), {}, 2, {**sizes, "b.py": 2500})
    assert sorted(after_a_clone) == [["a.py", "b.py"], ["new.py"]]


def test_no_more_shares_than_modules_and_the_same_shares_each_time() -> None:
    assert test_fast.shares(["only.py"], {}, 4) == [["only.py"]]
    seconds = {f"m{n}.py": float(n % 3) for n in range(12)}
    assert test_fast.shares(sorted(seconds), seconds, 3) == test_fast.shares(sorted(seconds), seconds, 3)


def test_a_run_moves_each_modules_time_halfway_and_keeps_what_it_did_not_run() -> None:
    assert test_fast.blended({"a.py": 2.0, "b.py": 1.0}, {"a.py": 4.0, "c.py": 0.5}) == {
        "a.py": 3.0,
        "b.py": 1.0,
        "c.py": 0.5,
    }


def test_the_layer_fails_when_any_share_fails_and_a_share_without_unit_tests_fails_nothing() -> None:
    assert test_fast.worst([0, 0]) == 0
    assert test_fast.worst([0, 1]) == 1
    assert test_fast.worst([test_fast.NO_TESTS_COLLECTED, 0]) == 0
    assert test_fast.worst([2, test_fast.NO_TESTS_COLLECTED]) == 2


class _Config:
    def __init__(self, markexpr: str) -> None:
        self.markexpr = markexpr

    def getoption(self, name: str) -> Any:
        assert name == "markexpr"
        return self.markexpr


def test_a_share_collects_only_its_own_modules(monkeypatch: pytest.MonkeyPatch) -> None:
    tests = Path(conftest.__file__).parent
    monkeypatch.setenv(test_fast.FILES_VARIABLE, "test_model.py test_cost.py")
    config: Any = _Config("unit")
    assert conftest.pytest_ignore_collect(tests / "test_diagram.py", config) is True
    assert conftest.pytest_ignore_collect(tests / "test_model.py", config) is None
    # A rehearsal module stays out even when it is in the share.
    monkeypatch.setenv(test_fast.FILES_VARIABLE, "test_rehearsal.py")
    assert conftest.pytest_ignore_collect(tests / "test_rehearsal.py", config) is True
    # Without the variable (make test, or pytest run by hand), every module is collected.
    monkeypatch.delenv(test_fast.FILES_VARIABLE)
    assert conftest.pytest_ignore_collect(tests / "test_diagram.py", config) is None


@pytest.mark.parametrize("text", ['{"test_model.py": "x"}', "[1, 2]", "not json", '{"test_model.py": null}'])
def test_past_times_that_are_not_what_the_script_writes_are_ignored(
    text: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(test_fast, "TIMINGS", tmp_path / "unit-timings.json")
    assert test_fast._timings() == {}
    (tmp_path / "unit-timings.json").write_text(text)
    assert test_fast._timings() == {}
    (tmp_path / "unit-timings.json").write_text('{"test_model.py": 1.5}')
    assert test_fast._timings() == {"test_model.py": 1.5}


@pytest.mark.program
def test_make_runs_python_with_its_bytecode_caches_where_the_environment_turns_them_off() -> None:
    # Without the caches every test process recompiles the project and pytest rewrites every test
    # module's asserts again (about 2 s a process): the Makefile undoes what container images set.
    probe = "probe: ; @$(PY) -c 'import sys; print(sys.dont_write_bytecode)'"
    shown = subprocess.run(
        ["make", "--no-print-directory", "--eval", probe, "probe"],
        cwd=PROJECT_ROOT,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert shown == "False\n", "a make target's Python does not write bytecode caches"
