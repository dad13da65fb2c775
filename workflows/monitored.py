"""What the stack's monitoring watches of a catalogue entry: its state machine, its schedule's
group and dead-letter queue, and its functions, under the names the components give them.

One builder for the program (which checks the names before declaring) and the cost estimate
(which counts the alarms and dashboard pages they make).
"""

from __future__ import annotations

from collections.abc import Callable

from serverless_workflows.alarm_thresholds import ResolvedThresholds
from serverless_workflows.monitoring_plan import MonitoredWorkflow
from serverless_workflows.names import workflow_names
from workflows.spec import WorkflowSpec


def monitored(
    spec: WorkflowSpec, physical_name: Callable[[str], str], thresholds: ResolvedThresholds | None = None
) -> MonitoredWorkflow:
    """`spec` as Monitoring watches it, where `physical_name` turns a catalogue name into the
    stack's (names standing in for the ARNs, which exist only once deployed)."""
    names = workflow_names(spec.name, physical_name(spec.name))
    scheduled = spec.schedule is not None
    return MonitoredWorkflow(
        name=spec.name,
        state_machine_arn=names.state_machine.physical,
        schedule_group=names.schedule.group.physical if scheduled else None,
        dead_letter_queue_name=names.schedule.dead_letter_queue.physical if scheduled else None,
        function_names={function.name: physical_name(function.name) for function in spec.functions},
        thresholds=thresholds,
    )
