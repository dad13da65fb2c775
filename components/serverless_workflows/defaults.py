"""What a resource is unless told otherwise, written once, and the Lambda values the components allow.

The components' arguments (HandlerFunctionArgs, WorkflowArgs, ScheduleArgs, MonitoringArgs, each
filled in as ResolvedFunction, ResolvedWorkflow, ResolvedSchedule and MonitoringPlan),
the catalogue's entries (FunctionSpec, ScheduleSpec, WorkflowSpec), the stack settings
(StackSettings, whose defaults Pulumi.yaml declares again for the Pulumi CLI, kept equal by
tests/test_stacks.py) and the cost estimate all take their defaults from here. This module
imports nothing, so the catalogue, the settings and `python -m ops cost` read it without the
Pulumi SDK.
"""

from __future__ import annotations

# --- a Lambda function ------------------------------------------------------------------------

# The runtimes this project's handler code is written and tested for.
SUPPORTED_RUNTIMES = ("python3.12", "python3.13", "python3.14")
ARCHITECTURES = ("arm64", "x86_64")

# The newest runtime Lambda offers.
FUNCTION_RUNTIME = "python3.14"
# Graviton: cheaper per GB-second.
FUNCTION_ARCHITECTURE = "arm64"
# Lambda's least: ample for small handlers. The cost estimate prices a function it does not know
# (a literal ARN in a definition) at these too.
FUNCTION_MEMORY_MB = 128
# A task invoking the function must allow more (serverless_workflows/asl/house_rules.py).
FUNCTION_TIMEOUT_SECONDS = 5
# The lowest level of a function's own JSON logs that Lambda keeps.
FUNCTION_APPLICATION_LOG_LEVEL = "INFO"

# --- a state machine and its schedule -----------------------------------------------------------

# What Step Functions creates when no type is given.
STATE_MACHINE_TYPE = "STANDARD"
# ALL: each state's input and output, which is what shows a run's data flow, and where an Express
# workflow's results are.
EXECUTION_LOG_LEVEL = "ALL"
# The program sets no other: no stack config key turns execution data off.
INCLUDE_EXECUTION_DATA = True
SCHEDULE_TIMEZONE = "UTC"
SCHEDULE_ENABLED = True
SCHEDULE_DESCRIPTION = "Starts the state machine on schedule."
# How often EventBridge Scheduler retries a StartExecution that failed: a few, within the tick's age.
SCHEDULE_RETRY_ATTEMPTS = 3
# How long a tick stays worth delivering: a per-minute workflow gains nothing from a tick retried
# hours later.
SCHEDULE_MAX_EVENT_AGE_SECONDS = 300
# How long undeliverable ticks stay in the schedule's dead-letter queue: 14 days, SQS's maximum.
DEAD_LETTER_RETENTION_SECONDS = 1_209_600

# --- what every resource that keeps data or traces does -----------------------------------------

LOG_RETENTION_DAYS = 14
TRACING_ENABLED = True
# Destroying a stack deletes its log groups, queues, tables and keys, unless its config keeps them.
RETAIN_DATA = False
# The stack's CloudWatch dashboard, with its alarms (a page per 500 widgets).
DASHBOARD_ENABLED = True
