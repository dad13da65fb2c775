"""Stack settings: the one place that reads stack config.

Every key is declared here with its default (the components' own, from
`components/serverless_workflows/defaults.py`) and the values it allows; the same defaults and
descriptions stand in `Pulumi.yaml` (a test keeps the two in step).
Components never read config: `__main__.py` hands them the values of a
`StackSettings`, which is checked as a whole before any resource exists.
`python -m ops cost` reads a stack's files (`stack_files.py`) and checks them
through the same parser, so the program and the tool never disagree on what a
value means.

Workflow-level values start from the workflow's catalogue entry and may be
overridden per stack under the structured key `workflows`:

    pulumi config set --path 'workflows.scheduled.type' EXPRESS

Alarm thresholds are overridden per stack under `alarmThresholds`, by the camelCase name
of an `AlarmThresholds` field; a threshold's fields left out keep their defaults:

    pulumi config set --path 'alarmThresholds.functionErrors.value' 5

Each project rule (`components/serverless_workflows/asl/house_rules.py`) has an enforcement level per stack under
`houseRules`, by the rule's name; a catalogue entry's `house_rules` wins for its workflow:

    pulumi config set --path 'houseRules.top-level-timeout' advisory

The top-level keys `scheduleExpression`, `scheduleTimezone`, `scheduleEnabled`
and `schedulePayload` configure the schedule of the one catalogue workflow
that claims them (`ScheduleSpec.stack_keys`); a `workflows.<name>` value wins
over them.
"""

from __future__ import annotations

import dataclasses
import difflib
import json
import re
import zoneinfo
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

import stack_files
from serverless_workflows.addresses import EMAIL_RULE, is_email
from serverless_workflows.alarm_thresholds import ResolvedThreshold, ResolvedThresholds, threshold_problem
from serverless_workflows.asl import schedule
from serverless_workflows.asl.asl_language import WORKFLOW_TYPES
from serverless_workflows.asl.definition import NotJsonError, finite_float, refuse_constant
from serverless_workflows.asl.execution_input import input_problem
from serverless_workflows.asl.house_rules import LEVELS, RULE_NAMES
from serverless_workflows.defaults import (
    DASHBOARD_ENABLED,
    EXECUTION_LOG_LEVEL,
    INCLUDE_EXECUTION_DATA,
    LOG_RETENTION_DAYS,
    RETAIN_DATA,
    TRACING_ENABLED,
)
from serverless_workflows.logs import RETENTION_DAYS, STATES_LOG_LEVELS, express_results_logged
from stack_files import PROJECT, STACK_NAME, STACK_NAME_RULE, ConfigError
from workflows.catalogue import CATALOGUE
from workflows.spec import WorkflowSpec

# 12 ASCII digits: `\d` would also take other scripts' digits, such as full-width ones.
_ACCOUNT_ID = re.compile(r"[0-9]{12}")
# An AWS region code by its form (us-east-1, ap-southeast-7, us-gov-west-1, eu-isoe-west-1,
# eusc-de-east-1): an area, one or two lowercase words and a number. No list: regions keep coming.
_REGION = re.compile(r"[a-z]{2,4}(?:-[a-z]{2,10}){1,2}-[1-9][0-9]?")
# A time zone as EventBridge Scheduler names it: an IANA name, Area/Location[/Sublocation]
# (Europe/Paris, America/Argentina/Buenos_Aires, Etc/GMT+5) or one of the database's single names
# (UTC, GMT, ...). A machine's zone database also holds files that are not zones: its own zone
# (localtime), tzdata's placeholder for an unknown zone (Factory) and a template (posixrules).
_TIMEZONE = re.compile(r"[A-Z][A-Za-z0-9_+-]*(?:/[A-Z][A-Za-z0-9_+-]*){0,2}")
_NOT_ZONES = frozenset({"localtime", "Factory", "posixrules"})
# Keys of one workflow under `workflows.<name>`.
SCHEDULE_STACK_KEYS = ("scheduleExpression", "scheduleTimezone", "scheduleEnabled", "schedulePayload")
WORKFLOW_KEYS = ("type", *SCHEDULE_STACK_KEYS, "alarmThresholds")
# `pulumi config set --path` stores a value that reads as an integer as a number, any other as a
# string: 5 arrives as 5 but 2.5 (or 0.5) as "2.5". A number in a string is read as the number.
_INTEGER_TEXT = re.compile(r"-?[0-9]+")
_DECIMAL_TEXT = re.compile(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")
# A bad value is shown in its error message up to this many characters, so the message stays one
# readable line however long the value.
_SHOWN_CHARACTERS = 100


# What a reader without the stack's secrets provider knows of an encrypted value: that it is set.
ENCRYPTED = "[encrypted]"


@dataclass(frozen=True)
class ScheduleSettings:
    expression: str
    timezone: str
    enabled: bool
    payload: Mapping[str, Any]


@dataclass(frozen=True)
class WorkflowSettings:
    """One workflow as this stack deploys it: its catalogue entry with the stack's overrides."""

    type: str
    schedule: ScheduleSettings | None
    alarm_thresholds: ResolvedThresholds | None = None
    """`workflows.<name>.alarmThresholds`: its alarms' thresholds, the stack's with these over
    them; None: the stack's."""


@dataclass(frozen=True)
class StackSettings:
    """What one stack (environment) deploys. Field comments give the config key."""

    stack: str
    aws_region: str | None = None
    """`aws:region`; None leaves it to the AWS provider's usual lookup (AWS_REGION...)."""
    aws_profile: str | None = None
    """`aws:profile`: the shared-credentials profile the provider uses. Default: the usual lookup."""
    aws_allowed_account_ids: tuple[str, ...] = ()
    """`aws:allowedAccountIds`: the provider refuses to deploy into any other account. Default: any."""
    log_level: str = EXECUTION_LOG_LEVEL
    """`logLevel`: Step Functions execution log level."""
    log_retention_days: int = LOG_RETENTION_DAYS
    """`logRetentionDays`: retention of every log group the program creates."""
    tracing_enabled: bool = TRACING_ENABLED
    """`tracingEnabled`: X-Ray tracing for state machines and functions."""
    retain_data: bool = RETAIN_DATA
    """`retainData`: keep log groups and dead-letter queues when they are destroyed or replaced."""
    alarms_enabled: bool = True
    """`alarmsEnabled`: alarms on every workflow, schedule and function, a topic and a dashboard."""
    alarm_email: str | None = None
    """`alarmEmail`: an address subscribed to the alarm topic (it must confirm the subscription).
    ENCRYPTED when read from a stack file that holds it encrypted: set, but unknown there."""
    alarm_thresholds: ResolvedThresholds = field(default_factory=ResolvedThresholds)
    """`alarmThresholds.<name>.*`: when each kind of alarm fires (`ALARM_THRESHOLD_NAMES`)."""
    dashboard_enabled: bool = DASHBOARD_ENABLED
    """`dashboardEnabled`: the CloudWatch dashboard of the workflows' metrics, with the alarms."""
    workflows: Mapping[str, WorkflowSettings] = field(default_factory=dict)
    """Per workflow of the catalogue: `workflows.<name>.*`, and the top-level schedule keys."""
    house_rules: Mapping[str, str] = field(default_factory=dict)
    """`houseRules.<rule>`: a project rule's enforcement level in this stack, as set (a rule left
    out keeps its default, mandatory); a catalogue entry's `house_rules` wins for its workflow."""

    @property
    def name_prefix(self) -> str:
        """Stem of every physical name, so that stacks can share an account."""
        return f"{PROJECT}-{self.stack}"

    @property
    def tags(self) -> dict[str, str]:
        return {"project": PROJECT, "stack": self.stack, "managed-by": "pulumi"}

    def workflow(self, spec: WorkflowSpec) -> WorkflowSettings:
        return self.workflows.get(spec.name) or _defaults(spec)

    def physical_name(self, name: str) -> str:
        return f"{self.name_prefix}-{name}"

    @classmethod
    def from_pulumi(cls, catalogue: tuple[WorkflowSpec, ...] = CATALOGUE) -> StackSettings:
        """Read and check the current stack's config, as the engine handed it to the program."""
        # Imported here: `python -m ops cost` reads settings without loading the Pulumi SDK.
        import pulumi  # noqa: PLC0415

        return cls.from_config(engine_config(), pulumi.get_stack(), catalogue)

    @classmethod
    def from_stack_file(cls, stack: str, catalogue: tuple[WorkflowSpec, ...] = CATALOGUE) -> StackSettings:
        """The settings a stack's files give, read as the Pulumi CLI reads them (for tools that
        run before or without a deployment, such as `python -m ops cost`)."""
        # Through stack_files.stack_config, the seam tests use to hand a stack file's values over.
        config = stack_files.stack_config(stack)
        return cls.from_config(config, stack, catalogue, encrypted=stack_files.encrypted_keys(stack))

    @classmethod
    def from_config(
        cls,
        values: Mapping[str, str],
        stack: str,
        catalogue: tuple[WorkflowSpec, ...] = CATALOGUE,
        *,
        encrypted: frozenset[str] = frozenset(),
    ) -> StackSettings:
        """The settings `values` (`namespace:key` -> the string the CLI passes) give a stack.
        `encrypted` names keys whose value is set but encrypted, so not in `values` as plaintext."""
        reader = _Reader(values, stack, encrypted)
        reader.refuse_unknown(values)
        stack_files.refuse_encrypted(encrypted, stack)
        if not STACK_NAME.match(stack):
            raise ConfigError(
                f"Stack name {stack!r} cannot be used: physical AWS names are built from it, so it must be "
                f"{STACK_NAME_RULE}. Use a stack of such a name (make deploy STACK=NAME NEW=1 adds one)."
            )
        defaults = cls(stack=stack)
        reader.refuse_unknown_aws(values)
        thresholds = reader.alarm_thresholds("alarmThresholds")
        settings = cls(
            stack=stack,
            aws_region=reader.region("aws:region"),
            aws_profile=values.get("aws:profile"),
            aws_allowed_account_ids=reader.account_ids("aws:allowedAccountIds"),
            log_level=reader.choice("logLevel", defaults.log_level, STATES_LOG_LEVELS),
            log_retention_days=reader.integer_choice("logRetentionDays", defaults.log_retention_days, RETENTION_DAYS),
            tracing_enabled=reader.boolean("tracingEnabled", defaults.tracing_enabled),
            retain_data=reader.boolean("retainData", defaults.retain_data),
            alarms_enabled=reader.boolean("alarmsEnabled", defaults.alarms_enabled),
            alarm_email=reader.email("alarmEmail"),
            alarm_thresholds=thresholds,
            dashboard_enabled=reader.boolean("dashboardEnabled", defaults.dashboard_enabled),
            workflows=reader.workflows(catalogue, thresholds),
            house_rules=reader.house_rules("houseRules"),
        )
        reader.refuse_blind_express(settings.workflows, settings.log_level)
        alarm_keys = {
            "alarmEmail": bool(settings.alarm_email),
            "alarmThresholds": settings.alarm_thresholds != defaults.alarm_thresholds,
        } | {
            f"workflows.{name}.alarmThresholds": configured.alarm_thresholds is not None
            for name, configured in settings.workflows.items()
        }
        unused = [key for key, is_set in alarm_keys.items() if is_set]
        if unused and not settings.alarms_enabled:
            # A nested key is removed with --path, as it was set.
            removal = f"--path '{unused[0]}'" if "." in unused[0] else unused[0]
            raise ConfigError(
                f"Config serverless-workflows:{unused[0]} is set but alarmsEnabled is false, so no alarm would use "
                f"it. Fix it with: pulumi config set alarmsEnabled true --stack {stack} (or pulumi config "
                f"rm {removal} --stack {stack})"
            )
        return settings


def engine_config() -> dict[str, str]:
    """Every config value the engine handed this program: `namespace:key` -> the string the CLI passes.

    The typo refusal needs every key set, and the public `pulumi.Config` cannot list them: it
    answers only for a key it is asked about. So this is the one place that reads the Pulumi
    SDK's internals, the two places the SDK keeps the values: `pulumi.runtime.config.CONFIG`
    (set explicitly, as `pulumi.runtime.set_all_config` does for the engine and for mocks) and
    `pulumi.runtime.config.get_config_env()` (the JSON of the `PULUMI_CONFIG` environment
    variable). A value set both ways is the explicit one, as `pulumi.Config` reads it. Tests pin
    both ways in (tests/test_config_input.py), so an SDK upgrade that moves them fails by name.
    """
    # Imported here: `python -m ops cost` reads settings without loading the Pulumi SDK.
    from pulumi.runtime.config import CONFIG, get_config_env  # noqa: PLC0415

    values: dict[str, str] = {**get_config_env(), **CONFIG.get()}
    return values


AWS_KEYS = frozenset({"aws:region", "aws:profile", "aws:allowedAccountIds"})
KNOWN_KEYS = frozenset(
    f"{PROJECT}:{key}"
    for key in (
        "logLevel",
        "logRetentionDays",
        "tracingEnabled",
        "retainData",
        "alarmsEnabled",
        "alarmEmail",
        "alarmThresholds",
        "dashboardEnabled",
        "workflows",
        "houseRules",
        *SCHEDULE_STACK_KEYS,
    )
)


def config_name(field_name: str) -> str:
    """A Python field name as the config keys spell it: function_errors -> functionErrors."""
    first, *rest = field_name.split("_")
    return first + "".join(word.capitalize() for word in rest)


# The names under `alarmThresholds` and under each of its thresholds -> the fields they set.
ALARM_THRESHOLD_NAMES = {config_name(f.name): f.name for f in fields(ResolvedThresholds)}
THRESHOLD_KEYS = {config_name(f.name): f.name for f in fields(ResolvedThreshold)}


def _number_from_cli(raw: object) -> object:
    """`raw`, or the number a string of one holds (as `config set --path` stores 2.5)."""
    if not isinstance(raw, str):
        return raw
    try:
        if _INTEGER_TEXT.fullmatch(raw):
            return int(raw)
        if _DECIMAL_TEXT.fullmatch(raw):
            return float(raw)
    except ValueError:
        # Python converts at most 4,300 digits: no threshold has so many.
        pass
    return raw


def _is_timezone(name: str) -> bool:
    return (
        _TIMEZONE.fullmatch(name) is not None
        and name not in _NOT_ZONES
        and (name == "UTC" or name in zoneinfo.available_timezones())
    )


def _account_id(value: object) -> str | None:
    """An AWS account ID as the provider takes it (a string), or None. `pulumi config set --path`
    stores 12 digits as a YAML number, which the CLI hands the program as a JSON number."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    return value if isinstance(value, str) and _ACCOUNT_ID.fullmatch(value) else None


def _shown(raw: object) -> str:
    """A bad value as an error message shows it: quoted, and cut if long."""
    text = raw if isinstance(raw, str) else json.dumps(raw)
    if len(text) <= _SHOWN_CHARACTERS:
        return repr(text)
    return f"{text[:_SHOWN_CHARACTERS]!r}... ({len(text):,} characters)"


def _defaults(spec: WorkflowSpec) -> WorkflowSettings:
    planned = spec.schedule
    return WorkflowSettings(
        type=spec.type,
        schedule=ScheduleSettings(planned.expression, planned.timezone, planned.enabled, dict(planned.payload))
        if planned
        else None,
    )


class _Reader:
    """Reads raw config values and explains a bad one with the command that fixes it."""

    def __init__(self, values: Mapping[str, str], stack: str, encrypted: frozenset[str] = frozenset()) -> None:
        self._values = values
        self._stack = stack
        self._encrypted = encrypted

    def _raw(self, key: str) -> str | None:
        return self._values.get(f"{PROJECT}:{key}")

    def _fail(self, key: str, raw: object, allowed: str, example: str) -> ConfigError:
        # A nested key (workflows.x.type) is set with --path; a top-level one directly.
        command = f"--path '{key}' {example}" if "." in key else f"{key} {example}"
        return ConfigError(
            f"Config {PROJECT}:{key} = {_shown(raw)} is not valid: {allowed}. "
            f"Fix it with: pulumi config set {command} --stack {self._stack}"
        )

    def refuse_unknown(self, configured_keys: Iterable[str]) -> None:
        prefix = f"{PROJECT}:"
        unknown = sorted(
            k.removeprefix(prefix) for k in configured_keys if k.startswith(prefix) and k not in KNOWN_KEYS
        )
        if unknown:
            known = ", ".join(key.removeprefix(prefix) for key in sorted(KNOWN_KEYS))
            raise ConfigError(
                f"Config key(s) {', '.join(unknown)} are not used by this program (a typo?). Known keys: {known}. "
                f"Remove with: pulumi config rm {unknown[0]} --stack {self._stack}"
            )

    # --- one parser per kind of value: top-level keys and workflows.<name>.* share them -------

    def parse_schedule_expression(self, key: str, raw: object, default: str) -> str:
        try:
            if not isinstance(raw, str):
                raise schedule.ScheduleExpressionError(f"{raw!r} is not a rate(...), cron(...) or at(...) expression")
            return schedule.parse(raw).text
        except schedule.ScheduleExpressionError as error:
            raise self._fail(key, raw, f"{error}; examples: {schedule.EXAMPLES}", f"'{default}'") from None

    def parse_timezone(self, key: str, raw: object, default: str) -> str:
        if isinstance(raw, str) and _is_timezone(raw):
            return raw
        raise self._fail(key, raw, "use an IANA time zone name such as UTC, Europe/Paris or America/New_York", default)

    def parse_boolean(self, key: str, raw: object, default: bool) -> bool:
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and raw.lower() in ("true", "false"):
            return raw.lower() == "true"
        raise self._fail(key, raw, "use true or false", str(default).lower())

    def parse_choice(self, key: str, raw: object, default: str, allowed: tuple[str, ...]) -> str:
        if isinstance(raw, str) and raw in allowed:
            return raw
        raise self._fail(key, raw, f"use one of {', '.join(allowed)}", default)

    def parse_json_object(self, key: str, raw: object, example: str) -> Mapping[str, Any]:
        value = raw
        if isinstance(raw, str):
            try:
                value = json.loads(raw, parse_constant=refuse_constant, parse_float=finite_float)
            except NotJsonError as error:
                raise self._fail(key, raw, f"it must be a JSON object (no NaN or Infinity): {error}", example) from None
            except (json.JSONDecodeError, RecursionError, ValueError):
                raise self._fail(key, raw, "it must be a JSON object (no NaN or Infinity)", example) from None
        if not isinstance(value, dict):
            raise self._fail(key, raw, "it must be a JSON object, not a " + type(value).__name__, example)
        return value

    def parse_payload(self, key: str, raw: object, default: Mapping[str, Any]) -> Mapping[str, Any]:
        example = f"'{json.dumps(dict(default))}'"
        payload = self.parse_json_object(key, raw, example)
        # The catalogue's rule for a payload, applied to the config's: the two cannot drift.
        problem = input_problem(dict(payload))
        if problem is not None:
            raise self._fail(key, raw, f"it {problem}", example)
        return payload

    # --- top-level keys ----------------------------------------------------------------------

    def boolean(self, key: str, default: bool) -> bool:
        raw = self._raw(key)
        return default if raw is None else self.parse_boolean(key, raw, default)

    def choice(self, key: str, default: str, allowed: tuple[str, ...]) -> str:
        raw = self._raw(key)
        return default if raw is None else self.parse_choice(key, raw, default, allowed)

    def refuse_unknown_aws(self, configured_keys: Iterable[str]) -> None:
        """The program passes the AWS provider exactly the `aws:` keys it reads; Pulumi applies
        none of the others to an explicit provider, so one set in a stack file would be ignored."""
        unknown = sorted(k for k in configured_keys if k.startswith("aws:") and k not in AWS_KEYS)
        if unknown:
            raise ConfigError(
                f"Config key(s) {', '.join(unknown)} would be ignored: the program gives the AWS provider only "
                f"{', '.join(sorted(AWS_KEYS))} (default tags are its own). Use the AWS environment instead "
                f"(AWS_PROFILE, credentials of the role to assume), or remove with: pulumi config rm {unknown[0]} "
                f"--stack {self._stack}"
            )

    def region(self, key: str) -> str | None:
        raw = self._values.get(key)
        if raw is None or _REGION.fullmatch(raw):
            return raw
        raise ConfigError(
            f"Config {key} = {_shown(raw)} is not valid: use an AWS region code, lowercase words and a number "
            f"joined by '-', such as us-east-1, eu-central-2 or us-gov-west-1. "
            f"Fix it with: pulumi config set {key} us-east-1 --stack {self._stack}"
        )

    def account_ids(self, key: str) -> tuple[str, ...]:
        raw = self._values.get(key)
        if raw is None:
            return ()
        try:
            ids = json.loads(raw)
        except (ValueError, RecursionError):
            ids = None
        accepted = [_account_id(i) for i in ids] if isinstance(ids, list) and ids else [None]
        if all(accepted):
            return tuple(i for i in accepted if i)
        raise ConfigError(
            f"Config {key} = {_shown(raw)} is not valid: use a list of 12-digit account IDs (digits 0-9). Fix it with: "
            f"pulumi config rm {key} --stack {self._stack} && "
            f"pulumi config set --path '{key}[0]' 123456789012 --stack {self._stack}"
        )

    def refuse_blind_express(self, workflows: Mapping[str, WorkflowSettings], log_level: str) -> None:
        """An Express workflow's results exist only in its execution logs: it needs logLevel ALL."""
        express = [name for name, configured in workflows.items() if configured.type == "EXPRESS"]
        if express and not express_results_logged(log_level, include_execution_data=INCLUDE_EXECUTION_DATA):
            raise ConfigError(
                f"Workflow(s) {', '.join(express)} are EXPRESS, whose results exist only in their execution "
                f"logs, but logLevel is {log_level}: an Express workflow needs logLevel ALL. Fix it with: "
                f"pulumi config set logLevel ALL --stack {self._stack} (or make it STANDARD: "
                f"pulumi config set --path 'workflows.{express[0]}.type' STANDARD --stack {self._stack})"
            )

    def email(self, key: str) -> str | None:
        raw = self._raw(key)
        if f"{PROJECT}:{key}" in self._encrypted:
            return ENCRYPTED
        if raw is None or raw == "":
            return None
        if is_email(raw):
            return raw
        raise self._fail(key, raw, f"use {EMAIL_RULE}", "oncall@example.com")

    def integer_choice(self, key: str, default: int, allowed: tuple[int, ...]) -> int:
        raw = self._raw(key)
        if raw is None:
            return default
        if raw.strip().isascii() and raw.strip().isdigit() and int(raw) in allowed:
            return int(raw)
        raise self._fail(key, raw, f"use one of {', '.join(map(str, allowed))}", str(default))

    # --- alarmThresholds.<name>.* --------------------------------------------------------------

    def alarm_thresholds(self, key: str) -> ResolvedThresholds:
        raw = self._raw(key)
        if raw is None:
            return ResolvedThresholds()
        # A command that runs as written: the first threshold, set to the value it already has.
        first = next(iter(ALARM_THRESHOLD_NAMES))
        example = json.dumps({first: {"value": getattr(ResolvedThresholds(), ALARM_THRESHOLD_NAMES[first]).value}})
        return self.thresholds_over(key, self.parse_json_object(key, raw, f"'{example}'"), ResolvedThresholds())

    def thresholds_over(
        self, key: str, overrides: Mapping[str, object], base: ResolvedThresholds
    ) -> ResolvedThresholds:
        """`base` with the thresholds `overrides` (parsed config under `key`) sets; a threshold's
        fields left out keep `base`'s."""
        chosen = {
            ALARM_THRESHOLD_NAMES.get(name, name): self._threshold(key, name, values, base)
            for name, values in overrides.items()
        }
        return dataclasses.replace(base, **chosen)

    def _threshold(self, key: str, name: str, values: object, base: ResolvedThresholds) -> ResolvedThreshold:
        path = f"{key}.{name}"
        if name not in ALARM_THRESHOLD_NAMES:
            near = difflib.get_close_matches(name, ALARM_THRESHOLD_NAMES, n=1)
            guess = f" Did you mean {near[0]}?" if near else ""
            raise ConfigError(
                f"Config {PROJECT}:{key} names threshold {name!r}, which no alarm has (thresholds: "
                f"{', '.join(ALARM_THRESHOLD_NAMES)}).{guess} Remove it with: pulumi config rm --path "
                f"'{path}' --stack {self._stack}"
            )
        default = ResolvedThreshold()
        if not isinstance(values, dict):
            # As for workflows.<name>: remove the value, then set one field, which makes the object.
            raise ConfigError(
                f"Config {PROJECT}:{path} = {_shown(values)} is not valid: it must be a JSON object of "
                f"{', '.join(THRESHOLD_KEYS)}. Fix it with: pulumi config rm --path '{path}' --stack {self._stack} "
                f"&& pulumi config set --path '{path}.value' {default.value} --stack {self._stack}"
            )
        for field_key in values:
            if field_key not in THRESHOLD_KEYS:
                raise ConfigError(
                    f"Config {PROJECT}:{path}.{field_key} is not a threshold key (a typo?). Known keys: "
                    f"{', '.join(THRESHOLD_KEYS)}. Remove with: pulumi config rm --path '{path}.{field_key}' "
                    f"--stack {self._stack}"
                )
        chosen: dict[str, Any] = {THRESHOLD_KEYS[k]: _number_from_cli(v) for k, v in values.items()}
        before: ResolvedThreshold = getattr(base, ALARM_THRESHOLD_NAMES[name])
        threshold = dataclasses.replace(before, **chosen)
        problem = threshold_problem(threshold)
        if problem is not None:
            field_key = config_name(problem.field)
            shown = values.get(field_key, getattr(threshold, problem.field))
            raise self._fail(f"{path}.{field_key}", shown, f"use {problem.allowed}", str(problem.accepted))
        return threshold

    # --- houseRules.<rule> ---------------------------------------------------------------------

    def house_rules(self, key: str) -> dict[str, str]:
        raw = self._raw(key)
        if raw is None:
            return {}
        example = f"'{json.dumps({RULE_NAMES[0]: LEVELS[1]})}'"
        levels = self.parse_json_object(key, raw, example)
        for name, level in levels.items():
            path = f"{key}.{name}"
            if name not in RULE_NAMES:
                near = difflib.get_close_matches(name, RULE_NAMES, n=1)
                guess = f" Did you mean {near[0]}?" if near else ""
                raise ConfigError(
                    f"Config {PROJECT}:{key} names rule {name!r}, which is not a project rule (rules: "
                    f"{', '.join(RULE_NAMES)}).{guess} Remove it with: pulumi config rm --path '{path}' "
                    f"--stack {self._stack}"
                )
            self.parse_choice(path, level, LEVELS[1], LEVELS)
        return dict(levels)

    # --- per workflow --------------------------------------------------------------------------

    def workflows(
        self, catalogue: tuple[WorkflowSpec, ...], thresholds: ResolvedThresholds
    ) -> dict[str, WorkflowSettings]:
        raw = self._raw("workflows")
        # A command that runs as written: the first workflow, set to the type it already has.
        example = json.dumps({catalogue[0].name: {"type": catalogue[0].type}}) if catalogue else "{}"
        overrides = {} if raw is None else self.parse_json_object("workflows", raw, f"'{example}'")
        by_name = {spec.name: spec for spec in catalogue}
        for name, values in overrides.items():
            self._refuse_bad_override(name, values, by_name)
        return {spec.name: self._workflow(spec, overrides.get(spec.name, {}), thresholds) for spec in catalogue}

    def _refuse_bad_override(self, name: str, values: object, by_name: Mapping[str, WorkflowSpec]) -> None:
        if name not in by_name:
            raise ConfigError(
                f"Config {PROJECT}:workflows names workflow {name!r}, which is not in the catalogue "
                f"(workflows: {', '.join(by_name)}). Remove it with: pulumi config rm --path "
                f"'workflows.{name}' --stack {self._stack}"
            )
        if not isinstance(values, dict):
            # `config set --path` stores a JSON text as a string, not an object: the fix removes the
            # value, then sets one key (here the type it already has), which makes the object.
            raise ConfigError(
                f"Config {PROJECT}:workflows.{name} = {_shown(values)} is not valid: it must be a JSON object of "
                f"workflow keys ({', '.join(WORKFLOW_KEYS)}). Fix it with: pulumi config rm --path "
                f"'workflows.{name}' --stack {self._stack} && pulumi config set --path 'workflows.{name}.type' "
                f"{by_name[name].type} --stack {self._stack}"
            )
        for key in values:
            if key not in WORKFLOW_KEYS:
                raise ConfigError(
                    f"Config {PROJECT}:workflows.{name}.{key} is not a workflow key (a typo?). Known keys: "
                    f"{', '.join(WORKFLOW_KEYS)}. Remove with: pulumi config rm --path "
                    f"'workflows.{name}.{key}' --stack {self._stack}"
                )

    def _workflow(
        self, spec: WorkflowSpec, overrides: Mapping[str, Any], thresholds: ResolvedThresholds
    ) -> WorkflowSettings:
        defaults = _defaults(spec)
        path = f"workflows.{spec.name}"
        kind = defaults.type
        if "type" in overrides:
            kind = self.parse_choice(f"{path}.type", overrides["type"], defaults.type, WORKFLOW_TYPES)
        alarms = None
        if "alarmThresholds" in overrides:
            alarms = self._workflow_thresholds(f"{path}.alarmThresholds", overrides["alarmThresholds"], thresholds)
        planned = defaults.schedule
        if planned is None:
            scheduled_keys = sorted(set(overrides) & set(SCHEDULE_STACK_KEYS))
            if scheduled_keys:
                raise ConfigError(
                    f"Config {PROJECT}:{path}.{scheduled_keys[0]} is set, but workflow {spec.name!r} has no "
                    f"schedule in the catalogue. Remove with: pulumi config rm --path '{path}.{scheduled_keys[0]}' "
                    f"--stack {self._stack}"
                )
            return WorkflowSettings(type=kind, schedule=None, alarm_thresholds=alarms)

        def value(key: str) -> tuple[str, object] | None:
            """(the key as set, its raw value): workflows.<name>.key wins over the top-level key."""
            if key in overrides:
                return f"{path}.{key}", overrides[key]
            top = self._raw(key) if spec.schedule is not None and spec.schedule.stack_keys else None
            return (key, top) if top is not None else None

        expression, timezone, enabled, payload = planned.expression, planned.timezone, planned.enabled, planned.payload
        if found := value("scheduleExpression"):
            expression = self.parse_schedule_expression(*found, planned.expression)
        if found := value("scheduleTimezone"):
            timezone = self.parse_timezone(*found, planned.timezone)
        if found := value("scheduleEnabled"):
            enabled = self.parse_boolean(*found, planned.enabled)
        if found := value("schedulePayload"):
            payload = self.parse_payload(*found, planned.payload)
        schedule = ScheduleSettings(expression, timezone, enabled, payload)
        return WorkflowSettings(type=kind, schedule=schedule, alarm_thresholds=alarms)

    def _workflow_thresholds(self, path: str, raw: object, stack: ResolvedThresholds) -> ResolvedThresholds:
        first = next(iter(ALARM_THRESHOLD_NAMES))
        if not isinstance(raw, dict):
            # As for the stack's key: remove the value, then set one field, which makes the object.
            raise ConfigError(
                f"Config {PROJECT}:{path} = {_shown(raw)} is not valid: it must be a JSON object of thresholds "
                f"({', '.join(ALARM_THRESHOLD_NAMES)}). Fix it with: pulumi config rm --path '{path}' --stack "
                f"{self._stack} && pulumi config set --path '{path}.{first}.value' "
                f"{getattr(stack, ALARM_THRESHOLD_NAMES[first]).value:g} --stack {self._stack}"
            )
        return self.thresholds_over(path, raw, stack)
