from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from rehearsal import fake_aws  # noqa: E402
from rehearsal.program import ProgramRun, run_program, run_under_mocks  # noqa: E402

Deploy = Callable[..., ProgramRun]


@pytest.fixture
def deploy() -> Deploy:
    """Evaluate the whole program under mocks: `deploy(stack="dev", config=None)`."""

    def _deploy(stack: str = "dev", config: dict[str, str] | None = None, into: ProgramRun | None = None) -> ProgramRun:
        return run_program(fake_aws.new_resource, fake_aws.call, stack=stack, config=config, into=into)

    return _deploy


Declare = Callable[..., ProgramRun]


@pytest.fixture
def declare() -> Declare:
    """Run any declaring function under the same mocks: `declare(fn, into=None)`."""

    def _declare(fn: Callable[[], Any], into: ProgramRun | None = None) -> ProgramRun:
        return run_under_mocks(fn, fake_aws.new_resource, fake_aws.call, into=into)

    return _declare
