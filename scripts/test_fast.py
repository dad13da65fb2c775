"""`make test-fast`: the unit layer, its test modules shared out between one pytest per core.

xdist would do it on as many workers, but each of them collects every module of the suite, and
sends three reports a test to a controller that runs on the same cores: for about 1,900 tests that
take about 11 s of one core between them, a quarter of the layer's time. Here each process collects
its own share of the modules alone, and reports to no one.

The shares are balanced by the time each module took to import, collect and run its unit tests in
the runs before (kept in `.pytest_cache/`, which git ignores). A module never timed (every module,
after a clone) is estimated from its size, at the seconds per byte of the modules that were: a
module's size follows its time far better than the average module's time does. Each process's
output is printed whole, one after the other; the exit status is the worst of theirs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TIMINGS = ROOT / ".pytest_cache" / "unit-timings.json"
# Read by tests/conftest.py: the modules a process may collect, and where it writes their timings.
FILES_VARIABLE = "UNIT_TEST_FILES"
TIMINGS_VARIABLE = "UNIT_TEST_TIMINGS"
# pytest's exit status when a share holds no unit test at all: not a failure of the layer.
NO_TESTS_COLLECTED = 5


def suite_modules() -> list[str]:
    """Every test module of the suite, by its file name."""
    return sorted(path.name for path in (ROOT / "tests").glob("test_*.py"))


def shares(
    modules: Sequence[str], seconds: Mapping[str, float], count: int, sizes: Mapping[str, int] | None = None
) -> list[list[str]]:
    """`modules` in `count` shares of about equal time: the longest first, each to the share with the
    least so far. A module not in `seconds` is estimated from its size in `sizes` (bytes; by default
    all equal), at the seconds per byte of those that are in it."""
    size = {name: max(1, (sizes or {}).get(name, 1)) for name in modules}
    known = [name for name in modules if name in seconds]
    per_byte = sum(seconds[name] for name in known) / sum(size[name] for name in known) if known else 1.0
    weight = {name: seconds.get(name, size[name] * per_byte) for name in modules}
    loads = [0.0] * max(1, min(count, len(modules)))
    groups: list[list[str]] = [[] for _ in loads]
    for name in sorted(modules, key=lambda name: (-weight[name], name)):
        least = loads.index(min(loads))
        groups[least].append(name)
        loads[least] += weight[name]
    return [sorted(group) for group in groups]


def blended(before: Mapping[str, float], measured: Mapping[str, float]) -> dict[str, float]:
    """The times to balance the next run by: each module's, half from this run and half from those
    before, so that one run slowed by the machine does not reshuffle every share."""
    return {**before, **{name: (seconds + before[name]) / 2 if name in before else seconds
                         for name, seconds in measured.items()}}  # fmt: skip


def worst(statuses: Sequence[int]) -> int:
    """The layer's exit status from its processes': a share without unit tests fails nothing."""
    return max((0 if status == NO_TESTS_COLLECTED else status for status in statuses), default=0)


def _timings() -> dict[str, float]:
    """The past times, or none when the file is missing or not what this script writes (a run then
    balances by module count alone, and writes it anew)."""
    try:
        loaded = json.loads(TIMINGS.read_text(encoding="utf-8"))
        return {str(name): float(value) for name, value in loaded.items()}
    except (OSError, ValueError, TypeError, AttributeError):
        return {}


def main(arguments: Sequence[str]) -> int:
    """Run the unit layer (`arguments` go to each pytest); its exit status."""
    before = _timings()
    modules = suite_modules()
    sizes = {name: (ROOT / "tests" / name).stat().st_size for name in modules}
    groups = shares(modules, before, os.cpu_count() or 1, sizes)
    with tempfile.TemporaryDirectory() as scratch:
        runs = []
        for number, group in enumerate(groups):
            environment = {
                **os.environ,
                FILES_VARIABLE: " ".join(group),
                TIMINGS_VARIABLE: str(Path(scratch) / f"{number}.json"),
            }
            command = [sys.executable, "-m", "pytest", "-p", "no:xdist", "-m", "unit", *arguments]
            runs.append(
                subprocess.Popen(command, cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            )
        for run in runs:
            output, _ = run.communicate()
            sys.stdout.write(output.decode(errors="replace"))
        measured: dict[str, float] = {}
        for part in Path(scratch).glob("*.json"):
            measured.update(json.loads(part.read_text(encoding="utf-8")))
    if measured:
        TIMINGS.parent.mkdir(exist_ok=True)
        TIMINGS.write_text(json.dumps(blended(before, measured), indent=1, sort_keys=True), encoding="utf-8")
    return worst([run.returncode for run in runs])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
