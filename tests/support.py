"""What several test modules share: the stacks, the worked-example workflow, and small helpers.

Test modules import from here, never from each other.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rehearsal.moto_aws import InMemoryAws
from rehearsal.program import PROJECT_ROOT, ProgramRun
from settings import stack_config, stack_names
from workflows.catalogue import CALL_CENTER, CATALOGUE, SCHEDULED
from workflows.spec import WorkflowSpec

STACKS = stack_names()

# The two tutorials, whose resources, documents, prices and messages tests pin exactly. A test
# that pins a total names them rather than CATALOGUE, so that a workflow a team adds to the
# catalogue (README "Add your own workflow") leaves it passing; tests of what every workflow
# gets iterate over CATALOGUE instead.
TUTORIALS: tuple[WorkflowSpec, ...] = (SCHEDULED, CALL_CENTER)
PREFIX = "serverless-workflows-dev"

Deploy = Callable[..., ProgramRun]
Declare = Callable[..., ProgramRun]

# The worked example of README "Add your own workflow", laid out as the recipe says:
# workflows/<file>.asl.json, handlers/<module>.py and one catalogue entry (entry.py).
EXAMPLE_DIR = PROJECT_ROOT / "tests" / "fixtures" / "nightly_report"


def _load_entry() -> WorkflowSpec:
    spec = importlib.util.spec_from_file_location("nightly_report_entry", EXAMPLE_DIR / "entry.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    entry: WorkflowSpec = module.NIGHTLY_REPORT
    # The entry is written for the project's folders; here its files stay in the fixture.
    return dataclasses.replace(
        entry,
        definition=EXAMPLE_DIR / "workflows" / Path(entry.definition).name,
        functions=tuple(dataclasses.replace(f, source_root=EXAMPLE_DIR) for f in entry.functions),
    )


NIGHTLY_REPORT = _load_entry()
WITH_EXAMPLE: tuple[WorkflowSpec, ...] = (*CATALOGUE, NIGHTLY_REPORT)


def definition_file(folder: Path, name: str, states: dict[str, Any]) -> Path:
    """An ASL file `folder/<name>.asl.json` of `states`, starting at the first, with the
    top-level timeout the project requires."""
    path = folder / f"{name}.asl.json"
    path.write_text(json.dumps({"StartAt": next(iter(states)), "TimeoutSeconds": 60, "States": states}))
    return path


def with_config(**overrides: str) -> dict[str, str]:
    """The dev stack's config with `key=value` overrides (project namespace)."""
    config = stack_config("dev")
    config.update({f"serverless-workflows:{key}": value for key, value in overrides.items()})
    return config


def document(run: ProgramRun, name: str, key: str) -> dict[str, Any]:
    """A JSON input (policy, trust policy, definition) of the resource `name`, parsed."""
    parsed: dict[str, Any] = json.loads(run.named(name).inputs[key])
    return parsed


def seed_for(status: int) -> int:
    """A seed under which WorkOnCase's first draw, random.randint(0, 1), is `status`."""
    return next(seed for seed in range(100) if random.Random(seed).randint(0, 1) == status)


def role_arn(name: str, purpose: str) -> str:
    from rehearsal.fake_aws import ACCOUNT_ID

    return f"arn:aws:iam::{ACCOUNT_ID}:role/{name}-{purpose}-use1"


class CloudStack:
    """A stack of the dev config, with the worked-example workflow, deployed into the in-memory AWS."""

    def __init__(self, cloud: InMemoryAws, run: ProgramRun, stack: str) -> None:
        self.cloud = cloud
        self.run = run
        self.stack = stack

    @property
    def outputs(self) -> dict[str, Any]:
        return self.run.outputs

    def workflow(self, name: str) -> dict[str, Any]:
        entry: dict[str, Any] = self.run.outputs["workflows"][name]
        return entry

    def client(self, service: str) -> Any:
        return self.cloud.client(service)

    def tick(self, workflow: str | None = None) -> list[str]:
        """One scheduler tick of this stack's schedules, or of one workflow's; the execution
        ARNs it started."""
        if workflow is None:
            return self.cloud.tick_schedules(f"serverless-workflows-{self.stack}-")
        return self.cloud.tick_schedules(groups={self.workflow(workflow)["schedule"]["group"]})
