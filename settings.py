"""Stack settings: the one place that reads `pulumi config`.

Every key is declared here with its default and the values it allows; the
same defaults and descriptions stand in `Pulumi.yaml` (a test keeps the two
in step). Components never read config: `__main__.py` hands them the values
of a `StackSettings`, which is checked as a whole before any resource exists.
"""

from __future__ import annotations

import json
import re
import zoneinfo
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
from pulumi.runtime.config import CONFIG, get_config_env

from components.logs import RETENTION_DAYS, STATES_LOG_LEVELS
from workflows import schedule

PROJECT = "serverless-workflows"

# A stack name becomes part of every physical name; AWS's shortest limit
# (64 characters for IAM roles) leaves this much room for it.
_STACK_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,19}$")


class ConfigError(ValueError):
    """A stack config value the program cannot deploy."""


def _default_payload() -> dict[str, Any]:
    return {"Payload": "This is a test."}


@dataclass(frozen=True)
class StackSettings:
    """What one stack (environment) deploys. Field comments give the config key."""

    stack: str
    aws_region: str | None = None
    """`aws:region`; None leaves it to the AWS provider's usual lookup (AWS_REGION...)."""
    schedule_expression: str = "rate(1 minute)"
    """`scheduleExpression`: when the scheduled workflow runs."""
    schedule_timezone: str = "UTC"
    """`scheduleTimezone`: IANA time zone that cron and at expressions are read in."""
    schedule_enabled: bool = True
    """`scheduleEnabled`: false deploys the schedule DISABLED."""
    schedule_payload: Mapping[str, Any] = field(default_factory=_default_payload)
    """`schedulePayload`: the scheduled execution's input, a JSON object."""
    log_level: str = "ALL"
    """`logLevel`: Step Functions execution log level."""
    log_retention_days: int = 14
    """`logRetentionDays`: retention of every log group the program creates."""
    tracing_enabled: bool = True
    """`tracingEnabled`: X-Ray tracing for state machines and functions."""

    @property
    def name_prefix(self) -> str:
        """Stem of every physical name, so that stacks can share an account."""
        return f"{PROJECT}-{self.stack}"

    @property
    def tags(self) -> dict[str, str]:
        return {"project": PROJECT, "stack": self.stack, "managed-by": "pulumi"}

    @classmethod
    def from_pulumi(cls) -> StackSettings:
        """Read and check the current stack's config."""
        # The engine hands config to the SDK either explicitly or through PULUMI_CONFIG.
        configured = set(CONFIG.get()) | set(get_config_env())
        return cls.from_config(pulumi.Config(), pulumi.Config("aws"), pulumi.get_stack(), configured)

    @classmethod
    def from_config(
        cls, config: pulumi.Config, aws_config: pulumi.Config, stack: str, configured_keys: Iterable[str] = ()
    ) -> StackSettings:
        reader = _Reader(config, stack)
        reader.refuse_unknown(configured_keys)
        if not _STACK_NAME.match(stack):
            raise ConfigError(
                f"Stack name {stack!r} cannot be used: physical AWS names are built from it, so it must be "
                "1 to 20 lowercase letters, digits or '-', starting with a letter or digit. "
                "Create one with: pulumi stack init <name>"
            )
        defaults = cls(stack=stack)
        return cls(
            stack=stack,
            aws_region=aws_config.get("region"),
            schedule_expression=reader.schedule_expression("scheduleExpression", defaults.schedule_expression),
            schedule_timezone=reader.timezone("scheduleTimezone", defaults.schedule_timezone),
            schedule_enabled=reader.boolean("scheduleEnabled", defaults.schedule_enabled),
            schedule_payload=reader.json_object("schedulePayload", defaults.schedule_payload),
            log_level=reader.choice("logLevel", defaults.log_level, STATES_LOG_LEVELS),
            log_retention_days=reader.integer_choice("logRetentionDays", defaults.log_retention_days, RETENTION_DAYS),
            tracing_enabled=reader.boolean("tracingEnabled", defaults.tracing_enabled),
        )


KNOWN_KEYS = frozenset(
    f"{PROJECT}:{key}"
    for key in (
        "scheduleExpression",
        "scheduleTimezone",
        "scheduleEnabled",
        "schedulePayload",
        "logLevel",
        "logRetentionDays",
        "tracingEnabled",
    )
)


class _Reader:
    """Reads raw config strings and explains a bad one with the command that fixes it."""

    def __init__(self, config: pulumi.Config, stack: str) -> None:
        self._config = config
        self._stack = stack

    def _fail(self, key: str, raw: str, allowed: str, example: str) -> ConfigError:
        return ConfigError(
            f"Config {PROJECT}:{key} = {raw!r} is not valid: {allowed}. "
            f"Fix it with: pulumi config set {key} {example} --stack {self._stack}"
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

    def schedule_expression(self, key: str, default: str) -> str:
        raw = self._config.get(key)
        if raw is None:
            return default
        try:
            return schedule.parse(raw).text
        except schedule.ScheduleExpressionError as error:
            raise self._fail(key, raw, f"{error}; examples: {schedule.EXAMPLES}", f"'{default}'") from None

    def timezone(self, key: str, default: str) -> str:
        raw = self._config.get(key)
        if raw is None:
            return default
        if raw in zoneinfo.available_timezones() or raw == "UTC":
            return raw
        raise self._fail(key, raw, "use an IANA time zone name such as UTC, Europe/Paris or America/New_York", default)

    def boolean(self, key: str, default: bool) -> bool:
        raw = self._config.get(key)
        if raw is None:
            return default
        if raw.lower() in ("true", "false"):
            return raw.lower() == "true"
        raise self._fail(key, raw, "use true or false", str(default).lower())

    def choice(self, key: str, default: str, allowed: tuple[str, ...]) -> str:
        raw = self._config.get(key)
        if raw is None:
            return default
        if raw in allowed:
            return raw
        raise self._fail(key, raw, f"use one of {', '.join(allowed)}", default)

    def integer_choice(self, key: str, default: int, allowed: tuple[int, ...]) -> int:
        raw = self._config.get(key)
        if raw is None:
            return default
        if raw.strip().isdigit() and int(raw) in allowed:
            return int(raw)
        raise self._fail(key, raw, f"use one of {', '.join(map(str, allowed))}", str(default))

    def json_object(self, key: str, default: Mapping[str, Any]) -> Mapping[str, Any]:
        raw = self._config.get(key)
        if raw is None:
            return default
        example = f"--path '{key}.Payload' 'This is a test.'"
        try:
            value = json.loads(raw)
        except json.JSONDecodeError:
            raise self._fail(key, raw, "it must be a JSON object", example) from None
        if not isinstance(value, dict):
            raise self._fail(key, raw, "it must be a JSON object, not a " + type(value).__name__, example)
        return value
