"""CloudWatch Logs values that several components and the stack settings share."""

from __future__ import annotations

# The retention values CloudWatch Logs accepts (PutRetentionPolicy); any other
# number is rejected by the API halfway through a deployment.
RETENTION_DAYS: tuple[int, ...] = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
)  # fmt: skip

# Step Functions execution log levels.
STATES_LOG_LEVELS: tuple[str, ...] = ("ALL", "ERROR", "FATAL", "OFF")


def express_results_logged(log_level: str, *, include_execution_data: bool) -> bool:
    """Whether an Express workflow logging so can be seen at all. It has no execution history:
    its results exist only in its execution logs, which hold them at level ALL with execution data."""
    return log_level == "ALL" and include_execution_data


def check_retention(days: int, *, what: str) -> None:
    if isinstance(days, bool) or not isinstance(days, int) or days not in RETENTION_DAYS:
        allowed = ", ".join(str(d) for d in RETENTION_DAYS)
        raise ValueError(f"{what}: log retention of {days!r} days is not one CloudWatch allows; use one of {allowed}.")


def check_states_log_level(level: str, *, what: str) -> None:
    if level not in STATES_LOG_LEVELS:
        raise ValueError(f"{what}: log level {level!r} is not one of {', '.join(STATES_LOG_LEVELS)}.")
