"""Config values at the edges: each is refused in one line naming the key, the value, what is
allowed and the command that fixes it, or read the way the Pulumi CLI hands it to the program.

These tests read settings only (no program run): `StackSettings.from_config` for the values the
CLI passes, `StackSettings.from_stack_file` for a stack file `python -m ops cost` reads itself.
"""

from __future__ import annotations

import contextvars
import dataclasses
import json
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest

import settings
import stack_files
from serverless_workflows.alarm_thresholds import ResolvedThreshold, ResolvedThresholds
from serverless_workflows.asl.execution_input import MAX_INPUT_BYTES
from settings import ALARM_THRESHOLD_NAMES, StackSettings
from stack_files import ConfigError
from tests.conftest import RECURSION_LIMIT
from tests.support import Declare, tool_environment, with_config
from workflows.catalogue import CATALOGUE, SCHEDULED

PROJECT = "serverless-workflows"


def read(config: dict[str, str]) -> StackSettings:
    return StackSettings.from_config(config, "dev", CATALOGUE)


def refused(config: dict[str, str]) -> str:
    """The one-line message a config is refused with."""
    with pytest.raises(ConfigError) as error:
        read(config)
    message = str(error.value)
    assert "\n" not in message
    assert "--stack dev" in message
    return message


def scheduled_payload(config: dict[str, str]) -> object:
    schedule = read(config).workflow(SCHEDULED).schedule
    assert schedule is not None
    return schedule.payload


# --- schedule payloads: JSON a schedule can carry ----------------------------------------------


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("schedulePayload", '{"Payload": 1e999}'),
        ("schedulePayload", '{"Payload": [1, {"deep": -1E+400}]}'),
        ("workflows", '{"scheduled": {"schedulePayload": {"Payload": -1e400}}}'),
    ],
)
def test_a_number_too_large_for_json_is_refused_not_deployed_as_infinity(key: str, value: str) -> None:
    message = refused(with_config(**{key: value}))
    assert f"Config {PROJECT}:{key} = " in message
    assert re.search(r"it must be a JSON object \(no NaN or Infinity\): -?1[eE]\+?[94]\d\d is too large", message)


def test_large_but_finite_numbers_are_kept() -> None:
    assert scheduled_payload(with_config(schedulePayload='{"Payload": 1.5e308, "n": -2e-308}')) == {
        "Payload": 1.5e308,
        "n": -2e-308,
    }


def _payload_of_size(size: int) -> str:
    """A payload whose deployed text is `size` bytes."""
    return json.dumps({"Payload": "x" * (size - len('{"Payload": ""}'))})


def test_a_payload_of_256_kib_is_accepted() -> None:
    payload = scheduled_payload(with_config(schedulePayload=_payload_of_size(MAX_INPUT_BYTES)))
    assert isinstance(payload, dict)
    assert len(json.dumps(payload)) == 262_144


@pytest.mark.parametrize(
    ("key", "payload", "size"),
    [
        ("schedulePayload", _payload_of_size(262_145), "262,145"),
        # 100 KB as UTF-8, but deployed escaped (\u00e9, 6 bytes each): the deployed text counts.
        ("schedulePayload", json.dumps({"Payload": "é" * 50_000}, ensure_ascii=False), "300,015"),
        ("schedulePayload", json.dumps({"Payload": "x" * 1_800_000}), "1,800,015"),
    ],
)
def test_a_payload_over_what_step_functions_takes_is_refused_with_its_size(key: str, payload: str, size: str) -> None:
    message = refused(with_config(**{key: payload}))
    assert f"it is {size} bytes as JSON; Step Functions accepts at most 262,144 (256 KiB) of input" in message
    assert 'pulumi config set schedulePayload \'{"Payload": "This is a test."}\' --stack dev' in message
    # The value is shown cut, so the message stays readable.
    assert len(message) < 1_000
    assert "characters) is not valid" in message


def test_a_per_workflow_payload_over_the_limit_is_refused() -> None:
    workflows = json.dumps({"scheduled": {"schedulePayload": {"Payload": "x" * 300_000}}})
    message = refused(with_config(workflows=workflows))
    assert f"Config {PROJECT}:workflows.scheduled.schedulePayload = " in message
    assert "it is 300,015 bytes" in message
    assert "pulumi config set --path 'workflows.scheduled.schedulePayload'" in message


# --- aws:allowedAccountIds -------------------------------------------------------------------


def _in_digits_of(zero: int) -> str:
    """123456789012 in the digits of another script, whose zero is the code point `zero`."""
    return "".join(chr(zero + int(digit)) for digit in "123456789012")


def with_aws(key: str, value: str) -> dict[str, str]:
    config = with_config()
    config[key] = value
    return config


@pytest.mark.parametrize(
    "value",
    [
        json.dumps([_in_digits_of(0xFF10)]),  # full-width digits
        json.dumps([_in_digits_of(0x0660)]),  # Arabic-Indic digits
        '["123456789012", "12345678901"]',
        "[true]",
        "[1.23456789012e11]",
        '"123456789012"',
        "[" * 100_000,
    ],
)
def test_account_ids_must_be_12_ascii_digits(value: str) -> None:
    message = refused(with_aws("aws:allowedAccountIds", value))
    assert "use a list of 12-digit account IDs (digits 0-9)" in message
    # The command sets the key the provider reads, aws:allowedAccountIds, not a project key.
    assert message.endswith(
        "Fix it with: pulumi config rm aws:allowedAccountIds --stack dev && "
        "pulumi config set --path 'aws:allowedAccountIds[0]' 123456789012 --stack dev"
    )


def test_account_ids_as_the_suggested_command_stores_them_are_accepted() -> None:
    # `pulumi config set --path 'aws:allowedAccountIds[0]' 123456789012` writes a YAML number, which
    # the CLI hands over as a JSON number; an ID with a leading zero stays a string.
    config = with_aws("aws:allowedAccountIds", '[123456789012, "012345678901"]')
    assert read(config).aws_allowed_account_ids == ("123456789012", "012345678901")


# --- aws:region ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "region",
    ["us-east-1", "eu-central-2", "us-gov-west-1", "cn-north-1", "ap-southeast-7", "mx-central-1", "il-central-1",
     "us-isob-east-1", "eu-isoe-west-1", "eusc-de-east-1"],
)  # fmt: skip
def test_regions_of_every_partition_are_accepted(region: str) -> None:
    assert read(with_aws("aws:region", region)).aws_region == region


@pytest.mark.parametrize(
    "region",
    ["", "nowhere-1", "US-EAST-1", "us-east-1 ", " us-east-1", "us-east-1\n", "us-east", "useast1", "us_east_1",
     "us-east-0", "us-east-\uff11", "a" * 500],
)  # fmt: skip
def test_a_region_not_of_the_aws_form_is_refused(region: str) -> None:
    message = refused(with_aws("aws:region", region))
    assert message.startswith("Config aws:region = ")
    assert "use an AWS region code, lowercase words and a number joined by '-', such as us-east-1" in message
    assert message.endswith("Fix it with: pulumi config set aws:region us-east-1 --stack dev")
    assert len(message) < 500


# --- scheduleTimezone ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "zone",
    ["UTC", "Europe/Paris", "America/Argentina/Buenos_Aires", "America/Port-au-Prince", "Etc/GMT+5", "Etc/UTC", "GMT"],
)
def test_iana_time_zones_are_accepted(zone: str) -> None:
    schedule = read(with_config(scheduleTimezone=zone)).workflow(SCHEDULED).schedule
    assert schedule is not None
    assert schedule.timezone == zone


@pytest.mark.parametrize(
    "zone",
    ["localtime", "Factory", "posixrules", "posix/Europe/Paris", "right/UTC", "europe/paris", "Europe/Paris ",
     "Mars/Olympus", ""],
)  # fmt: skip
@pytest.mark.parametrize("key", ["scheduleTimezone", "workflows.scheduled.scheduleTimezone"])
def test_names_that_are_not_zones_are_refused(key: str, zone: str) -> None:
    if key.startswith("workflows."):
        config = with_config(workflows=json.dumps({"scheduled": {"scheduleTimezone": zone}}))
    else:
        config = with_config(scheduleTimezone=zone)
    message = refused(config)
    assert f"Config {PROJECT}:{key} = {zone!r} is not valid: use an IANA time zone name such as UTC" in message


# --- stack files, as `python -m ops cost` reads them ---------------------------------------------

StackFile = Callable[[str], StackSettings]


@pytest.fixture
def stack_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> StackFile:
    """`stack_file(text)`: the settings of a stack `edge` whose Pulumi.edge.yaml is `text`."""
    (tmp_path / "Pulumi.yaml").write_text((stack_files.PROJECT_ROOT / "Pulumi.yaml").read_text())
    monkeypatch.setattr(stack_files, "PROJECT_ROOT", tmp_path)

    def _read(text: str) -> StackSettings:
        (tmp_path / "Pulumi.edge.yaml").write_text(text, encoding="utf-8")
        return StackSettings.from_stack_file("edge", CATALOGUE)

    return _read


def file_refused(stack_file: StackFile, text: str) -> str:
    with pytest.raises(ConfigError) as error:
        stack_file(text)
    message = str(error.value)
    assert "\n" not in message
    return message


@pytest.mark.parametrize(
    ("text", "kind"),
    [("- just a list\n", "list"), ("just text\n", "str"), ("42\n", "int"), ("[config]\n", "list")],
)
def test_a_stack_file_that_is_not_a_mapping_is_refused_naming_it(stack_file: StackFile, text: str, kind: str) -> None:
    message = file_refused(stack_file, text)
    assert message == (
        f"Pulumi.edge.yaml: the top level must be a mapping (config: and its keys, as in Pulumi.dev.yaml), not a {kind}"
    )


@pytest.mark.parametrize("text", ["config:\n  - logLevel: ERROR\n", "config: logLevel\n"])
def test_a_config_section_that_is_not_a_mapping_is_refused_naming_the_file(stack_file: StackFile, text: str) -> None:
    assert file_refused(stack_file, text).startswith("Pulumi.edge.yaml: `config:` must be a mapping")


@pytest.mark.parametrize("text", ["", "# nothing yet\n", "config:\n", "encryptionsalt: v1:abc\n"])
def test_a_stack_file_without_config_gives_the_defaults(stack_file: StackFile, text: str) -> None:
    assert stack_file(text) == StackSettings.from_config(stack_files.stack_config("edge"), "edge", CATALOGUE)
    assert stack_file(text).log_retention_days == 14


# YAML 1.1 (PyYAML) and the Pulumi CLI disagree on these scalars; the CLI hands the program the
# text as written, so a stack file must read the same for `ops cost` as for `pulumi up`.


def test_a_leading_zero_is_decimal_as_pulumi_reads_it_not_yaml_1_1_octal(stack_file: StackFile) -> None:
    assert stack_file("config:\n  serverless-workflows:logRetentionDays: 030\n").log_retention_days == 30


@pytest.mark.parametrize("word", ["yes", "no", "on", "off", "y", "n", "Yes", "NO"])
def test_yaml_1_1_booleans_are_strings_and_refused_as_pulumi_up_refuses_them(stack_file: StackFile, word: str) -> None:
    message = file_refused(stack_file, f"config:\n  serverless-workflows:scheduleEnabled: {word}\n")
    assert message.startswith(f"Config {PROJECT}:scheduleEnabled = {word!r} is not valid: use true or false.")
    assert message.endswith("Fix it with: pulumi config set scheduleEnabled true --stack edge")


def test_a_yaml_1_1_boolean_inside_an_object_is_a_string_too(stack_file: StackFile) -> None:
    text = "config:\n  serverless-workflows:workflows:\n    scheduled:\n      scheduleEnabled: off\n"
    message = file_refused(stack_file, text)
    assert message.startswith(f"Config {PROJECT}:workflows.scheduled.scheduleEnabled = 'off' is not valid")


@pytest.mark.parametrize(("word", "enabled"), [("true", True), ("True", True), ("TRUE", True), ("False", False)])
def test_yaml_1_2_booleans_in_any_case_are_read(stack_file: StackFile, word: str, enabled: bool) -> None:
    schedule = stack_file(f"config:\n  serverless-workflows:scheduleEnabled: {word}\n").workflow(SCHEDULED).schedule
    assert schedule is not None
    assert schedule.enabled is enabled


def test_scalars_in_a_payload_are_read_the_yaml_1_2_way(stack_file: StackFile) -> None:
    values = ["030", "0o17", "0x1F", "-7", "+8", "0b11", "1_000", "1:30", "yes", "On", "2030-01-31", "FALSE"]
    text = "config:\n  serverless-workflows:schedulePayload:\n" + "".join(
        f"    v{i}: {value}\n" for i, value in enumerate(values)
    )
    schedule = stack_file(text).workflow(SCHEDULED).schedule
    assert schedule is not None
    assert list(schedule.payload.values()) == [
        30, 15, 31, -7, 8, "0b11", "1_000", "1:30", "yes", "On", "2030-01-31", False,
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("config:\n  serverless-workflows:logRetentionDays: " + "1" * 5000 + "\n", "an integer of 5,000 digits"),
        # As deep as Python's default recursion limit, under which the unit tests run (as the program
        # does): PyYAML's composer takes at least one frame a level. No deeper, since its scanner slows
        # down sharply past 1,024 characters of open brackets.
        (
            "config:\n  serverless-workflows:schedulePayload: " + "[" * RECURSION_LIMIT + "\n",
            "it is nested too deeply",
        ),
    ],
)
def test_a_stack_file_python_cannot_hold_is_a_config_error_not_a_crash(
    stack_file: StackFile, text: str, problem: str
) -> None:
    message = file_refused(stack_file, text)
    assert message.startswith("Pulumi.edge.yaml cannot be read as YAML: ")
    assert problem in message


# --- encrypted values (`pulumi config set --secret`), which a stack file reader cannot decrypt -----

ENCRYPTED_EMAIL = "config:\n  serverless-workflows:alarmEmail:\n    secure: v1:AAABAHxkAbCdEfGh0123456789==\n"


def test_an_encrypted_alarm_email_is_set_but_unknown_not_checked_as_an_address(stack_file: StackFile) -> None:
    assert stack_file(ENCRYPTED_EMAIL).alarm_email == settings.ENCRYPTED


def test_an_encrypted_alarm_email_still_needs_alarms(stack_file: StackFile) -> None:
    message = file_refused(stack_file, ENCRYPTED_EMAIL + "  serverless-workflows:alarmsEnabled: false\n")
    assert "alarmEmail is set but alarmsEnabled is false" in message


@pytest.mark.parametrize(
    ("key", "short"),
    [("serverless-workflows:logLevel", "logLevel"), ("serverless-workflows:workflows", "workflows"),
     ("aws:region", "aws:region")],
)  # fmt: skip
def test_an_encrypted_value_the_reader_needs_is_refused_with_the_plaintext_command(
    stack_file: StackFile, key: str, short: str
) -> None:
    message = file_refused(stack_file, f"config:\n  {key}:\n    secure: v1:AAAB==\n")
    assert message.startswith(f"Config {key} is encrypted in Pulumi.edge.yaml, and the tools that read that file")
    assert "(only alarmEmail may be encrypted)" in message
    assert message.endswith(f"Fix it with: pulumi config set {short} VALUE --plaintext --stack edge")


def test_a_mapping_with_more_than_a_secure_key_is_plain_config(stack_file: StackFile) -> None:
    text = "config:\n  serverless-workflows:alarmEmail:\n    secure: v1:AAAB==\n    other: 1\n"
    assert "alarmEmail = " in file_refused(stack_file, text)


def test_values_from_the_cli_are_plaintext_whatever_they_look_like() -> None:
    # The CLI decrypts secrets before the program runs: from_config checks every value it gets.
    assert "is not valid: use one address" in refused(with_config(alarmEmail='{"secure": "v1:AAAB=="}'))


def test_ops_cost_prices_a_stack_with_an_encrypted_alarm_email(
    stack_file: StackFile, capsys: pytest.CaptureFixture[str]
) -> None:
    from ops.__main__ import main as ops_main

    stack_file(ENCRYPTED_EMAIL)
    assert ops_main(["--stack", "edge", "cost"]) == 0
    assert "scheduled" in capsys.readouterr().out


@pytest.mark.program
def test_the_rehearsal_runs_a_stack_with_an_encrypted_alarm_email_without_the_subscription(
    stack_file: StackFile,
) -> None:
    from rehearsal import fake_aws
    from rehearsal.program import run_program

    stack_file(ENCRYPTED_EMAIL)
    run = run_program(fake_aws.new_resource, fake_aws.call, stack="edge", catalogue=(SCHEDULED,))
    assert run.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
    assert not run.of_type("aws:sns/topicSubscription:TopicSubscription")
    with pytest.raises(ConfigError):  # written, then refused by ops cost's reader
        stack_file("config:\n  serverless-workflows:logLevel:\n    secure: v1:AAAB==\n")
    with pytest.raises(ConfigError, match="serverless-workflows:logLevel is encrypted"):
        run_program(fake_aws.new_resource, fake_aws.call, stack="edge", catalogue=(SCHEDULED,))


def test_ops_cost_refuses_a_stack_file_that_is_a_list(
    stack_file: StackFile, capsys: pytest.CaptureFixture[str]
) -> None:
    from ops.__main__ import main as ops_main

    with pytest.raises(ConfigError):
        stack_file("- just a list\n")
    assert ops_main(["--stack", "edge", "cost"]) == 2
    assert "Pulumi.edge.yaml: the top level must be a mapping" in capsys.readouterr().err


# --- every suggested command runs as written -------------------------------------------------------


@pytest.mark.parametrize("value", ["5", '"STANDARD"', "[1]", "null"])
def test_a_workflow_override_that_is_not_an_object_gets_runnable_commands(value: str) -> None:
    message = refused(with_config(workflows=f'{{"scheduled": {value}}}'))
    assert "..." not in message
    assert message.startswith(f"Config {PROJECT}:workflows.scheduled = ")
    assert "is not valid: it must be a JSON object of workflow keys (type, scheduleExpression," in message
    assert message.endswith(
        "Fix it with: pulumi config rm --path 'workflows.scheduled' --stack dev && "
        "pulumi config set --path 'workflows.scheduled.type' STANDARD --stack dev"
    )


def test_bad_workflows_json_gets_a_concrete_example() -> None:
    message = refused(with_config(workflows="{not json"))
    assert "<name>" not in message
    assert message.endswith(
        """Fix it with: pulumi config set workflows '{"scheduled": {"type": "STANDARD"}}' --stack dev"""
    )
    # The example is itself a value that is accepted.
    example = message.split("pulumi config set workflows ", 1)[1].split(" --stack")[0].strip("'")
    assert read(with_config(workflows=example)).workflow(SCHEDULED).type == "STANDARD"


# --- alarmThresholds: per-stack overrides of when each alarm fires -------------------------------

# The names a team writes, as docs/configuration.md documents them: each AlarmThresholds field in camelCase.
THRESHOLD_NAMES = {
    "executionsFailed": "executions_failed",
    "executionsTimedOut": "executions_timed_out",
    "executionsAborted": "executions_aborted",
    "executionsThrottled": "executions_throttled",
    "scheduleTargetErrors": "schedule_target_errors",
    "scheduleInvocationsDropped": "schedule_invocations_dropped",
    "scheduleDeadLetterFailures": "schedule_dead_letter_failures",
    "deadLetterMessages": "dead_letter_messages",
    "functionErrors": "function_errors",
    "functionThrottles": "function_throttles",
}


def thresholds(overrides: object) -> dict[str, str]:
    """The dev config with `alarmThresholds` set, as the CLI hands an object over: its JSON."""
    return with_config(alarmThresholds=json.dumps(overrides))


def test_without_alarm_thresholds_every_stack_keeps_the_default_thresholds() -> None:
    assert read(with_config()).alarm_thresholds == ResolvedThresholds()
    for stack in ("dev", "prod"):
        assert StackSettings.from_stack_file(stack, CATALOGUE).alarm_thresholds == ResolvedThresholds()
    assert ResolvedThresholds().function_errors == ResolvedThreshold(value=1, period_seconds=300, evaluation_periods=1)


def test_each_threshold_is_set_by_its_camel_case_name() -> None:
    overrides = {name: {"value": index + 2} for index, name in enumerate(THRESHOLD_NAMES)}
    read_back = read(thresholds(overrides)).alarm_thresholds
    for index, field_name in enumerate(THRESHOLD_NAMES.values()):
        assert getattr(read_back, field_name) == ResolvedThreshold(value=index + 2), field_name


def test_a_threshold_keeps_the_defaults_of_the_fields_it_leaves_out() -> None:
    read_back = read(thresholds({"functionErrors": {"periodSeconds": 600, "evaluationPeriods": 3}})).alarm_thresholds
    assert read_back.function_errors == ResolvedThreshold(value=1, period_seconds=600, evaluation_periods=3)
    assert read_back.function_throttles == ResolvedThreshold()


def test_numbers_are_read_as_config_set_path_stores_them() -> None:
    # `pulumi config set --path 'alarmThresholds.functionErrors.value' 2.5` stores the string "2.5";
    # an integer it stores as a number.
    read_back = read(thresholds({"functionErrors": {"value": "2.5", "periodSeconds": 600}})).alarm_thresholds
    assert read_back.function_errors == ResolvedThreshold(value=2.5, period_seconds=600)


def test_a_stack_file_sets_thresholds_as_yaml(stack_file: StackFile) -> None:
    text = (
        "config:\n  serverless-workflows:alarmThresholds:\n"
        "    functionErrors:\n      value: 5\n      periodSeconds: 600\n    deadLetterMessages:\n      value: 0.5\n"
    )
    read_back = stack_file(text).alarm_thresholds
    assert read_back.function_errors == ResolvedThreshold(value=5, period_seconds=600)
    assert read_back.dead_letter_messages == ResolvedThreshold(value=0.5)


_VALUE_RULE = "use a number greater than 0: the alarm fires when the statistic reaches it"
_PERIOD_RULE = "use a whole multiple of 60 seconds, at most 604,800 (7 days): these metrics have one-minute resolution"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        # An unknown name: the names are listed, and a near one suggested.
        (
            {"functionErors": {"value": 5}},
            f"Config {PROJECT}:alarmThresholds names threshold 'functionErors', which no alarm has (thresholds: "
            f"{', '.join(THRESHOLD_NAMES)}). Did you mean functionErrors? Remove it with: "
            "pulumi config rm --path 'alarmThresholds.functionErors' --stack dev",
        ),
        # Wrong types.
        (
            [{"functionErrors": {"value": 5}}],
            f'Config {PROJECT}:alarmThresholds = \'[{{"functionErrors": {{"value": 5}}}}]\' is not valid: it must '
            "be a JSON object, not a list. Fix it with: pulumi config set alarmThresholds "
            """'{"executionsFailed": {"value": 1}}' --stack dev""",
        ),
        (
            {"functionErrors": 5},
            f"Config {PROJECT}:alarmThresholds.functionErrors = '5' is not valid: it must be a JSON object of value, "
            "periodSeconds, evaluationPeriods. Fix it with: pulumi config rm --path 'alarmThresholds.functionErrors' "
            "--stack dev && pulumi config set --path 'alarmThresholds.functionErrors.value' 1 --stack dev",
        ),
        (
            {"functionErrors": {"period": 600}},
            f"Config {PROJECT}:alarmThresholds.functionErrors.period is not a threshold key (a typo?). Known keys: "
            "value, periodSeconds, evaluationPeriods. Remove with: pulumi config rm --path "
            "'alarmThresholds.functionErrors.period' --stack dev",
        ),
        ({"functionErrors": {"value": "many"}}, f"functionErrors.value = 'many' is not valid: {_VALUE_RULE}"),
        ({"functionErrors": {"value": True}}, f"functionErrors.value = 'true' is not valid: {_VALUE_RULE}"),
        ({"functionErrors": {"value": None}}, f"functionErrors.value = 'null' is not valid: {_VALUE_RULE}"),
        ({"functionErrors": {"periodSeconds": 600.5}}, f"periodSeconds = '600.5' is not valid: {_PERIOD_RULE}"),
        ({"functionErrors": {"periodSeconds": "ten"}}, f"periodSeconds = 'ten' is not valid: {_PERIOD_RULE}"),
        ({"functionErrors": {"evaluationPeriods": True}}, "evaluationPeriods = 'true' is not valid: use a whole"),
        # A negative value, or 0.
        ({"deadLetterMessages": {"value": -1}}, f"deadLetterMessages.value = '-1' is not valid: {_VALUE_RULE}"),
        ({"deadLetterMessages": {"value": "-0.5"}}, f"deadLetterMessages.value = '-0.5' is not valid: {_VALUE_RULE}"),
        ({"deadLetterMessages": {"value": 0}}, f"deadLetterMessages.value = '0' is not valid: {_VALUE_RULE}"),
        # A period CloudWatch refuses, or a high-resolution one these metrics have no data for.
        ({"executionsFailed": {"periodSeconds": 90}}, f"periodSeconds = '90' is not valid: {_PERIOD_RULE}"),
        ({"executionsFailed": {"periodSeconds": 30}}, f"periodSeconds = '30' is not valid: {_PERIOD_RULE}"),
        ({"executionsFailed": {"periodSeconds": 0}}, f"periodSeconds = '0' is not valid: {_PERIOD_RULE}"),
        ({"executionsFailed": {"periodSeconds": 604_860}}, f"periodSeconds = '604860' is not valid: {_PERIOD_RULE}"),
        # Too many periods: a day of periods under an hour, 7 days of hourly ones.
        (
            {"functionThrottles": {"evaluationPeriods": 289}},
            f"Config {PROJECT}:alarmThresholds.functionThrottles.evaluationPeriods = '289' is not valid: use a whole "
            "number from 1 to 288 for periods of 300 s: CloudWatch evaluates at most 86,400 s (1 day) of periods "
            "under an hour, 604,800 s (7 days) of periods of an hour or more. Fix it with: pulumi config set --path "
            "'alarmThresholds.functionThrottles.evaluationPeriods' 288 --stack dev",
        ),
        (
            {"functionThrottles": {"periodSeconds": 3600, "evaluationPeriods": 169}},
            "evaluationPeriods = '169' is not valid: use a whole number from 1 to 168 for periods of 3600 s",
        ),
        ({"functionThrottles": {"evaluationPeriods": 0}}, "evaluationPeriods = '0' is not valid: use a whole number"),
    ],
)
def test_bad_alarm_thresholds_are_refused_naming_the_key_path_and_what_is_allowed(
    overrides: object, message: str
) -> None:
    assert message in refused(thresholds(overrides))


@pytest.mark.parametrize(
    ("name", "field_key", "bad", "accepted"),
    [
        ("executionsFailed", "periodSeconds", 90, 300),
        ("deadLetterMessages", "value", -1, 1),
        ("functionThrottles", "evaluationPeriods", 0, 1),
        ("functionThrottles", "evaluationPeriods", 300, 288),
    ],
)
def test_a_bad_threshold_gets_a_command_that_sets_an_accepted_value(
    name: str, field_key: str, bad: int, accepted: int
) -> None:
    message = refused(thresholds({name: {field_key: bad}}))
    path = f"alarmThresholds.{name}.{field_key}"
    assert message.endswith(f"Fix it with: pulumi config set --path '{path}' {accepted} --stack dev")
    # What the command stores is read back without complaint.
    threshold = getattr(read(thresholds({name: {field_key: accepted}})).alarm_thresholds, THRESHOLD_NAMES[name])
    assert dataclasses.asdict(threshold)[settings.THRESHOLD_KEYS[field_key]] == accepted


def test_alarm_thresholds_without_alarms_are_refused() -> None:
    config = thresholds({"functionErrors": {"value": 5}})
    config[f"{PROJECT}:alarmsEnabled"] = "false"
    assert refused(config) == (
        f"Config {PROJECT}:alarmThresholds is set but alarmsEnabled is false, so no alarm would use it. Fix it "
        "with: pulumi config set alarmsEnabled true --stack dev (or pulumi config rm alarmThresholds --stack dev)"
    )


def test_a_workflows_alarm_thresholds_are_read_over_the_stacks_and_refused_as_they_are() -> None:
    def own(thresholds: object) -> str:
        return json.dumps({"call-center": {"alarmThresholds": thresholds}})

    config = thresholds({"functionErrors": {"value": 2}})
    config[f"{PROJECT}:workflows"] = own({"functionErrors": {"evaluationPeriods": 4}})
    settings = read(config)
    assert settings.workflows["call-center"].alarm_thresholds == ResolvedThresholds(
        function_errors=ResolvedThreshold(value=2, evaluation_periods=4)
    )
    assert settings.workflows["scheduled"].alarm_thresholds is None
    config[f"{PROJECT}:workflows"] = own({"functionErors": {}})
    typo = "workflows.call-center.alarmThresholds names threshold 'functionErors', which no alarm has"
    assert typo in refused(config)
    config[f"{PROJECT}:workflows"] = own(5)
    assert refused(config) == (
        f"Config {PROJECT}:workflows.call-center.alarmThresholds = '5' is not valid: it must be a JSON object of "
        f"thresholds ({', '.join(ALARM_THRESHOLD_NAMES)}). Fix it with: pulumi config rm --path "
        "'workflows.call-center.alarmThresholds' --stack dev && pulumi config set --path "
        "'workflows.call-center.alarmThresholds.executionsFailed.value' 1 --stack dev"
    )
    config[f"{PROJECT}:workflows"] = own({"functionErrors": {"value": 0}})
    assert "workflows.call-center.alarmThresholds.functionErrors.value = '0' is not valid" in refused(config)
    config[f"{PROJECT}:workflows"] = own({"functionErrors": {"value": 3}})
    config[f"{PROJECT}:alarmsEnabled"] = "false"
    config.pop(f"{PROJECT}:alarmThresholds")
    assert refused(config).startswith(
        f"Config {PROJECT}:workflows.call-center.alarmThresholds is set but alarmsEnabled is false"
    )


@pytest.mark.program
def test_ops_cost_reads_alarm_thresholds_without_loading_the_pulumi_sdk() -> None:
    # The Pulumi SDK is loaded in this process already, so a fresh interpreter runs `ops cost`.
    probe = (
        "import json, sys\n"
        "import settings, stack_files\n"
        "from ops.__main__ import main\n"
        "config = stack_files.stack_config('dev')\n"
        "config['serverless-workflows:alarmThresholds'] = json.dumps({'functionErrors': {'value': 5}})\n"
        "stack_files.stack_config = lambda stack: config\n"
        "assert settings.StackSettings.from_stack_file('dev').alarm_thresholds.function_errors.value == 5\n"
        "assert main(['--stack', 'dev', 'cost']) == 0\n"
        "print(sorted(name for name in sys.modules if name.split('.')[0] in ('pulumi', 'pulumi_aws')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=stack_files.PROJECT_ROOT,
        env=tool_environment(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"


# --- the engine's config: the one place that reads the Pulumi SDK's internals ----------------------

Read = TypeVar("Read")
ENGINE_VALUES = {
    f"{PROJECT}:logLevel": "ERROR",
    f"{PROJECT}:workflows": '{"scheduled": {"type": "STANDARD"}}',
    "aws:region": "eu-west-1",
}


def _in_a_context_of_its_own(read: Callable[[], Read]) -> Read:
    # The SDK keeps explicit config in a context variable: set in a copy, it stays out of other tests.
    return contextvars.copy_context().run(read)


def test_engine_config_returns_every_key_the_engine_sets_explicitly(monkeypatch: pytest.MonkeyPatch) -> None:
    import pulumi

    monkeypatch.delenv("PULUMI_CONFIG", raising=False)

    def read() -> dict[str, str]:
        pulumi.runtime.set_all_config(ENGINE_VALUES)
        return settings.engine_config()

    assert _in_a_context_of_its_own(read) == ENGINE_VALUES


def test_engine_config_returns_every_key_of_the_pulumi_config_environment_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import pulumi

    monkeypatch.setenv("PULUMI_CONFIG", json.dumps(ENGINE_VALUES))

    def read() -> dict[str, str]:
        pulumi.runtime.set_all_config({})
        return settings.engine_config()

    assert _in_a_context_of_its_own(read) == ENGINE_VALUES


def test_engine_config_takes_an_explicit_value_over_the_environment_as_pulumi_config_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import pulumi

    monkeypatch.setenv("PULUMI_CONFIG", json.dumps({f"{PROJECT}:logLevel": "ERROR", f"{PROJECT}:retainData": "true"}))

    def read() -> tuple[dict[str, str], str | None]:
        pulumi.runtime.set_all_config({f"{PROJECT}:logLevel": "FATAL"})
        return settings.engine_config(), pulumi.Config(PROJECT).get("logLevel")

    values, public = _in_a_context_of_its_own(read)
    assert values == {f"{PROJECT}:logLevel": "FATAL", f"{PROJECT}:retainData": "true"}
    assert public == "FATAL"


def test_a_misspelt_key_the_engine_passes_through_the_environment_is_refused(
    declare: Declare, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PULUMI_CONFIG", json.dumps({f"{PROJECT}:logRetention": "30"}))
    with pytest.raises(ConfigError, match=r"Config key\(s\) logRetention are not used by this program"):
        declare(StackSettings.from_pulumi)


# --- houseRules.<rule>: each project rule's enforcement level ------------------------------------


def test_without_house_rules_every_rule_keeps_its_default_level() -> None:
    for stack in stack_files.stack_names():
        assert StackSettings.from_stack_file(stack, CATALOGUE).house_rules == {}


def test_house_rules_set_a_level_per_rule_and_leave_the_others_out() -> None:
    levels = read(with_config(houseRules='{"top-level-timeout": "advisory", "lambda-task-retries": "disabled"}'))
    assert levels.house_rules == {"top-level-timeout": "advisory", "lambda-task-retries": "disabled"}


def test_a_stack_file_sets_house_rules_as_yaml(stack_file: StackFile) -> None:
    text = "config:\n  serverless-workflows:houseRules:\n    top-level-timeout: advisory\n"
    assert stack_file(text).house_rules == {"top-level-timeout": "advisory"}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            '{"top-level-timout": "advisory"}',
            "Config serverless-workflows:houseRules names rule 'top-level-timout', which is not a project rule "
            "(rules: top-level-timeout, lambda-task-timeout, lambda-task-retries, callback-task-timeout). Did you mean "
            "top-level-timeout? Remove it with: pulumi config rm --path 'houseRules.top-level-timout' --stack dev",
        ),
        (
            '{"top-level-timeout": "warn"}',
            "Config serverless-workflows:houseRules.top-level-timeout = 'warn' is not valid: use one of mandatory, "
            "advisory, disabled. Fix it with: pulumi config set --path 'houseRules.top-level-timeout' advisory "
            "--stack dev",
        ),
        (
            '{"top-level-timeout": true}',
            "Config serverless-workflows:houseRules.top-level-timeout = 'true' is not valid: use one of mandatory,",
        ),
        (
            '["top-level-timeout"]',
            "Config serverless-workflows:houseRules = '[\"top-level-timeout\"]' is not valid: it must be a JSON "
            'object, not a list. Fix it with: pulumi config set houseRules \'{"top-level-timeout": "advisory"}\'',
        ),
    ],
    ids=["unknown-rule", "unknown-level", "not-a-level", "not-an-object"],
)
def test_a_bad_house_rule_or_level_is_refused_with_the_command_that_fixes_it(value: str, expected: str) -> None:
    assert expected in refused(with_config(houseRules=value))
