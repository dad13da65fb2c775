"""docs/performance.md: the figures `make bench` measured, as the page it writes.

Kept apart from `bench.run`, which measures: rendering needs no measurement, so a test
can hold the committed page to this format without running the benchmark.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

HEADER = ("| Figure | Value | Target | |", "|---|---|---|---|")
MET, MISSED = "met", "MISSED"


@dataclass(frozen=True)
class Figure:
    """One measured figure, and the target it is held to."""

    name: str
    value: str
    """As shown, with its unit: "1824 ms", "2,559 bytes", "2.78x"."""
    target: str = ""
    """As shown: "<= 1.5x". Empty: a figure reported without a target."""
    met: bool = True
    """Whether the value meets the target; ignored without one."""

    def row(self) -> str:
        if not self.target:
            return f"| {self.name} | {self.value} | | |"
        return f"| {self.name} | {self.value} | {self.target} | {MET if self.met else MISSED} |"


def table(figures: Sequence[Figure]) -> str:
    """The figures as a Markdown table, one row each, in the order given."""
    return "\n".join([*HEADER, *(figure.row() for figure in figures)])


def page(figures: Sequence[Figure], machine: str, measured: date, rounds: int) -> str:
    """The whole of docs/performance.md for one run of the benchmark."""
    return (
        "# Performance\n"
        "\n"
        "Written by `make bench` (`bench/run.py`) on each run; do not edit by hand. A\n"
        "benchmark, not a test: nothing here fails the build.\n"
        "\n"
        f"Measured on {measured.isoformat()}: {machine}. The program, baseline and import\n"
        f"timings are each the median of {rounds} runs; the demo and the program and rehearsal\n"
        "layers are run once; a figure with a budget says how many runs its median is of.\n"
        "\n"
        f"{table(figures)}\n"
        "\n"
        "Timings vary from run to run on a shared machine: compare the ratios, which\n"
        "are measured in the same run. Why a target is missed, and where the suite's\n"
        "time goes: [Performance targets](../CONTRIBUTING.md#performance-targets).\n"
    )
