"""Catalogues of many workflows, to measure and check the program at a team's scale.

`catalogue_of(count)` is `count` scheduled workflows of five Lambda functions each, every one
laid out as the recipe says (a definition with the house rules' timeouts and retries, functions
packaged from `handlers/`), so that the program declares for each what it declares for a real
one: its functions, roles, log groups, state machine, schedule, alarms and dashboard widgets.
`baseline(count)` declares as many plain resources, the yardstick of the Pulumi SDK's own cost.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi_aws as aws

from rehearsal import fake_aws
from rehearsal.program import run_program, run_under_mocks
from serverless_workflows.asl.house_rules import TRANSIENT_LAMBDA_ERRORS
from workflows.spec import FunctionSpec, ScheduleSpec, WorkflowSpec

FUNCTIONS = 5
# Every function runs the tutorial's first handler: what is measured is the declaring, not the code.
HANDLER = "handlers.call_center.open_case"


def definition(functions: int = FUNCTIONS) -> dict[str, Any]:
    """A chain of `functions` Lambda tasks, `${F0}` first, each with the house rules' timeout and retries."""
    states: dict[str, Any] = {}
    for number in range(functions):
        states[f"Step {number}"] = {
            "Type": "Task",
            "Resource": f"${{F{number}}}",
            "TimeoutSeconds": 10,
            "Retry": [{"ErrorEquals": list(TRANSIENT_LAMBDA_ERRORS), "MaxAttempts": 2}],
            **({"Next": f"Step {number + 1}"} if number + 1 < functions else {"End": True}),
        }
    return {"StartAt": "Step 0", "TimeoutSeconds": 300, "States": states}


def catalogue_of(count: int, folder: Path, functions: int = FUNCTIONS) -> tuple[WorkflowSpec, ...]:
    """`count` scheduled workflows of `functions` functions each; their definition is written to `folder`."""
    path = folder / "chain.asl.json"
    path.write_text(json.dumps(definition(functions)))
    return tuple(
        WorkflowSpec(
            name=f"flow-{workflow}",
            title=f"Flow {workflow}",
            definition=path,
            functions=tuple(
                FunctionSpec(name=f"flow-{workflow}-{step}", handler=HANDLER, placeholder=f"F{step}")
                for step in range(functions)
            ),
            schedule=ScheduleSpec(expression="rate(1 hour)", payload={"flow": workflow}),
        )
        for workflow in range(count)
    )


def baseline(count: int) -> object:
    """`count` plain resources, declared one after the other."""
    return [aws.sqs.Queue(f"baseline-{number}") for number in range(count)]


@dataclass(frozen=True)
class ScaleRun:
    workflows: int
    resources: int
    """Every registration: components, resources and the provider."""
    program_ms: float
    baseline_ms: float
    """As many plain resources, under the same mocks."""
    dashboard_pages: int
    widest_page: int
    """Widgets on the fullest page, index included."""
    warnings: list[str]

    @property
    def ratio(self) -> float:
        return self.program_ms / self.baseline_ms


def measure(count: int, folder: Path) -> ScaleRun:
    """The program with `count` workflows of five functions, evaluated under mocks once, beside a
    plain program of as many registrations."""
    catalogue = catalogue_of(count, folder)
    started = time.perf_counter()
    run = run_program(fake_aws.new_resource, fake_aws.call, catalogue=catalogue)
    program = time.perf_counter() - started
    registered = len(run.resources)
    started = time.perf_counter()
    run_under_mocks(lambda: baseline(registered), fake_aws.new_resource, fake_aws.call)
    plain = time.perf_counter() - started
    pages = [json.loads(r.inputs["dashboardBody"]) for r in run.of_type("aws:cloudwatch/dashboard:Dashboard")]
    return ScaleRun(
        workflows=count,
        resources=registered,
        program_ms=program * 1000,
        baseline_ms=plain * 1000,
        dashboard_pages=len(pages),
        widest_page=max(len(page["widgets"]) for page in pages),
        warnings=run.warnings,
    )
