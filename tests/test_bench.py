"""`make bench` writes its figures to docs/performance.md: the page's format, without running the bench.

The benchmark takes minutes and runs the suite; these tests render given figures instead, and hold
the committed page to what `bench.report` writes.
"""

from __future__ import annotations

import re
import sys
from datetime import date
from pathlib import Path

import pytest

from bench import report
from bench.report import Figure
from rehearsal.program import PROJECT_ROOT

PAGE = PROJECT_ROOT / "docs" / "performance.md"
FIGURES = [
    Figure("Program run as pulumi runs it", "1824 ms"),
    Figure("Program / baseline", "2.78x", "<= 1.5x", met=False),
    Figure("Lambda archive", "2,559 bytes", "< 8,192 bytes", met=True),
]


def test_the_page_shows_the_date_the_machine_and_each_figure_against_its_target() -> None:
    page = report.page(FIGURES, "2 cores, AMD EPYC, Python 3.11.7, Linux", date(2026, 11, 22), 5)
    assert page.startswith("# Performance\n\nWritten by `make bench` (`bench/run.py`)")
    assert "Measured on 2026-11-22: 2 cores, AMD EPYC, Python 3.11.7, Linux. " in page
    assert "median of 5 runs" in page
    assert (
        "\n| Figure | Value | Target | |\n"
        "|---|---|---|---|\n"
        "| Program run as pulumi runs it | 1824 ms | | |\n"
        "| Program / baseline | 2.78x | <= 1.5x | MISSED |\n"
        "| Lambda archive | 2,559 bytes | < 8,192 bytes | met |\n\n"
    ) in page
    assert "(../CONTRIBUTING.md#performance-targets)" in page


def parsed(page: str) -> tuple[list[Figure], str, date, int]:
    """The figures, machine, date and rounds a page of `report.page` was rendered from."""
    measured = re.search(r"^Measured on (\d{4}-\d\d-\d\d): (.+?)\. The program", page, flags=re.MULTILINE)
    rounds = re.search(r"median of (\d+) runs", page)
    assert measured, "no 'Measured on DATE: MACHINE.' line"
    assert rounds, "no 'median of N runs'"
    figures = []
    for line in page.splitlines():
        if not line.startswith("| ") or line in report.HEADER:
            continue
        name, value, target, verdict = (cell.strip() for cell in line.strip("|").split("|"))
        assert verdict in ({report.MET, report.MISSED} if target else {""}), line
        figures.append(Figure(name, value, target, verdict != report.MISSED))
    return figures, measured[2], date.fromisoformat(measured[1]), int(rounds[1])


def test_the_committed_page_is_exactly_what_make_bench_writes() -> None:
    text = PAGE.read_text()
    figures, machine, measured, rounds = parsed(text)
    assert len(figures) >= 10
    assert report.page(figures, machine, measured, rounds) == text, "docs/performance.md is edited by hand"


def test_make_bench_prints_the_figures_and_writes_the_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bench import run

    monkeypatch.setattr(run, "measure", lambda: FIGURES)
    machine = "1 core, a CPU, Python 3.x, Linux"
    monkeypatch.setattr(run, "machine", lambda: machine)
    written = tmp_path / "performance.md"
    assert run.main(written, today=date(2030, 1, 31)) == 0
    assert written.read_text() == report.page(FIGURES, machine, date(2030, 1, 31), run.ROUNDS)
    printed = capsys.readouterr().out
    assert printed.startswith(f"Machine: {machine}\n\n" + report.table(FIGURES) + "\n")
    assert printed.endswith(f"Wrote {written}\n")
    assert run.PAGE == PAGE


def test_each_layer_is_timed_by_its_make_target_and_held_to_its_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    from bench import run

    timed: list[str] = []
    # A budgeted figure is the median of its runs, so one slow run does not decide the verdict.
    seconds = {
        "test-fast": [12.0, 9.0, 9.5],
        "test-program": [20.0],
        "test-rehearsal": [15.0],
        "test": [45.0, 70.0, 61.0],
    }

    def make_seconds(target: str) -> float:
        timed.append(target)
        return seconds[target].pop(0)

    monkeypatch.setattr(run, "make_seconds", make_seconds)
    monkeypatch.setattr(run, "tests_in", {"unit": 1340, "program": 250, "rehearsal": 51}.__getitem__)
    assert [figure.row() for figure in run.layer_figures()] == [
        "| Unit layer (make test-fast) | 9.5 s (median of 3: 9.0-12.0 s), 1,340 tests | <= 10 s | met |",
        "| Program layer (make test-program) | 20.0 s, 250 tests | | |",
        "| Rehearsal layer (make test-rehearsal) | 15.0 s, 51 tests | | |",
        "| Test suite wall time, all three layers (make test) | 61.0 s (median of 3: 45.0-70.0 s) | <= 60 s | MISSED |",
    ]
    assert timed == ["test-fast"] * 3 + ["test-program", "test-rehearsal"] + ["test"] * 3


def test_the_layers_bench_times_are_the_suites_and_each_make_target_runs_its_own() -> None:
    from bench import run
    from tests import conftest

    assert tuple(run.LAYERS) == conftest.LAYERS
    makefile = (PROJECT_ROOT / "Makefile").read_text()
    for layer, (target, _) in run.LAYERS.items():
        recipe = re.search(rf"^{target}: venv\n\t(.+)$", makefile, re.MULTILINE)
        assert recipe, f"the Makefile has no target {target}"
        # The unit layer through scripts/test_fast.py, which runs `pytest -m unit` on each share.
        expected = r"\$\(PY\) scripts/test_fast\.py" if layer == "unit" else rf"\$\(PYTEST\) -m {layer}"
        assert re.fullmatch(expected, recipe[1]), f"make {target} does not run the {layer} layer alone"
    assert re.search(r"^test: venv\n\t\$\(PYTEST\)$", makefile, re.MULTILINE), "make test does not run every layer"


@pytest.mark.program
def test_a_command_that_fails_stops_the_bench_in_one_message_naming_it_and_its_last_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bench import run

    failing = [sys.executable, "-c", "print('1 failed, 9 passed'); raise SystemExit(2)"]
    with pytest.raises(run.BenchError) as raised:
        run.checked(failing, "make test-fast")
    assert str(raised.value) == (
        "make test-fast failed (exit 2), so there is nothing to measure; its last lines:\n  1 failed, 9 passed"
    )
    monkeypatch.setattr(run, "measure", lambda: run.checked(failing, "make test-fast"))
    written = tmp_path / "performance.md"
    assert run.main(written) == 1
    out, err = capsys.readouterr()
    assert (out, err) == ("", f"make bench: {raised.value}\n")
    assert not written.exists(), "a failed bench wrote the page"
