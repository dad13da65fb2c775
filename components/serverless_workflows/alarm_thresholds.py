"""When each alarm fires, and the values CloudWatch and these metrics allow for it.

Kept apart from `serverless_workflows.monitoring`, which loads the Pulumi SDK: `settings` reads
`alarmThresholds` from stack config into these types, and `python -m ops cost` reads settings
without that SDK. One rule, one place: Monitoring checks the thresholds it is given and settings
checks the config with the same `threshold_problem`.

`AlarmThresholds` and `Threshold` are the arguments: TypedDicts whose every field is optional, so
that Pulumi's component analyzer marks them optional in the schema other languages read.
`ResolvedThresholds` and `ResolvedThreshold` are the same with every default filled in.
"""

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Self, TypedDict, cast

# CloudWatch's limit on an alarm's periods together (PutMetricAlarm): a day, or 7 days
# when each period is an hour or more.
MAX_EVALUATION_SECONDS = 86_400
MAX_EVALUATION_SECONDS_HOURLY = 604_800
HOUR_SECONDS = 3_600
# The resolution of every alarmed metric (AWS/States, AWS/Scheduler, AWS/SQS, AWS/Lambda).
# CloudWatch also takes 10, 20 and 30 s periods, but only high-resolution metrics have data
# that often: these alarms would see gaps, which they treat as not breaching, and stay silent.
METRIC_RESOLUTION_SECONDS = 60

VALUE_RULE = (
    "a number greater than 0: the alarm fires when the statistic reaches it, so 0 would fire on any "
    "data point, such as the zeros Lambda and SQS report while all is well"
)
PERIOD_RULE = (
    f"a whole multiple of {METRIC_RESOLUTION_SECONDS} seconds, at most {MAX_EVALUATION_SECONDS_HOURLY:,} "
    f"(7 days): these metrics have one-minute resolution, so the 10, 20 and 30 s periods of "
    f"high-resolution metrics would leave the alarm without data"
)


class Threshold(TypedDict, total=False):
    """When one alarm fires: its statistic reaches `value` in each of `evaluation_periods`
    consecutive periods of `period_seconds`. A field left out keeps its default."""

    value: float
    """The threshold, compared with >=; greater than 0. Default: 1, the first occurrence."""
    period_seconds: int
    """A multiple of 60 (these metrics have one-minute resolution). Default: 300, so a
    notification names a five-minute window and a burst sends one message, not five."""
    evaluation_periods: int
    """Consecutive breaching periods needed. Default: 1, alarm at once."""


class AlarmThresholds(TypedDict, total=False):
    """The threshold of every alarm; each one can be overridden on its own, e.g.
    `AlarmThresholds(function_errors=Threshold(value=5, period_seconds=600))`, or per stack
    from config (`alarmThresholds.functionErrors.value`). An alarm left out keeps its default."""

    executions_failed: Threshold
    """AWS/States ExecutionsFailed, Sum. Default: 1 or more in 5 minutes."""
    executions_timed_out: Threshold
    """AWS/States ExecutionsTimedOut, Sum. Default: 1 or more in 5 minutes."""
    executions_aborted: Threshold
    """AWS/States ExecutionsAborted, Sum. Default: 1 or more in 5 minutes."""
    executions_throttled: Threshold
    """AWS/States ExecutionThrottled, Sum. Default: 1 or more in 5 minutes."""
    schedule_target_errors: Threshold
    """AWS/Scheduler TargetErrorCount, Sum. Default: 1 or more in 5 minutes."""
    schedule_invocations_dropped: Threshold
    """AWS/Scheduler InvocationDroppedCount, Sum. Default: 1 or more in 5 minutes."""
    schedule_dead_letter_failures: Threshold
    """AWS/Scheduler InvocationsFailedToBeSentToDeadLetterCount, Sum. Default: 1 or more in 5 minutes."""
    dead_letter_messages: Threshold
    """AWS/SQS ApproximateNumberOfMessagesVisible, Maximum. Default: 1 or more messages
    at any time in 5 minutes."""
    function_errors: Threshold
    """AWS/Lambda Errors, Sum, per function. Default: 1 or more in 5 minutes."""
    function_throttles: Threshold
    """AWS/Lambda Throttles, Sum, per function. Default: 1 or more in 5 minutes."""


@dataclass(frozen=True)
class ResolvedThreshold:
    """A Threshold with its defaults filled in: what an alarm is declared with."""

    value: float = 1
    period_seconds: int = 300
    evaluation_periods: int = 1


@dataclass(frozen=True)
class ResolvedThresholds:
    """AlarmThresholds with every default filled in: what Monitoring declares its alarms with, and
    what settings reads a stack's `alarmThresholds` into."""

    executions_failed: ResolvedThreshold = ResolvedThreshold()
    executions_timed_out: ResolvedThreshold = ResolvedThreshold()
    executions_aborted: ResolvedThreshold = ResolvedThreshold()
    executions_throttled: ResolvedThreshold = ResolvedThreshold()
    schedule_target_errors: ResolvedThreshold = ResolvedThreshold()
    schedule_invocations_dropped: ResolvedThreshold = ResolvedThreshold()
    schedule_dead_letter_failures: ResolvedThreshold = ResolvedThreshold()
    dead_letter_messages: ResolvedThreshold = ResolvedThreshold()
    function_errors: ResolvedThreshold = ResolvedThreshold()
    function_throttles: ResolvedThreshold = ResolvedThreshold()

    @classmethod
    def of(cls, given: AlarmThresholds) -> Self:
        """`given`, its fields already checked for their types (`serverless_workflows.arguments`),
        with what it leaves out at the defaults."""
        fields = cast(Mapping[str, Mapping[str, Any]], given)
        return cls(**{name: ResolvedThreshold(**values) for name, values in fields.items()})

    def as_args(self) -> AlarmThresholds:
        """Every threshold, as Monitoring's arguments take them."""
        return cast(AlarmThresholds, dataclasses.asdict(self))


@dataclass(frozen=True)
class ThresholdProblem:
    """What is wrong with one field of a Threshold."""

    field: str
    """The Threshold field at fault."""
    allowed: str
    """What it may be, completing "use ..."."""
    accepted: int | float
    """A value that would be accepted there, for a command that fixes it."""


def max_evaluation_periods(period_seconds: int) -> int:
    """How many consecutive periods of `period_seconds` CloudWatch lets one alarm evaluate."""
    limit = MAX_EVALUATION_SECONDS_HOURLY if period_seconds >= HOUR_SECONDS else MAX_EVALUATION_SECONDS
    return limit // period_seconds


def _is_whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_positive_number(value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    try:
        # An integer beyond a double's range is no threshold CloudWatch can store.
        return math.isfinite(value) and value > 0
    except OverflowError:
        return False


def threshold_problem(threshold: ResolvedThreshold) -> ThresholdProblem | None:
    """The first field of `threshold` that CloudWatch would refuse, or that would keep its alarm
    from ever firing, checked in declaration order; None when all are fine. Types are checked
    too: the values may come from stack config."""
    default = ResolvedThreshold()
    if not _is_positive_number(threshold.value):
        return ThresholdProblem("value", VALUE_RULE, default.value)
    period = threshold.period_seconds
    if (
        not _is_whole(period)
        or period < METRIC_RESOLUTION_SECONDS
        or period % METRIC_RESOLUTION_SECONDS
        or period > MAX_EVALUATION_SECONDS_HOURLY
    ):
        return ThresholdProblem("period_seconds", PERIOD_RULE, default.period_seconds)
    count, most = threshold.evaluation_periods, max_evaluation_periods(period)
    if not _is_whole(count) or not 1 <= count <= most:
        allowed = (
            f"a whole number from 1 to {most} for periods of {period} s: CloudWatch evaluates at most "
            f"{MAX_EVALUATION_SECONDS:,} s (1 day) of periods under an hour, {MAX_EVALUATION_SECONDS_HOURLY:,} s "
            "(7 days) of periods of an hour or more"
        )
        return ThresholdProblem("evaluation_periods", allowed, most if _is_whole(count) and count > most else 1)
    return None
