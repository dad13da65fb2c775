"""Regenerate the component package's pinned schema, `components/plugin/schema.json`.

    PYTHONPATH=components .venv/bin/python scripts/plugin_schema.py     # or: make schema

The schema is what Pulumi's component analyzer reads off the components' annotations and docstrings
(`serverless_workflows.provider`): the resources, their inputs and outputs, and the nested types
that a program in another language may use. tests/test_plugin.py fails while the file differs from
what the code generates, so that a change of the components' arguments is a change of this file
too, reviewed in its diff: a renamed, retyped or removed input breaks the programs that use it.
"""

import json
from pathlib import Path

from serverless_workflows.provider import schema

PINNED = Path(__file__).resolve().parents[1] / "components" / "plugin" / "schema.json"


def text() -> str:
    """The schema as the pinned file holds it."""
    return json.dumps(schema(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    PINNED.write_text(text(), encoding="utf-8")
    print(f"wrote {PINNED}")
