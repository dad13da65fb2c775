"""The config a stack's files give the program, read the way the Pulumi CLI reads them.

Light on purpose (PyYAML only), so that `python -m ops cost` can use it
without loading the Pulumi SDK.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PROJECT = "serverless-workflows"


def stack_files() -> list[Path]:
    return sorted(PROJECT_ROOT.glob("Pulumi.*.yaml"))


def stack_config(stack: str) -> dict[str, str]:
    """The config `pulumi` would hand the program for `stack`: the project's
    declared defaults, overridden by `Pulumi.<stack>.yaml`, as strings."""
    project = yaml.safe_load((PROJECT_ROOT / "Pulumi.yaml").read_text())
    config: dict[str, str] = {}
    for key, declaration in (project.get("config") or {}).items():
        if isinstance(declaration, dict) and "default" in declaration:
            config[qualify(key)] = _as_config_string(declaration["default"])
    stack_file = PROJECT_ROOT / f"Pulumi.{stack}.yaml"
    if stack_file.exists():
        for key, value in (yaml.safe_load(stack_file.read_text()).get("config") or {}).items():
            config[qualify(key)] = _as_config_string(value)
    return config


def qualify(key: str) -> str:
    return key if ":" in key else f"{PROJECT}:{key}"


def _as_config_string(value: Any) -> str:
    # The CLI passes structured values as JSON and scalars as their YAML text.
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return str(value)
