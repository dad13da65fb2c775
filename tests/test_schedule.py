"""Schedule expressions checked as EventBridge Scheduler checks them, and counted per month."""

from __future__ import annotations

import math
import random
import re
from datetime import date, datetime

import pytest

from serverless_workflows.asl.schedule import (
    DayMarker,
    ScheduleExpression,
    ScheduleExpressionError,
    parse,
    runs_per_month,
)
from serverless_workflows.workflow import ScheduleArgs, Workflow, WorkflowArgs
from tests.support import Declare
from workflows import cost
from workflows.catalogue import SCHEDULED

NOW = date(2026, 6, 15)


def cron_of(expression: str) -> ScheduleExpression:
    parsed = parse(expression)
    assert parsed.kind == "cron"
    assert parsed.cron is not None
    return parsed


# --- the messages the stack config tests match ----------------------------------------


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("  ", r"is not a rate\(\.\.\.\), cron\(\.\.\.\) or at\(\.\.\.\) expression"),
        ("rate(1 minutes)", r"AWS requires rate\(1 minute\) \(singular for 1, else plural\)"),
        ("rate(5 minute)", r"AWS requires rate\(5 minutes\)"),
        ("rate(0 minutes)", r"the rate must be at least 1"),
        ("rate(1 second)", r"is not a rate expression"),
        ("cron(0 9 * * *)", r"six fields .* found 5"),
        ("cron(0 9 * * MON *)", r"exactly one of day-of-month \(\*\) and day-of-week \(MON\)"),
        ("cron(0 9 ? * ? *)", r"exactly one of day-of-month \(\?\) and day-of-week \(\?\)"),
        ("at(2030-01-31 09:00)", r"a one-time schedule is at\(yyyy-mm-ddThh:mm:ss\)"),
    ],
)
def test_the_messages_other_modules_match_are_kept(expression: str, message: str) -> None:
    with pytest.raises(ScheduleExpressionError, match=message):
        parse(expression)


# --- what AWS rejects is rejected, naming the field, the fault and what is allowed -----


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        # The three from the issue.
        ("cron(61 25 ? * MON *)", r"the minutes field '61': 61 is out of range \(allowed: 0-59, with , - \* /\)"),
        ("cron(0 25 ? * MON *)", r"the hours field '25': 25 is out of range \(allowed: 0-23"),
        ("cron(0 12 ? * FOO *)", r"day-of-week field 'FOO': FOO is not a day of the week \(allowed: 1-7 or SUN-SAT"),
        ("cron(0/0 * ? * * *)", r"the minutes field '0/0': the step /0 must be at least 1"),
        # Ranges of every field.
        ("cron(0 0 0 * ? *)", r"day-of-month field '0': 0 is out of range \(allowed: 1-31"),
        ("cron(0 0 32 * ? *)", r"day-of-month field '32': 32 is out of range"),
        ("cron(0 0 1 13 ? *)", r"month field '13': 13 is out of range \(allowed: 1-12 or JAN-DEC"),
        ("cron(0 0 1 JANUARY ? *)", r"month field 'JANUARY': JANUARY is not a month"),
        ("cron(0 0 ? * 0 *)", r"day-of-week field '0': 0 is out of range"),
        ("cron(0 0 ? * 8 *)", r"day-of-week field '8': 8 is out of range"),
        ("cron(0 0 * * ? 1969)", r"year field '1969': 1969 is out of range \(allowed: 1970-2199"),
        ("cron(0 0 * * ? 2200)", r"year field '2200': 2200 is out of range"),
        ("cron(0 0 * * ? 99999999999999999999)", r"year field .*: 99999999999999999999 is out of range"),
        ("cron(0 0 * * ? 2030-2020)", r"year field '2030-2020': '2030-2020' runs backwards"),
        # Wildcards where the reference does not list them.
        ("cron(? 0 * * ? *)", r"the minutes field '\?': '\?' is not allowed here"),
        ("cron(0 0 ? * 1/2 *)", r"day-of-week field '1/2': '/' is not allowed here"),
        ("cron(0 0 * * ? 2030#1)", r"year field '2030#1': '#' is not allowed here"),
        ("cron(0 L * * ? *)", r"hours field 'L': 'L' is not allowed here"),
        ("cron(0 0 ? * 2W *)", r"day-of-week field '2W': 2W is not a day of the week"),
        ("cron(0 0 1# * ? *)", r"day-of-month field '1#': '#' is not allowed here"),
        ("cron(0 0 ?,1 * ? *)", r"day-of-month field '\?,1': '\?' must be the whole field"),
        # Malformed items and steps.
        ("cron(1,,2 0 * * ? *)", r"minutes field '1,,2': an empty item in the list"),
        ("cron(*-5 0 * * ? *)", r"minutes field '\*-5': '\*-5': \* is every value, not the start of a range"),
        ("cron(1-2-3 0 * * ? *)", r"minutes field '1-2-3': '1-2-3' is not a value, a range low-high or a step /n"),
        ("cron(5/ 0 * * ? *)", r"minutes field '5/': '5/' is not a value"),
        ("cron(0/60 0 * * ? *)", r"minutes field '0/60': a step of 60 never reaches a second value; use 1-59"),
        ("cron(0 0 1/31 * ? *)", r"day-of-month field '1/31': a step of 31 never reaches"),
        # L, W and #.
        ("cron(0 0 ? * 3#1,6#3 *)", r"day-of-week field '3#1,6#3': 3#1 must be the field's only expression"),
        ("cron(0 0 ? * MON,2#1 *)", r"2#1 must be the field's only expression"),
        ("cron(0 0 L,15 * ? *)", r"day-of-month field 'L,15': L must be the field's only expression"),
        ("cron(0 0 ? * 2#0 *)", r"day-of-week field '2#0': #0: .* # takes 1-5"),
        ("cron(0 0 ? * 2#6 *)", r"#6: .* # takes 1-5"),
        ("cron(0 0 ? * 8#1 *)", r"day-of-week field '8#1': 8 is out of range"),
        ("cron(0 0 ? * FOO#1 *)", r"FOO is not a day of the week"),
        ("cron(0 0 ? * 9L *)", r"day-of-week field '9L': 9 is out of range"),
        ("cron(0 0 32W * ? *)", r"day-of-month field '32W': 32 is out of range"),
        ("cron(0 0 L-3 * ? *)", r"day-of-month field 'L-3': L is not a number"),
        # Digits from other scripts are not ASCII digits, whatever str.isdigit says.
        ("cron(\u0663 0 * * ? *)", r"minutes field '\u0663': '\u0663' is not allowed here"),
        ("rate(\u0665 minutes)", r"is not a rate expression"),
        ("rate(99999999999999 minutes)", r"a rate of 14 digits is longer than any schedule can run"),
        # at() is a real date-time written in full.
        ("at(2030-02-30T09:00:00)", r"2030-02-30T09:00:00 is not a real date and time"),
        ("at(2030-01-31T24:00:00)", r"is not a real date and time"),
        ("at(2030-1-5T9:0:0)", r"a one-time schedule is at\(yyyy-mm-ddThh:mm:ss\)"),
        ("at(2030-01-31T09:00)", r"a one-time schedule is at\(yyyy-mm-ddThh:mm:ss\)"),
    ],
)
def test_what_aws_rejects_is_refused_with_the_field_and_the_rule(expression: str, message: str) -> None:
    with pytest.raises(ScheduleExpressionError, match=message):
        parse(expression)


@pytest.mark.parametrize(
    "expression",
    [
        # The examples of the EventBridge cron and rate references.
        "cron(0 10 * * ? *)",
        "cron(15 12 * * ? *)",
        "cron(0 18 ? * MON-FRI *)",
        "cron(0 8 1 * ? *)",
        "cron(0/15 * * * ? *)",
        "cron(0/10 * ? * MON-FRI *)",
        "cron(0/5 8-17 ? * MON-FRI *)",
        "cron(0/30 20-2 ? * MON-FRI *)",
        "cron(0 12 * * ? *)",
        "cron(5,35 14 * * ? *)",
        "cron(15 10 ? * 6L 2019-2022)",
        "cron(0 9 ? * 3#2 *)",
        "cron(0 0 ? JAN,FEB,MAR * *)",
        "cron(0 0 1-15 * ? *)",
        "cron(1/10 * * * ? *)",
        "rate(1 minute)",
        "rate(5 minutes)",
        "rate(1 hour)",
        "rate(1 day)",
        # Edges of each field, names in any case, and the L/W/# forms.
        "cron(59 23 31 12 ? 2199)",
        "cron(0 0 1 1 ? 1970)",
        "cron(0 0 ? jan-mar mon-fri *)",
        "cron(0 0 L * ? *)",
        "cron(0 0 LW * ? *)",
        "cron(0 0 15W * ? *)",
        "cron(0 0 ? * L *)",
        "cron(0 0 ? * FRIL *)",
        "cron(0 0 ? * MON#2 *)",
        "cron(0 0 ? * 2#5 *)",
        "cron(0/59 */23 1/30 */11 ? 1970/229)",
        "at(2030-01-31T09:00:00)",
        "at(2028-02-29T23:59:59)",
    ],
)
def test_what_aws_documents_is_accepted(expression: str) -> None:
    assert parse(expression).text == expression


# --- the fields as values -----------------------------------------------------------------


def test_cron_fields_become_sets_of_values() -> None:
    cron = cron_of("cron(0/30 20-2 ? * MON-FRI 2026,2028-2029)").cron
    assert cron is not None
    assert cron.minutes == {0, 30}
    assert cron.hours == {20, 21, 22, 23, 0, 1, 2}  # 20-2 wraps past midnight, as the reference's example
    assert cron.day_field == "day-of-week"
    assert cron.days_of_week == {2, 3, 4, 5, 6}
    assert cron.days_of_month == frozenset()
    assert cron.months == set(range(1, 13))
    assert cron.years == {2026, 2028, 2029}
    assert cron.day_marker is None


@pytest.mark.parametrize(
    ("expression", "attribute", "expected"),
    [
        ("cron(5/20 * * * ? *)", "minutes", {5, 25, 45}),  # a start with a step runs to the top of the field
        ("cron(50-10/5 * * * ? *)", "minutes", {50, 55, 0, 5, 10}),
        ("cron(0 */6 * * ? *)", "hours", {0, 6, 12, 18}),
        ("cron(0 0 28-3 * ? *)", "days_of_month", {28, 29, 30, 31, 1, 2, 3}),
        ("cron(0 0 1 NOV-FEB ? *)", "months", {11, 12, 1, 2}),
        ("cron(0 0 1 JAN/4 ? *)", "months", {1, 5, 9}),
        ("cron(0 0 ? * FRI-MON *)", "days_of_week", {6, 7, 1, 2}),
        ("cron(0 0 ? * L *)", "days_of_week", {7}),  # the last day of the week: Saturday
        ("cron(0 0 * * ? 2190/5)", "years", {2190, 2195}),
    ],
)
def test_ranges_steps_and_wrapping(expression: str, attribute: str, expected: set[int]) -> None:
    assert getattr(cron_of(expression).cron, attribute) == expected


@pytest.mark.parametrize(
    ("expression", "marker"),
    [
        ("cron(0 0 L * ? *)", DayMarker("last-day")),
        ("cron(0 0 lw * ? *)", DayMarker("last-weekday")),
        ("cron(0 0 15W * ? *)", DayMarker("nearest-weekday", day=15)),
        ("cron(0 0 ? * 6L *)", DayMarker("last-of-weekday", day=6)),
        ("cron(0 0 ? * FRIL *)", DayMarker("last-of-weekday", day=6)),
        ("cron(0 0 ? * 3#2 *)", DayMarker("nth-of-weekday", day=3, nth=2)),
        ("cron(0 0 ? * mon#1 *)", DayMarker("nth-of-weekday", day=2, nth=1)),
    ],
)
def test_l_w_and_hash_become_markers(expression: str, marker: DayMarker) -> None:
    cron = cron_of(expression).cron
    assert cron is not None
    assert cron.day_marker == marker
    assert cron.days_of_month == cron.days_of_week == frozenset()


def test_other_modules_keep_kind_text_rate_seconds_at_and_cron_fields() -> None:
    assert parse(" rate(2 hours) ") == ScheduleExpression("rate", "rate(2 hours)", rate_seconds=7200)
    at = parse("at(2030-01-31T09:00:00)")
    assert (at.kind, at.at) == ("at", datetime(2030, 1, 31, 9))
    assert cron_of("cron(0  9 ? * mon-fri *)").cron_fields == ("0", "9", "?", "*", "mon-fri", "*")


# --- runs per month -------------------------------------------------------------------------


# The numbers of test_cost.py's test_executions_per_month.
COST_CASES = [
    ("rate(1 minute)", 43_200),
    ("rate(5 minutes)", 8_640),
    ("rate(2 hours)", 360),
    ("rate(1 day)", 30),
    ("cron(0/15 * * * ? *)", 2_880),
    ("cron(0 9 ? * MON-FRI *)", 5 * 30 / 7),
    ("cron(30 8,17 1 * ? *)", 2 * 30 / 31),
    ("cron(0 0 ? JAN-MAR MON *)", 30 / 7 * 3 / 12),
    ("at(2030-01-31T09:00:00)", 1),
]


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        *COST_CASES,
        # L, W and # pick one day a month.
        ("cron(0 0 L * ? *)", 1),
        ("cron(0 0 LW * ? *)", 1),
        ("cron(0 8,20 15W * ? *)", 2),
        ("cron(0 0 ? * 6L *)", 1),
        ("cron(0 0 ? JAN,JUL 3#2 *)", 2 / 12),
        ("cron(0 0 ? * L *)", 30 / 7),  # every Saturday, not one day a month
        ("cron(0/30 20-2 ? * MON-FRI *)", 14 * 5 * 30 / 7),
    ],
)
def test_runs_per_month(expression: str, expected: float) -> None:
    assert runs_per_month(parse(expression), now=NOW) == pytest.approx(expected)


@pytest.mark.parametrize("expression", [expression for expression, _ in COST_CASES])
def test_runs_per_month_agrees_with_today_s_cost_model(expression: str) -> None:
    assert runs_per_month(parse(expression), now=NOW) == pytest.approx(cost.executions_per_month(expression))


def test_runs_per_month_scales_with_the_month() -> None:
    assert runs_per_month(parse("rate(1 day)"), days=31) == 31
    assert runs_per_month(parse("cron(0 0 * * ? *)"), days=28, now=NOW) == pytest.approx(28)
    assert runs_per_month(parse("cron(0 0 ? * MON *)"), days=28, now=NOW) == pytest.approx(4)
    assert runs_per_month(parse("cron(0 0 L * ? *)"), days=28, now=NOW) == 1


def test_a_year_field_that_has_passed_counts_nothing() -> None:
    last_friday_to_2022 = parse("cron(15 10 ? * 6L 2019-2022)")
    assert runs_per_month(last_friday_to_2022, now=date(2022, 12, 31)) == 1
    assert runs_per_month(last_friday_to_2022, now=date(2023, 1, 1)) == 0
    assert runs_per_month(parse("cron(0 9 * * ? 2030)"), now=NOW) == pytest.approx(30)  # runs later: priced as it runs
    assert runs_per_month(parse("cron(0 9 * * ? 1970-2000)")) == 0  # default now: today


def test_a_one_time_schedule_says_so() -> None:
    once = parse("at(2030-01-31T09:00:00)")
    assert once.kind == "at"
    assert runs_per_month(once) == 1


# --- property-style: generated expressions, seeded ------------------------------------------

# name, low, high, month/day names, takes a step, wraps
FIELDS = [
    ("minutes", 0, 59, [], True, True),
    ("hours", 0, 23, [], True, True),
    ("day-of-month", 1, 31, [], True, True),
    ("month", 1, 12, ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"], True, True),
    ("day-of-week", 1, 7, ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"], False, True),
    ("year", 1970, 2199, [], True, False),
]
Field = tuple[str, int, int, list[str], bool, bool]


def expected_run(field: Field, start: int, end: int, step: int) -> set[int]:
    """Count forward from start to end one value at a time, wrapping at the top, keeping every step-th."""
    _, low, high, _, _, _ = field
    kept, value, index = set(), start, 0
    while True:
        if index % step == 0:
            kept.add(value)
        if value == end:
            return kept
        value = low if value == high else value + 1
        index += 1


def value_text(rng: random.Random, field: Field, value: int) -> str:
    names = field[3]
    if names and rng.random() < 0.4:
        name = names[value - field[1]]
        return rng.choice([name, name.lower(), name.title()])
    return str(value)


def edge_value(rng: random.Random, field: Field) -> int:
    low, high = field[1], field[2]
    return rng.choice([low, high, low + 1, high - 1, rng.randint(low, high)])


def valid_item(rng: random.Random, field: Field) -> tuple[str, set[int]]:
    _, low, high, _, takes_step, wraps = field
    form = rng.choice(["*", "value", "range", "*/", "value/", "range/"] if takes_step else ["*", "value", "range"])
    step = rng.randint(1, high - low)
    start, end = edge_value(rng, field), edge_value(rng, field)
    if not wraps:
        start, end = min(start, end), max(start, end)
    if form == "*":
        return "*", set(range(low, high + 1))
    if form == "value":
        return value_text(rng, field, start), {start}
    if form == "*/":
        return f"*/{step}", expected_run(field, low, high, step)
    if form == "value/":
        return f"{value_text(rng, field, start)}/{step}", expected_run(field, start, high, step)
    text = f"{value_text(rng, field, start)}-{value_text(rng, field, end)}"
    if form == "range":
        return text, expected_run(field, start, end, 1)
    return f"{text}/{step}", expected_run(field, start, end, step)


def valid_field(rng: random.Random, field: Field) -> tuple[str, set[int]]:
    texts, values = [], set()
    for _ in range(rng.choice([1, 1, 2, 3])):
        text, matched = valid_item(rng, field)
        texts.append(text)
        values |= matched
    return ",".join(texts), values


def valid_marker(rng: random.Random, day_field: Field) -> tuple[str, DayMarker | set[int]]:
    choices: list[tuple[str, DayMarker | set[int]]]
    if day_field[0] == "day-of-month":
        day = rng.randint(1, 31)
        choices = [("L", DayMarker("last-day")), ("LW", DayMarker("last-weekday")),
                   (f"{day}W", DayMarker("nearest-weekday", day=day))]  # fmt: skip
    else:
        day, nth = rng.randint(1, 7), rng.randint(1, 5)
        weekday = value_text(rng, day_field, day)
        choices = [("L", {7}), (f"{weekday}L", DayMarker("last-of-weekday", day=day)),
                   (f"{weekday}#{nth}", DayMarker("nth-of-weekday", day=day, nth=nth))]  # fmt: skip
    return rng.choice(choices)


def valid_cron(rng: random.Random) -> tuple[list[str], dict[str, object]]:
    texts: list[str] = []
    expected: dict[str, object] = {}
    day_field = rng.choice(["day-of-month", "day-of-week"])
    for field in FIELDS:
        name = field[0]
        if name in ("day-of-month", "day-of-week") and name != day_field:
            texts.append("?")
            expected[name] = set()
        elif name == day_field and rng.random() < 0.25:
            text, marker = valid_marker(rng, field)
            texts.append(text)
            expected[name] = marker
        else:
            text, values = valid_field(rng, field)
            texts.append(text)
            expected[name] = values
    return texts, expected


ATTRIBUTES = {"minutes": "minutes", "hours": "hours", "day-of-month": "days_of_month", "month": "months",
              "day-of-week": "days_of_week", "year": "years"}  # fmt: skip


def test_generated_valid_crons_parse_to_the_values_they_name() -> None:
    rng = random.Random(11)
    for _ in range(3_000):
        texts, expected = valid_cron(rng)
        expression = f"cron({' '.join(texts)})"
        cron = cron_of(expression).cron
        assert cron is not None
        for name, attribute in ATTRIBUTES.items():
            want = expected[name]
            if isinstance(want, DayMarker):
                assert cron.day_marker == want, expression
            else:
                assert getattr(cron, attribute) == want, (expression, name)
        runs = runs_per_month(parse(expression), now=NOW)
        assert math.isfinite(runs), expression
        assert runs >= 0, expression


def invalid_piece(rng: random.Random, field: Field) -> str:
    """Something the reference's table rules out for this field, or (L or W in a list) this module refuses."""
    name, low, high, names, takes_step, wraps = field
    pieces = [str(high + 1), str(high + rng.randint(2, 10_000)), "1" * rng.randint(5, 40), "1,", ",1",
              "*-1", "1--2", "JANUARY" if names else "A", f"{low}-", "-1", "1/2/3", "?,1", "#", "L-1"]  # fmt: skip
    if low > 0:
        pieces.append(str(low - 1))
    if takes_step:
        pieces += [f"*/{high - low + 1}", "*/0", f"{low}/0", f"{low}/"]
    else:
        pieces += ["*/1", f"{low}/2"]
    if not wraps:
        pieces.append(f"{high}-{low}")
    if name not in ("day-of-month", "day-of-week"):
        pieces += ["?", "L", "1#1", "5W"]
    if name == "day-of-month":
        pieces += ["1#1", "0W", "32W", "L,1", "15W,16", "LW-1", "W"]
    if name == "day-of-week":
        pieces += ["2#0", "2#6", "3#1,6#3", "MON,2#1", "0L", "8#1", "L,1", "2W", "MON/2"]
    return rng.choice(pieces)


def test_generated_invalid_fields_are_refused_naming_the_field() -> None:
    rng = random.Random(12)
    for _ in range(3_000):
        texts, _ = valid_cron(rng)
        index = rng.randrange(len(FIELDS))
        if texts[index] == "?":
            continue  # the ? rule would speak first; it has its own tests
        field = FIELDS[index]
        texts[index] = invalid_piece(rng, field)
        expression = f"cron({' '.join(texts)})"
        with pytest.raises(ScheduleExpressionError, match=rf"the {field[0]} field "):
            parse(expression)


TOKENS = ["0", "1", "7", "12", "23", "24", "31", "32", "59", "60", "1969", "1970", "2199", "2200", "99999",
          "0" * 30, "9" * 5000, "-1", "*", "?", "/", "/0", "/1", ",", "-", "#", "#0", "#5", "#6", "L", "W", "LW",
          "JAN", "dec", "FOO", "MON", "sat", "SUNDAY", "\u0663", "\u00b2", " ", "\t", "(", ")", "T", ":",
          "."]  # fmt: skip
EDITS = "0123456789*?/,-#LW ()\u0663"


def edited(rng: random.Random, text: str) -> str:
    """Up to two characters deleted, replaced or inserted: the text itself or a near-miss of it."""
    chars = list(text)
    for _ in range(rng.randint(0, 2)):
        at = rng.randrange(len(chars) + 1)
        action = rng.choice(["delete", "replace", "insert"])
        if action == "insert" or at == len(chars):
            chars.insert(at, rng.choice(EDITS))
        elif action == "delete":
            del chars[at]
        else:
            chars[at] = rng.choice(EDITS)
    return "".join(chars)


def random_expression(rng: random.Random) -> str:
    shape = rng.random()
    if shape < 0.35:
        texts, _ = valid_cron(rng)
        return edited(rng, f"cron({' '.join(texts)})")
    if shape < 0.55:
        fields = ["".join(rng.choice(TOKENS) for _ in range(rng.randint(1, 4))) for _ in range(rng.randint(4, 7))]
        return f"cron({' '.join(fields)})"
    if shape < 0.7:
        value = rng.choice(["0", "1", "01", "2", "60", "-1", "1.5", "", "9" * 13, "9" * 5000, "\u0665"])
        unit = rng.choice(["minute", "minutes", "hour", "hours", "day", "days", "second", "weeks", "MINUTES", ""])
        return f"rate({value}{rng.choice([' ', '  ', ''])}{unit})"
    if shape < 0.85:
        parts = [rng.choice(["2030", "0000", "1", "99999", "2028"]), rng.choice(["01", "02", "13", "00", "1"]),
                 rng.choice(["01", "29", "30", "31", "32", "00"]), rng.choice(["00", "23", "24", "9"]),
                 rng.choice(["00", "59", "60"]), rng.choice(["00", "59", "60", "5"])]  # fmt: skip
        return "at({}-{}-{}T{}:{}:{})".format(*parts)
    garbage = "".join(rng.choice("cronateat()0123456789*?/,-#LWJANMONFRI \t\u0663") for _ in range(rng.randint(0, 40)))
    return rng.choice(["cron(", "rate(", "at(", ""]) + garbage + rng.choice([")", ""])


RANGES = {"minutes": (0, 59), "hours": (0, 23), "days_of_month": (1, 31), "months": (1, 12),
          "days_of_week": (1, 7), "years": (1970, 2199)}  # fmt: skip


def test_anything_either_parses_or_raises_schedule_expression_error() -> None:
    rng = random.Random(13)
    accepted = 0
    for _ in range(10_000):
        expression = random_expression(rng)
        try:
            parsed = parse(expression)
        except ScheduleExpressionError:
            continue  # any other exception fails the test
        accepted += 1
        runs = runs_per_month(parsed, now=NOW)
        assert math.isfinite(runs), expression
        assert runs >= 0, expression
        assert math.isfinite(cost.executions_per_month(expression)), expression  # today's cost model survives it
        if parsed.kind == "cron":
            cron = parsed.cron
            assert cron is not None
            for attribute, (low, high) in RANGES.items():
                assert all(low <= v <= high for v in getattr(cron, attribute)), (expression, attribute)
            assert all((cron.minutes, cron.hours, cron.months, cron.years)), expression
            assert bool(cron.days_of_month) + bool(cron.days_of_week) + (cron.day_marker is not None) == 1
    # Enough get past every check that runs_per_month and the invariants are really exercised.
    assert accepted > 1_000


def test_the_issue_s_crashing_step_no_longer_reaches_the_cost_model() -> None:
    with pytest.raises(ScheduleExpressionError, match=re.escape("the step /0 must be at least 1")):
        cost.executions_per_month("cron(0/0 * ? * * *)")


def test_the_schedule_sends_the_expression_it_checked(declare: Declare) -> None:
    # parse() strips the spaces a catalogue entry may carry; EventBridge must get what passed the check.
    schedule = ScheduleArgs(expression="  cron(0 8 * * ? *)\n")
    args = WorkflowArgs(
        state_machine_name="timed-flow", definition_file=str(SCHEDULED.definition_path), schedule=schedule
    )
    run = declare(lambda: Workflow("timed", args))
    assert run.named("timed-schedule").inputs["scheduleExpression"] == "cron(0 8 * * ? *)"
