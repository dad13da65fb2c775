"""serverless_workflows: Pulumi components for AWS Step Functions workflows.

- `Workflow`: a state machine with its least-privilege role, its log group and, given a
  `ScheduleArgs`, an EventBridge Scheduler schedule with its own role and dead-letter queue;
- `HandlerFunction`: a Python Lambda function with its own role and log group, its handler
  packaged (`handler_archive`) for its runtime and architecture;
- `Monitoring`: alarms, their encrypted topic and a dashboard for a set of workflows, each read
  off its components by `monitored`;
- `asl`: the definitions' model, their validator (`validate`) and the IAM each task needs.

What of the API is stable, and what not yet: CHANGELOG.md. The names below load their modules when first used,
so that a tool reading a pure module of the package (the defaults, the definitions' model) does
not load the Pulumi SDK.
"""

import importlib
from typing import TYPE_CHECKING, Any

# One import path per class: imported under another name (`components.serverless_workflows`, from a
# checkout's root), every module would load a second time, with a second Workflow class.
if __name__ != "serverless_workflows":
    raise ImportError(
        f"the package serverless_workflows was imported as {__name__}: import it as serverless_workflows, "
        "with the checkout's components/ folder on the import path (pip install -e ., or PYTHONPATH=components), "
        "or installed from the checkout (pip install <checkout>)"
    )

__version__ = "0.2.0"

# Public name -> the module that defines it.
_PUBLIC = {
    "Workflow": "serverless_workflows.workflow",
    "WorkflowArgs": "serverless_workflows.workflow",
    "ScheduleArgs": "serverless_workflows.workflow",
    "HandlerFunction": "serverless_workflows.handler_function",
    "HandlerFunctionArgs": "serverless_workflows.handler_function",
    "TaskFunctionArgs": "serverless_workflows.handler_function",
    "VpcConfigArgs": "serverless_workflows.handler_function",
    "handler_archive": "serverless_workflows.lambda_package",
    "HandlerArchive": "serverless_workflows.lambda_package",
    "PackagingError": "serverless_workflows.lambda_package",
    "Monitoring": "serverless_workflows.monitoring",
    "MonitoringArgs": "serverless_workflows.monitoring",
    "MonitoredWorkflowArgs": "serverless_workflows.monitoring",
    "monitored": "serverless_workflows.monitoring",
    "AlarmThresholds": "serverless_workflows.alarm_thresholds",
    "Threshold": "serverless_workflows.alarm_thresholds",
    "WorkflowDefinition": "serverless_workflows.asl.definition",
    "DefinitionError": "serverless_workflows.asl.definition",
    "validate": "serverless_workflows.asl.validate",
}

# Written out, for type checkers and linters; a test keeps it equal to `_PUBLIC`.
__all__ = [
    "AlarmThresholds",
    "DefinitionError",
    "HandlerArchive",
    "HandlerFunction",
    "HandlerFunctionArgs",
    "MonitoredWorkflowArgs",
    "Monitoring",
    "MonitoringArgs",
    "PackagingError",
    "ScheduleArgs",
    "TaskFunctionArgs",
    "Threshold",
    "VpcConfigArgs",
    "Workflow",
    "WorkflowArgs",
    "WorkflowDefinition",
    "__version__",
    "handler_archive",
    "monitored",
    "validate",
]

if TYPE_CHECKING:
    from serverless_workflows.alarm_thresholds import AlarmThresholds, Threshold
    from serverless_workflows.asl.definition import DefinitionError, WorkflowDefinition
    from serverless_workflows.asl.validate import validate
    from serverless_workflows.handler_function import (
        HandlerFunction,
        HandlerFunctionArgs,
        TaskFunctionArgs,
        VpcConfigArgs,
    )
    from serverless_workflows.lambda_package import HandlerArchive, PackagingError, handler_archive
    from serverless_workflows.monitoring import MonitoredWorkflowArgs, Monitoring, MonitoringArgs, monitored
    from serverless_workflows.workflow import ScheduleArgs, Workflow, WorkflowArgs


def __getattr__(name: str) -> Any:
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_PUBLIC})
