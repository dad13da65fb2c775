"""Stack settings: the one place that reads `pulumi config`.

Every key is declared here with its default and the values it allows; the
same defaults and descriptions stand in `Pulumi.yaml` (a test keeps the two
in step). Components never read config: `__main__.py` hands them the values
of a `StackSettings`, which is checked as a whole before any resource exists.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi

from components.logs import RETENTION_DAYS, STATES_LOG_LEVELS

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
        return cls.from_config(pulumi.Config(), pulumi.Config("aws"), pulumi.get_stack())

    @classmethod
    def from_config(cls, config: pulumi.Config, aws_config: pulumi.Config, stack: str) -> StackSettings:
        reader = _Reader(config, stack)
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
            schedule_expression=reader.text("scheduleExpression", defaults.schedule_expression),
            schedule_enabled=reader.boolean("scheduleEnabled", defaults.schedule_enabled),
            schedule_payload=reader.json_object("schedulePayload", defaults.schedule_payload),
            log_level=reader.choice("logLevel", defaults.log_level, STATES_LOG_LEVELS),
            log_retention_days=reader.integer_choice("logRetentionDays", defaults.log_retention_days, RETENTION_DAYS),
            tracing_enabled=reader.boolean("tracingEnabled", defaults.tracing_enabled),
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

    def text(self, key: str, default: str) -> str:
        raw = self._config.get(key)
        if raw is None:
            return default
        if not raw.strip():
            raise self._fail(key, raw, "it must not be empty", f"'{default}'")
        return raw.strip()

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
