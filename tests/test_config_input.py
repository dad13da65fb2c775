"""Config values at the edges: each is refused in one line naming the key, the value, what is
allowed and the command that fixes it, or read the way the Pulumi CLI hands it to the program.

These tests read settings only (no program run): `StackSettings.from_config` for the values the
CLI passes, `StackSettings.from_stack_file` for a stack file `python -m ops cost` reads itself.
"""

from __future__ import annotations

import re

import pytest

from settings import ConfigError, StackSettings
from tests.support import with_config
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
