"""The test layers of tests/conftest.py (CONTRIBUTING.md#the-test-layers): each test is in one, and
a unit test can start neither the Pulumi engine nor a process."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from rehearsal import fake_aws
from rehearsal.program import run_under_mocks
from tests import conftest


def test_a_unit_test_starts_neither_the_pulumi_engine_nor_a_process(request: pytest.FixtureRequest) -> None:
    assert request.node.get_closest_marker("unit") is not None, "this test is meant to be a unit test"
    with pytest.raises(pytest.fail.Exception, match=r"is a unit test but starts the Pulumi engine: use the deploy"):
        run_under_mocks(lambda: None, fake_aws.new_resource, fake_aws.call)
    with pytest.raises(pytest.fail.Exception, match=r"is a unit test but starts a process: .* pytest\.mark\.program"):
        subprocess.run([sys.executable, "-c", "pass"], check=True)


def test_a_unit_test_runs_under_pythons_own_recursion_limit_as_the_program_does() -> None:
    # Not the 10,000 jsonata-python sets on import (the rehearsal imports it, so every test process does).
    assert sys.getrecursionlimit() == conftest.RECURSION_LIMIT


@pytest.mark.program
def test_a_program_test_may_start_a_process() -> None:
    ran = subprocess.run([sys.executable, "-c", "print('ran')"], capture_output=True, text=True, check=True)
    assert ran.stdout == "ran\n"


@dataclass
class Collected:
    """What conftest.layer_of reads of a collected test."""

    fixturenames: list[str]
    marks: list[str] = field(default_factory=list)

    def iter_markers(self) -> Iterator[pytest.Mark]:
        return (getattr(pytest.mark, name).mark for name in self.marks)


@pytest.mark.parametrize(
    ("fixtures", "marks", "layer"),
    [
        ([], [], "unit"),
        (["tmp_path"], [], "unit"),
        (["deploy"], [], "program"),
        (["declare", "tmp_path"], [], "program"),
        ([], ["program"], "program"),
        (["moto"], [], "rehearsal"),
        (["shared_cloud", "moto", "deploy"], [], "rehearsal"),
        (["moto"], ["program"], "rehearsal"),
        ([], ["parametrize"], "unit"),
    ],
)
def test_a_tests_layer_is_the_highest_its_fixtures_or_marker_reach(
    fixtures: list[str], marks: list[str], layer: str
) -> None:
    assert conftest.layer_of(Collected(fixtures, marks)) == layer  # type: ignore[arg-type]


def test_no_test_is_marked_with_a_layer_below_what_its_fixtures_reach_or_with_two(
    request: pytest.FixtureRequest,
) -> None:
    """conftest adds each test's layer as a marker; a test marked by hand `unit` (or `program`) that
    uses the in-memory AWS, or marked with two layers, would then be in two, and run by two make
    targets. The layer each test should be in is pinned by the cases above."""
    items = request.session.items
    assert len(items) > 1
    for item in items:
        layers = [marker.name for marker in item.iter_markers() if marker.name in conftest.LAYERS]
        assert layers == [conftest.layer_of(item)], f"{item.nodeid} is in the layers {layers}"
