"""The stack files, read offline as the Pulumi CLI reads them.

`pulumi up` hands the program a stack's config; the tools that run without a
deployment (`python -m ops cost`, `make demo`, the tests) read the same values
from `Pulumi.yaml` (its declared defaults) and `Pulumi.<stack>.yaml` here, with
YAML 1.2's scalars as the CLI reads them. What the values mean is checked by
`settings.py`, the same way for both.

Also the home of what both this reader and the settings need: the project's
name, the stack-name rule, and the config error.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Set
from pathlib import Path
from typing import Any

import yaml

PROJECT = "serverless-workflows"
PROJECT_ROOT = Path(__file__).resolve().parent

# A stack name becomes part of every physical name, so it is kept short.
STACK_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,19}$")
STACK_NAME_RULE = "1 to 20 lowercase letters, digits or '-', starting with a letter or digit"

# The keys a reader without the stack's secrets provider (python -m ops cost) may find
# encrypted: it does not need their values.
READABLE_ENCRYPTED = frozenset({f"{PROJECT}:alarmEmail"})


class ConfigError(ValueError):
    """A stack config value the program cannot deploy."""


class UnknownStackError(ConfigError):
    """A stack name with no Pulumi.<stack>.yaml beside the project."""


def stack_files() -> list[Path]:
    return sorted(PROJECT_ROOT.glob("Pulumi.*.yaml"))


def stack_names() -> list[str]:
    return [path.name.removeprefix("Pulumi.").removesuffix(".yaml") for path in stack_files()]


def stack_config(stack: str) -> dict[str, str]:
    """The config `pulumi` would hand the program for `stack`: the project's declared
    defaults, overridden by `Pulumi.<stack>.yaml`, as strings (an encrypted value as the JSON
    of its `secure:` mapping: this reader has no secrets provider to decrypt it)."""
    return _read_stack_files(stack)[0]


def encrypted_keys(stack: str) -> frozenset[str]:
    """The keys whose value `Pulumi.<stack>.yaml` holds encrypted (`pulumi config set --secret`)."""
    return _read_stack_files(stack)[1]


def readable_stack_config(stack: str) -> dict[str, str]:
    """`stack_config` for a tool without the stack's secrets provider that runs the program
    itself (make demo): an encrypted value it may do without is left out, as if unset; any other
    is refused, as `settings.StackSettings.from_stack_file` refuses it."""
    config, encrypted = _read_stack_files(stack)
    refuse_encrypted(encrypted, stack)
    return {key: value for key, value in config.items() if key not in encrypted}


def refuse_encrypted(encrypted: Set[str], stack: str) -> None:
    """A value this reader cannot decrypt, where the settings need the value to check or use it."""
    unreadable = sorted(encrypted - READABLE_ENCRYPTED)
    if unreadable:
        key = unreadable[0].removeprefix(f"{PROJECT}:")
        readable = ", ".join(sorted(name.removeprefix(f"{PROJECT}:") for name in READABLE_ENCRYPTED))
        raise ConfigError(
            f"Config {unreadable[0]} is encrypted in Pulumi.{stack}.yaml, and the tools that read that "
            f"file (python -m ops cost, make demo) have no secrets provider to decrypt it (only {readable} may "
            f"be encrypted). Fix it with: pulumi config set {key} VALUE --plaintext --stack {stack}"
        )


def _read_stack_files(stack: str) -> tuple[dict[str, str], frozenset[str]]:
    """`stack_config`, and the keys whose value the stack file holds encrypted (`pulumi config
    set --secret`): both from one reading of the files."""
    known = stack_names()
    listed = f"stacks: {', '.join(known) or 'none'}"
    # Checked before the path is built: '../dev' or 'Dev' is not a stack, whatever files exist.
    if not STACK_NAME.match(stack):
        raise UnknownStackError(f"There is no stack {stack!r} here: a stack name is {STACK_NAME_RULE}; {listed}")
    stack_file = PROJECT_ROOT / f"Pulumi.{stack}.yaml"
    if not stack_file.is_file():
        near = difflib.get_close_matches(stack, known, n=1)
        guess = f"Did you mean {near[0]}? " if near else ""
        raise UnknownStackError(
            f"There is no stack {stack!r} here (no {stack_file.name}); {listed}. {guess}"
            f"To add a stack named {stack}: make deploy STACK={stack} NEW=1 "
            "(see docs/delivery.md#adding-an-environment)"
        )
    config: dict[str, str] = {}
    for key, declaration in _config_section(PROJECT_ROOT / "Pulumi.yaml").items():
        if isinstance(declaration, dict) and "default" in declaration:
            config[qualify(str(key))] = _as_config_string(declaration["default"])
    section = _config_section(stack_file)
    for key, value in section.items():
        config[qualify(str(key))] = _as_config_string(value)
    return config, frozenset(qualify(str(key)) for key, value in section.items() if _is_encrypted(value))


def _is_encrypted(value: object) -> bool:
    # How Pulumi writes a `--secret` value: a mapping of the one key `secure` to the ciphertext.
    return isinstance(value, dict) and len(value) == 1 and isinstance(value.get("secure"), str)


class _PulumiYamlLoader(yaml.SafeLoader):
    """PyYAML's safe loader, with the booleans and integers of YAML 1.2's core schema. PyYAML reads
    YAML 1.1, where `yes` is true and `030` is octal 24; the Pulumi CLI hands the program a config
    value as the text written, so `pulumi up` sees the string "yes" and logRetentionDays 30.
    Floats still follow PyYAML's YAML 1.1 rules (`1e3` stays a string); no top-level key takes one."""


_BOOL_TAG = "tag:yaml.org,2002:bool"
_INT_TAG = "tag:yaml.org,2002:int"
# YAML 1.2 has no timestamps; a YAML 1.1 date (2030-01-31) in an object value would otherwise
# become a Python date, which is not JSON.
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_PulumiYamlLoader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag not in {_BOOL_TAG, _INT_TAG, _TIMESTAMP_TAG}]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_PulumiYamlLoader.add_implicit_resolver(_BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
# Decimal, 0o octal and 0x hexadecimal: no 1.1 octal (030), binary, underscores or sexagesimal (1:30).
_PulumiYamlLoader.add_implicit_resolver(
    _INT_TAG, re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"), list("-+0123456789")
)


def _construct_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int:
    text = loader.construct_scalar(node)
    try:
        return int(text, 0) if text.startswith(("0o", "0x")) else int(text, 10)
    except ValueError:
        # Python converts at most 4,300 digits.
        raise yaml.constructor.ConstructorError(
            None, None, f"an integer of {len(text):,} digits is too long", node.start_mark
        ) from None


_PulumiYamlLoader.add_constructor(_INT_TAG, _construct_int)


def _config_section(path: Path) -> dict[str, Any]:
    """The `config:` mapping of a Pulumi YAML file, or a ConfigError saying what is wrong with it."""
    try:
        # A subclass of SafeLoader: it builds plain data only.
        document = yaml.load(path.read_text(encoding="utf-8"), Loader=_PulumiYamlLoader)
    except RecursionError:
        # Nesting deeper than PyYAML's recursive composer goes: no stack config needs that.
        raise ConfigError(f"{path.name} cannot be read as YAML: it is nested too deeply") from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise ConfigError(f"{path.name} cannot be read as YAML: {error}".replace("\n", " ")) from None
    if document is None:
        return {}
    if not isinstance(document, dict):
        # Read as "no config", a list would give the defaults silently, though pulumi refuses the file.
        raise ConfigError(
            f"{path.name}: the top level must be a mapping (config: and its keys, as in Pulumi.dev.yaml), "
            f"not a {type(document).__name__}"
        )
    section = document.get("config")
    if section is None:
        return {}
    if not isinstance(section, dict):
        raise ConfigError(f"{path.name}: `config:` must be a mapping of keys to values, not a {type(section).__name__}")
    return section


def qualify(key: str) -> str:
    return key if ":" in key else f"{PROJECT}:{key}"


def _as_config_string(value: Any) -> str:
    # The CLI passes structured values as JSON and scalars as their YAML text.
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return str(value)
