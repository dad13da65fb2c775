"""make bench: the speed and size figures, printed against their targets and written to
docs/performance.md (rendered by `bench.report`).

A benchmark, not a test: it measures and reports; nothing here fails the build.
Each timing is the median of several runs on this machine.
"""

from __future__ import annotations

import io
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pulumi_aws as aws

from bench import report, scale
from bench.report import Figure
from ops import executions
from rehearsal import fake_aws
from rehearsal.program import PROJECT_ROOT, load_program, run_program, run_under_mocks, stack_config
from serverless_workflows.lambda_package import archive_zip, handler_archive

ROUNDS = 5
HANDLER_MODULES = ("handlers.case", "handlers.call_center")
PAGE = PROJECT_ROOT / "docs" / "performance.md"


class BenchError(Exception):
    """A command the benchmark times or reads failed: a figure of it would measure nothing."""


def checked(command: list[str], shown: str) -> str:
    """Run `command` in the project's folder and return its output; a failure is a BenchError
    naming `shown` (the command as a user would type it) and ending with its last lines."""
    finished = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True, check=False)
    if finished.returncode != 0:
        last = "\n  ".join((finished.stdout + finished.stderr).strip().splitlines()[-10:])
        raise BenchError(
            f"{shown} failed (exit {finished.returncode}), so there is nothing to measure; its last lines:\n  {last}"
        )
    return finished.stdout + finished.stderr


def median_seconds(action: Callable[[], object], rounds: int = ROUNDS) -> float:
    action()  # warm-up: imports and caches are not what is measured
    timings = []
    for _ in range(rounds):
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def program_evaluation() -> tuple[float, float]:
    config = stack_config("dev")
    program = load_program()

    def whole_program() -> object:
        return run_under_mocks(program.main, fake_aws.new_resource, fake_aws.call, config=config)

    def one_resource() -> object:
        return run_under_mocks(lambda: aws.sqs.Queue("baseline"), fake_aws.new_resource, fake_aws.call)

    return median_seconds(whole_program), median_seconds(one_resource)


_COLD_PROGRAM = """
import sys
sys.path.insert(0, {root!r})
from rehearsal import fake_aws
from rehearsal.program import run_program, run_under_mocks
if {whole!r}:
    run_program(fake_aws.new_resource, fake_aws.call, stack="dev")
else:
    import pulumi_aws as aws
    run_under_mocks(lambda: aws.sqs.Queue("baseline"), fake_aws.new_resource, fake_aws.call)
"""


def cold_program_evaluation() -> tuple[float, float]:
    """Each program in a fresh interpreter, as `pulumi preview` runs it: start-up and SDK
    imports included, which is what a user waits for."""

    def timed(whole: bool) -> Callable[[], object]:
        script = _COLD_PROGRAM.format(root=str(PROJECT_ROOT), whole=whole)
        return lambda: checked([sys.executable, "-c", script], "the program under mocks in a fresh interpreter")

    return median_seconds(timed(True)), median_seconds(timed(False))


def cold_import_ms(module: str, archive: bytes) -> float:
    """Cumulative import time of `module` in a fresh, isolated interpreter (-X importtime), from the
    Lambda archive unpacked: compiled from source on every import, as on Lambda, where the archive
    carries no bytecode and the function's folder is read-only (-B writes none either)."""
    samples = []
    with tempfile.TemporaryDirectory() as folder:
        zipfile.ZipFile(io.BytesIO(archive)).extractall(folder)
        probe = f"import sys; sys.path.insert(0, {folder!r}); import {module}"
        for _ in range(ROUNDS):
            report = checked([sys.executable, "-I", "-B", "-X", "importtime", "-c", probe], f"import {module}")
            match = re.search(rf"\|\s*(\d+) \|\s*{re.escape(module)}$", report, re.MULTILINE)
            assert match, f"{module} not in the import-time report"
            samples.append(int(match[1]) / 1000)
    return statistics.median(samples)


def rehearsal_rate(count: int = 20) -> float:
    # Imported here: moto and its engine take a second or two to load, which `make bench`'s own
    # tests (tests/test_bench.py, in the unit layer) need not pay.
    from rehearsal.moto_aws import InMemoryAws  # noqa: PLC0415

    with InMemoryAws.running() as cloud:
        run = run_program(cloud.new_resource, cloud.call)
        sfn = cloud.client("stepfunctions")
        arn = run.outputs["callCenterStateMachineArn"]
        started = time.perf_counter()
        for number in range(count):
            executions.run(sfn, arn, {"inputCaseID": f"{number:03d}"})
        return count / (time.perf_counter() - started)


# The test layers (CONTRIBUTING.md#the-test-layers): the make target of each, and its budget in
# seconds on the 2-core machine this project is built on (None: no budget of its own).
LAYERS = {"unit": ("test-fast", 10.0), "program": ("test-program", None), "rehearsal": ("test-rehearsal", None)}
SUITE_BUDGET_SECONDS = 60.0


def make_seconds(target: str) -> float:
    """One `make <target>`, as a developer runs it (its options are written in the Makefile once)."""
    started = time.perf_counter()
    checked(["make", "--no-print-directory", target], f"make {target}")
    return time.perf_counter() - started


def tests_in(layer: str) -> int:
    """How many tests the layer holds, as pytest collects them."""
    listed = checked(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-m", layer], f"pytest --collect-only -m {layer}"
    )
    match = re.search(r"^(\d+)(?:/\d+)? tests? collected", listed, re.MULTILINE)
    assert match, f"no test count in pytest's listing of the {layer} layer"
    return int(match[1])


# A budget's verdict rests on the median of several runs: one run on a shared machine lands a
# tenth or more either side of its neighbours (CONTRIBUTING.md#performance-targets).
BUDGETED_ROUNDS = 3


def budgeted_seconds(target: str) -> tuple[float, str]:
    """The median of BUDGETED_ROUNDS `make <target>` runs, and the value shown: the median and the range."""
    runs = sorted(make_seconds(target) for _ in range(BUDGETED_ROUNDS))
    median = statistics.median(runs)
    return median, f"{median:.1f} s (median of {BUDGETED_ROUNDS}: {runs[0]:.1f}-{runs[-1]:.1f} s)"


def layer_figures() -> list[Figure]:
    """Each layer's tests and time, then the whole suite's, each against its budget."""
    figures = []
    for layer, (target, budget) in LAYERS.items():
        name = f"{layer.capitalize()} layer (make {target})"
        if budget is None:
            figures.append(Figure(name, f"{make_seconds(target):.1f} s, {tests_in(layer):,} tests"))
        else:
            seconds, shown = budgeted_seconds(target)
            figures.append(Figure(name, f"{shown}, {tests_in(layer):,} tests", f"<= {budget:g} s", seconds <= budget))
    suite, shown = budgeted_seconds("test")
    figures.append(
        Figure(
            "Test suite wall time, all three layers (make test)",
            shown,
            f"<= {SUITE_BUDGET_SECONDS:g} s",
            suite <= SUITE_BUDGET_SECONDS,
        )
    )
    return figures


def demo_seconds() -> float:
    """One `make demo`, as a fresh interpreter runs it: what a newcomer waits for after `make test`."""
    started = time.perf_counter()
    checked([sys.executable, "-m", "rehearsal.demo", "dev"], "make demo")
    return time.perf_counter() - started


def cpu_model() -> str:
    cpuinfo = Path("/proc/cpuinfo")
    lines = cpuinfo.read_text().splitlines() if cpuinfo.exists() else []
    models = [line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")]
    return models[0] if models else platform.processor() or "unknown CPU"


def machine() -> str:
    return f"{os.cpu_count()} cores, {cpu_model()}, Python {platform.python_version()}, {platform.system()}"


SCALES = (10, 50, 200)
SCALE_TARGET = 1.3


def scale_figures() -> list[Figure]:
    """Program evaluation per registered resource at catalogues of many workflows of five
    functions, beside a plain program of as many resources under the same mocks."""
    figures = []
    with tempfile.TemporaryDirectory() as folder:
        scale.measure(2, Path(folder))  # warm-up: imports and the packaging of the handler
        for count in SCALES:
            run = scale.measure(count, Path(folder))
            per = run.program_ms / run.resources
            plain = run.baseline_ms / run.resources
            # The target is the largest scale's: the smaller ones show how the ratio grows.
            target = f"<= {SCALE_TARGET}x" if count == SCALES[-1] else ""
            met = run.ratio <= SCALE_TARGET
            figures.append(Figure(f"{count} workflows of 5 functions: {run.resources:,} registrations",
                                  f"{per:.2f} ms each (plain {plain:.2f} ms)"))  # fmt: skip
            figures.append(Figure(f"{count} workflows: program / plain, per registration", f"{run.ratio:.2f}x",
                                  target, met))  # fmt: skip
            quota = [w for w in run.warnings if w.startswith("quota: ")]
            figures.append(Figure(f"{count} workflows: dashboard pages (widest), quota warnings",
                                  f"{run.dashboard_pages} ({run.widest_page} widgets), {len(quota)}"))  # fmt: skip
    return figures


def measure() -> list[Figure]:
    """Every figure, measured now (minutes: the test layers, then the whole suite, those with a budget
    BUDGETED_ROUNDS times)."""
    whole, baseline = program_evaluation()
    cold_whole, cold_baseline = cold_program_evaluation()
    archive = archive_zip(handler_archive("handlers.call_center.open_case"))
    imports = {module: cold_import_ms(module, archive) for module in HANDLER_MODULES}
    rate = rehearsal_rate()
    demo = demo_seconds()
    scaled = scale_figures()
    layers = layer_figures()

    cold_ratio = cold_whole / cold_baseline
    return [
        Figure("Program run as pulumi runs it (fresh interpreter, under mocks)", f"{cold_whole * 1000:.0f} ms"),
        Figure("One-resource baseline, the same way", f"{cold_baseline * 1000:.0f} ms"),
        Figure("Program / baseline, fresh interpreter", f"{cold_ratio:.2f}x", "<= 1.5x", cold_ratio <= 1.5),
        Figure("Declaring the program's resources alone (warm, in-process)", f"{whole * 1000:.0f} ms"),
        Figure("Declaring the baseline's one resource (warm, in-process)", f"{baseline * 1000:.0f} ms"),
        Figure("Lambda archive", f"{len(archive):,} bytes", "< 8,192 bytes", len(archive) < 8192),
        *(
            Figure(
                f"Cold import of {module}, compiled from the archive's source",
                f"{milliseconds:.1f} ms",
                "< 5 ms",
                milliseconds < 5,
            )
            for module, milliseconds in imports.items()
        ),
        Figure("Rehearsal call-center executions (moto, Lambda in a subprocess)", f"{rate:.1f} /s"),
        Figure("One make demo run (fresh interpreter)", f"{demo:.1f} s"),
        *scaled,
        *layers,
    ]


def main(page: Path = PAGE, today: date | None = None) -> int:
    """Measure, print the figures, and write them to `page` (docs/performance.md)."""
    try:
        figures = measure()
    except BenchError as error:
        print(f"make bench: {error}", file=sys.stderr)
        return 1
    about = machine()
    print(f"Machine: {about}")
    print()
    print(report.table(figures))
    page.write_text(report.page(figures, about, today or date.today(), ROUNDS))
    shown = page.relative_to(PROJECT_ROOT) if page.is_relative_to(PROJECT_ROOT) else page
    print()
    print(f"Wrote {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
