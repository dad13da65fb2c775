"""EventBridge Scheduler expressions: `rate(...)`, `cron(...)` and `at(...)`, checked offline.

The rules are AWS's: a rate's unit is singular for 1 and plural otherwise;
a cron has six fields (minutes hours day-of-month month day-of-week year), and
one of day-of-month and day-of-week is `?`; a one-time `at` is a local
date-time to the second.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

EXAMPLES = "rate(1 minute), rate(5 minutes), cron(0 9 ? * MON-FRI *), at(2030-01-31T09:00:00)"

_RATE = re.compile(r"^rate\((?P<value>\d+) (?P<unit>minute|minutes|hour|hours|day|days)\)$")
_CRON = re.compile(r"^cron\((?P<fields>[^()]*)\)$")
_AT = re.compile(r"^at\((?P<when>[^()]*)\)$")
_CRON_FIELD = re.compile(r"^[0-9A-Za-z*?,/#\-]+$")
_CRON_FIELD_NAMES = ("minutes", "hours", "day-of-month", "month", "day-of-week", "year")
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86_400}


class ScheduleExpressionError(ValueError):
    pass


@dataclass(frozen=True)
class ScheduleExpression:
    kind: str
    """rate, cron or at"""
    text: str
    rate_seconds: int | None = None
    """For a rate: the interval between runs."""
    cron_fields: tuple[str, ...] = ()
    at: datetime | None = None


def parse(expression: str) -> ScheduleExpression:
    """The expression, checked; raises ScheduleExpressionError naming what is wrong."""
    text = expression.strip()
    if text.startswith("rate("):
        return _parse_rate(text)
    if text.startswith("cron("):
        return _parse_cron(text)
    if text.startswith("at("):
        return _parse_at(text)
    raise ScheduleExpressionError(f"{expression!r} is not a rate(...), cron(...) or at(...) expression")


def _parse_rate(text: str) -> ScheduleExpression:
    match = _RATE.match(text)
    if not match:
        raise ScheduleExpressionError(
            f"{text!r} is not a rate expression; write rate(<whole number> <minute(s)|hour(s)|day(s)>)"
        )
    value, unit = int(match["value"]), match["unit"]
    if value < 1:
        raise ScheduleExpressionError(f"{text!r}: the rate must be at least 1")
    singular = unit.rstrip("s")
    expected = singular if value == 1 else singular + "s"
    if unit != expected:
        raise ScheduleExpressionError(f"{text!r}: AWS requires rate({value} {expected}) (singular for 1, else plural)")
    return ScheduleExpression("rate", text, rate_seconds=value * _UNIT_SECONDS[singular])


def _parse_cron(text: str) -> ScheduleExpression:
    match = _CRON.match(text)
    fields = tuple(match["fields"].split()) if match else ()
    if len(fields) != 6:
        raise ScheduleExpressionError(
            f"{text!r}: a cron expression has six fields ({' '.join(_CRON_FIELD_NAMES)}), found {len(fields)}"
        )
    for name, field in zip(_CRON_FIELD_NAMES, fields, strict=True):
        if not _CRON_FIELD.match(field):
            raise ScheduleExpressionError(f"{text!r}: the {name} field {field!r} has characters cron does not allow")
    day_of_month, day_of_week = fields[2], fields[4]
    if (day_of_month == "?") == (day_of_week == "?"):
        raise ScheduleExpressionError(
            f"{text!r}: exactly one of day-of-month ({day_of_month}) and day-of-week ({day_of_week}) must be '?'"
        )
    return ScheduleExpression("cron", text, cron_fields=fields)


def _parse_at(text: str) -> ScheduleExpression:
    match = _AT.match(text)
    try:
        when = datetime.strptime(match["when"] if match else "", "%Y-%m-%dT%H:%M:%S")
    except ValueError:
        raise ScheduleExpressionError(f"{text!r}: a one-time schedule is at(yyyy-mm-ddThh:mm:ss)") from None
    return ScheduleExpression("at", text, at=when)
