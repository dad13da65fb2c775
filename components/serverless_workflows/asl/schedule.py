"""EventBridge Scheduler expressions: `rate(...)`, `cron(...)` and `at(...)`, checked offline.

The rules are AWS's, as the EventBridge cron and rate expression references and the
Scheduler API's ScheduleExpression describe them:

- rate(value unit): value a positive whole number; unit minute, hour or day,
  singular for 1 and plural otherwise.
- cron(minutes hours day-of-month month day-of-week year), six fields:

      minutes       0-59                , - * /
      hours         0-23                , - * /
      day-of-month  1-31                , - * ? / L W
      month         1-12 or JAN-DEC     , - * /
      day-of-week   1-7 or SUN-SAT      , - * ? L #
      year          1970-2199           , - * /

  Exactly one of day-of-month and day-of-week is `?`. A field using `#` holds only
  that one expression. A range may wrap (the reference's own example is hours 20-2).
- at(yyyy-mm-ddThh:mm:ss): a local date-time to the second.

A parsed cron keeps its fields as sets of numbers (`CronSchedule`), so nothing
downstream reads the text again; `runs_per_month` counts from those sets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal, NoReturn

EXAMPLES = "rate(1 minute), rate(5 minutes), cron(0 9 ? * MON-FRI *), at(2030-01-31T09:00:00)"

_RATE = re.compile(r"^rate\((?P<value>[0-9]+) (?P<unit>minute|minutes|hour|hours|day|days)\)$")
_CRON = re.compile(r"^cron\((?P<fields>[^()]*)\)$")
_AT = re.compile(r"^at\((?P<when>[^()]*)\)$")
# strptime alone would take at(2030-1-5T9:0:0); AWS documents two digits a part.
_AT_WHEN = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}$")
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86_400}
# AWS states no upper bound; past a billion years the number is a typo, and Python's
# int() refuses strings of thousands of digits outright.
_MAX_RATE_DIGITS = 12

_MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
_MONTH_NAMES = {name: number for number, name in enumerate(_MONTHS, start=1)}
_DAY_NAMES = {name: number for number, name in enumerate(["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"], start=1)}
# A number longer than this is out of every field's range; checking the length first
# keeps int() from meeting thousands of digits.
_MAX_DIGITS = 4

_ITEM = re.compile(r"(?P<start>\*|[0-9A-Z]+)(?:-(?P<end>[0-9A-Z]+))?(?:/(?P<step>[0-9]+))?")
_DAY_OF_MONTH_MARKER = re.compile(r"(?P<last>L)(?P<weekday>W)?|(?P<day>[0-9]+)W")
_DAY_OF_WEEK_MARKER = re.compile(r"(?P<day>[0-9]+|[A-Z]+)(?:(?P<last>L)|#(?P<nth>[0-9]+))")


class ScheduleExpressionError(ValueError):
    pass


@dataclass(frozen=True)
class DayMarker:
    """A day of the month picked by L, W or #: one day a month, which no set of numbers says."""

    kind: Literal["last-day", "last-weekday", "nearest-weekday", "last-of-weekday", "nth-of-weekday"]
    """last-day `L`, last-weekday `LW` (Monday to Friday), nearest-weekday `15W`, in day-of-month;
    last-of-weekday `6L` (the last Friday), nth-of-weekday `3#2` (the second Tuesday), in day-of-week."""
    day: int | None = None
    """The day of the month for nearest-weekday; the day of the week (1 = SUN) for the day-of-week kinds."""
    nth: int | None = None
    """1-5, for nth-of-weekday."""


@dataclass(frozen=True)
class CronSchedule:
    """A cron expression's fields as the values they match."""

    minutes: frozenset[int]
    hours: frozenset[int]
    day_field: Literal["day-of-month", "day-of-week"]
    """The day field that is not `?`; the other one matches nothing here."""
    days_of_month: frozenset[int]
    """Empty when day-of-month is `?` or a marker."""
    months: frozenset[int]
    days_of_week: frozenset[int]
    """1 = SUN to 7 = SAT; empty when day-of-week is `?` or a marker. A bare `L` is 7."""
    years: frozenset[int]
    day_marker: DayMarker | None = None


@dataclass(frozen=True)
class ScheduleExpression:
    kind: str
    """rate, cron or at"""
    text: str
    rate_seconds: int | None = None
    """For a rate: the interval between runs."""
    cron_fields: tuple[str, ...] = ()
    """For a cron: the six fields as written."""
    at: datetime | None = None
    cron: CronSchedule | None = None
    """For a cron: the fields parsed."""


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


def runs_per_month(expression: ScheduleExpression, days: int = 30, *, now: date | None = None) -> float:
    """How many times the schedule fires in a month of `days` days.

    A day-of-month set counts its share of a 31-day month and a day-of-week set its
    share of a week, so both scale to `days`; a day picked by L, W or # counts once a
    month. A cron whose years all lie before `now` (default: today) counts 0.
    An `at` counts its one run: check `kind` to price it once rather than monthly.
    """
    if expression.kind == "rate" and expression.rate_seconds is not None:
        return days * 86_400 / expression.rate_seconds
    if expression.kind == "cron" and expression.cron is not None:
        return _cron_runs_per_month(expression.cron, days, (now or date.today()).year)
    if expression.kind == "at":
        return 1.0
    raise ValueError(f"{expression.text!r} was not made by parse()")


def _cron_runs_per_month(cron: CronSchedule, days: int, this_year: int) -> float:
    if max(cron.years) < this_year:
        return 0.0
    if cron.day_marker is not None:
        days_run = 1.0
    elif cron.day_field == "day-of-month":
        days_run = len(cron.days_of_month) * days / 31
    else:
        days_run = len(cron.days_of_week) * days / 7
    return len(cron.minutes) * len(cron.hours) * days_run * len(cron.months) / 12


# --- rate ---------------------------------------------------------------------------


def _parse_rate(text: str) -> ScheduleExpression:
    match = _RATE.match(text)
    if not match:
        raise ScheduleExpressionError(
            f"{text!r} is not a rate expression; write rate(<whole number> <minute(s)|hour(s)|day(s)>)"
        )
    digits = match["value"].lstrip("0") or "0"
    if len(digits) > _MAX_RATE_DIGITS:
        raise ScheduleExpressionError(f"{text!r}: a rate of {len(digits)} digits is longer than any schedule can run")
    value, unit = int(digits), match["unit"]
    if value < 1:
        raise ScheduleExpressionError(f"{text!r}: the rate must be at least 1")
    singular = unit.rstrip("s")
    expected = singular if value == 1 else singular + "s"
    if unit != expected:
        raise ScheduleExpressionError(f"{text!r}: AWS requires rate({value} {expected}) (singular for 1, else plural)")
    return ScheduleExpression("rate", text, rate_seconds=value * _UNIT_SECONDS[singular])


# --- cron ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Field:
    name: str
    low: int
    high: int
    wildcards: str
    names: dict[str, int]
    wraps: bool = True

    @property
    def allowed(self) -> str:
        values = f"{self.low}-{self.high}"
        if self.names:
            first, *_, last = self.names
            values += f" or {first}-{last}"
        return f"{values}, with {' '.join(self.wildcards)}"

    def fail(self, text: str, field: str, problem: str) -> NoReturn:
        raise ScheduleExpressionError(f"{text!r}: the {self.name} field {field!r}: {problem} (allowed: {self.allowed})")


_MINUTES = _Field("minutes", 0, 59, ",-*/", {})
_HOURS = _Field("hours", 0, 23, ",-*/", {})
_DAY_OF_MONTH = _Field("day-of-month", 1, 31, ",-*?/LW", {})
_MONTH = _Field("month", 1, 12, ",-*/", _MONTH_NAMES)
_DAY_OF_WEEK = _Field("day-of-week", 1, 7, ",-*?L#", _DAY_NAMES)
# A range of years running backwards has no next year to wrap to.
_YEAR = _Field("year", 1970, 2199, ",-*/", {}, wraps=False)
_FIELDS = (_MINUTES, _HOURS, _DAY_OF_MONTH, _MONTH, _DAY_OF_WEEK, _YEAR)


def _parse_cron(text: str) -> ScheduleExpression:
    match = _CRON.match(text)
    fields = tuple(match["fields"].split()) if match else ()
    if len(fields) != len(_FIELDS):
        raise ScheduleExpressionError(
            f"{text!r}: a cron expression has six fields ({' '.join(f.name for f in _FIELDS)}), found {len(fields)}"
        )
    minutes, hours, day_of_month, month, day_of_week, year = fields
    if (day_of_month == "?") == (day_of_week == "?"):
        raise ScheduleExpressionError(
            f"{text!r}: exactly one of day-of-month ({day_of_month}) and day-of-week ({day_of_week}) must be '?'"
        )
    days_of_month = _days(text, _DAY_OF_MONTH, day_of_month)
    days_of_week = _days(text, _DAY_OF_WEEK, day_of_week)
    marker = days_of_month if isinstance(days_of_month, DayMarker) else days_of_week
    cron = CronSchedule(
        minutes=_values(text, _MINUTES, minutes),
        hours=_values(text, _HOURS, hours),
        day_field="day-of-week" if day_of_month == "?" else "day-of-month",
        days_of_month=days_of_month if isinstance(days_of_month, frozenset) else frozenset(),
        months=_values(text, _MONTH, month),
        days_of_week=days_of_week if isinstance(days_of_week, frozenset) else frozenset(),
        years=_values(text, _YEAR, year),
        day_marker=marker if isinstance(marker, DayMarker) else None,
    )
    return ScheduleExpression("cron", text, cron_fields=fields, cron=cron)


def _check_characters(text: str, spec: _Field, field: str) -> None:
    for char in field.upper():
        named = bool(spec.names) and char.isalpha()
        if not char.isascii() or not (char.isdigit() or char in spec.wildcards or named):
            spec.fail(text, field, f"{char!r} is not allowed here")


def _days(text: str, spec: _Field, field: str) -> frozenset[int] | DayMarker | None:
    """A day field: the values it matches, its L/W/# marker, or None for `?`."""
    _check_characters(text, spec, field)
    upper = field.upper()
    if upper == "?":
        return None
    items = upper.split(",")
    markers = [item for item in items if _is_marker(spec, item)]
    if not markers:
        return _values(text, spec, field)
    if len(items) > 1:
        # AWS documents this for # ("3#1,6#3" is read as two expressions); L and W
        # each name one day, so a list around them is refused the same way.
        spec.fail(text, field, f"{markers[0]} must be the field's only expression, not part of a list")
    return _marker(text, spec, field, upper)


def _is_marker(spec: _Field, item: str) -> bool:
    if spec is _DAY_OF_MONTH:
        return _DAY_OF_MONTH_MARKER.fullmatch(item) is not None
    return item == "L" or _DAY_OF_WEEK_MARKER.fullmatch(item) is not None


def _marker(text: str, spec: _Field, field: str, item: str) -> frozenset[int] | DayMarker:
    if spec is _DAY_OF_MONTH:
        match = _DAY_OF_MONTH_MARKER.fullmatch(item)
        assert match is not None
        if match["last"]:
            return DayMarker("last-weekday" if match["weekday"] else "last-day")
        return DayMarker("nearest-weekday", day=_value(text, spec, field, match["day"]))
    if item == "L":
        # "The L wildcard ... specifies the last day of the month or week": every Saturday.
        return frozenset({spec.high})
    match = _DAY_OF_WEEK_MARKER.fullmatch(item)
    assert match is not None
    day = _value(text, spec, field, match["day"])
    if match["last"]:
        return DayMarker("last-of-weekday", day=day)
    nth = int(match["nth"]) if len(match["nth"]) <= _MAX_DIGITS else 0
    if not 1 <= nth <= 5:
        spec.fail(text, field, f"#{match['nth']}: a month has a 1st to 5th of a weekday, so # takes 1-5")
    return DayMarker("nth-of-weekday", day=day, nth=nth)


def _values(text: str, spec: _Field, field: str) -> frozenset[int]:
    _check_characters(text, spec, field)
    if "?" in field:
        spec.fail(text, field, "'?' must be the whole field")
    values: set[int] = set()
    for item in field.upper().split(","):
        values.update(_item(text, spec, field, item))
    return frozenset(values)


def _item(text: str, spec: _Field, field: str, item: str) -> list[int]:
    if not item:
        spec.fail(text, field, "an empty item in the list")
    match = _ITEM.fullmatch(item)
    if not match:
        spec.fail(text, field, f"{item!r} is not a value, a range low-high or a step /n")
    if match["start"] == "*":
        if match["end"] is not None:
            spec.fail(text, field, f"{item!r}: * is every value, not the start of a range")
        start, end = spec.low, spec.high
    else:
        start = _value(text, spec, field, match["start"])
        if match["end"] is not None:
            end = _value(text, spec, field, match["end"])
            if end < start and not spec.wraps:
                spec.fail(text, field, f"{item!r} runs backwards; write the lower year first")
        else:
            # A value with a step runs to the top of the field: 5/15 in minutes is 5, 20, 35, 50.
            end = start if match["step"] is None else spec.high
    step = 1 if match["step"] is None else _step(text, spec, field, match["step"])
    return _walk(spec, start, end, step)


def _step(text: str, spec: _Field, field: str, step_text: str) -> int:
    span = spec.high - spec.low
    step = int(step_text) if len(step_text) <= _MAX_DIGITS else span + 1
    if step < 1:
        spec.fail(text, field, f"the step /{step_text} must be at least 1")
    if step > span:
        spec.fail(text, field, f"a step of {step_text} never reaches a second value; use 1-{span}")
    return step


def _value(text: str, spec: _Field, field: str, token: str) -> int:
    if token.isascii() and token.isdigit():
        number = int(token) if len(token) <= _MAX_DIGITS else spec.high + 1
        if not spec.low <= number <= spec.high:
            spec.fail(text, field, f"{token} is out of range")
        return number
    if token in spec.names:
        return spec.names[token]
    kind = {"month": "a month", "day-of-week": "a day of the week"}.get(spec.name, "a number")
    spec.fail(text, field, f"{token} is not {kind}")


def _walk(spec: _Field, start: int, end: int, step: int) -> list[int]:
    """start, start+step, ... up to end, wrapping past the top of the field when end < start."""
    size = spec.high - spec.low + 1
    count = (end - start) % size + 1
    return [spec.low + (start - spec.low + offset) % size for offset in range(0, count, step)]


# --- at -----------------------------------------------------------------------------


def _parse_at(text: str) -> ScheduleExpression:
    match = _AT.match(text)
    when_text = match["when"] if match else ""
    if not _AT_WHEN.match(when_text):
        raise ScheduleExpressionError(f"{text!r}: a one-time schedule is at(yyyy-mm-ddThh:mm:ss)")
    try:
        when = datetime.strptime(when_text, "%Y-%m-%dT%H:%M:%S")
    except ValueError:
        raise ScheduleExpressionError(
            f"{text!r}: {when_text} is not a real date and time; a one-time schedule is at(yyyy-mm-ddThh:mm:ss)"
        ) from None
    return ScheduleExpression("at", text, at=when)
