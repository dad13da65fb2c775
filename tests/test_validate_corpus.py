"""The validator against AWS's own: a corpus of valid and broken definitions, and the verdicts
`amazon-states-language-service` (the validator the AWS Toolkit runs) gave them.

The verdicts are recorded in tests/fixtures/asl/oracle-verdicts.json by
`node scripts/asl-oracle/oracle.js --record tests/fixtures/asl` (after `npm ci` in
scripts/asl-oracle), so this test needs no Node. Where the language service accepts
what the validator finds wrong, expected.json says what that service does not check, and
decisions.md whether the validator refuses it (AWS's documentation says the service does,
cited) or warns about it (it does not say so).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from serverless_workflows.asl.asl_checks import asl_findings, asl_problems, asl_warnings

CORPUS = Path(__file__).resolve().parent / "fixtures" / "asl"
ORACLE: dict[str, dict[str, Any]] = json.loads((CORPUS / "oracle-verdicts.json").read_text())
EXPECTED: dict[str, dict[str, Any]] = json.loads((CORPUS / "expected.json").read_text())
VALID = sorted(str(path.relative_to(CORPUS)) for path in (CORPUS / "valid").glob("*.asl.json"))
INVALID = sorted(str(path.relative_to(CORPUS)) for path in (CORPUS / "invalid").glob("*.asl.json"))
DECISIONS_PAGE = CORPUS / "decisions.md"
DECISION_ROW = re.compile(r"^\| `(?P<case>[^`]+)` \| (?P<decision>[^|]+?) \| (?P<source>.*) \|$")


def load(name: str) -> object:
    document: object = json.loads((CORPUS / name).read_text())
    return document


def test_the_corpus_is_large_enough_and_fully_recorded() -> None:
    assert len(VALID) >= 40
    assert len(INVALID) >= 60
    assert sorted(ORACLE) == sorted(VALID + INVALID), "re-run the oracle: the corpus changed"
    assert sorted(EXPECTED) == INVALID


def decisions() -> dict[str, list[tuple[str, str]]]:
    """Case -> its (decision, source) rows in decisions.md: one each when the record is whole."""
    rows: dict[str, list[tuple[str, str]]] = {}
    for line in DECISIONS_PAGE.read_text().splitlines():
        if found := DECISION_ROW.match(line):
            rows.setdefault(found["case"], []).append((found["decision"], found["source"]))
    return rows


@pytest.mark.parametrize("name", VALID)
def test_a_valid_definition_is_accepted_as_aws_accepts_it_without_a_warning(name: str) -> None:
    assert ORACLE[name]["valid"], f"the oracle refuses {name}: {ORACLE[name]['diagnostics']}"
    assert [str(p) for p in asl_findings(load(name))] == []


@pytest.mark.parametrize("name", INVALID)
def test_a_broken_definition_gets_the_expected_refusals_and_warnings(name: str) -> None:
    expected = EXPECTED[name]
    workflow_type = expected.get("workflow_type", "STANDARD")
    assert [str(p) for p in asl_problems(load(name), workflow_type=workflow_type)] == expected["problems"]
    assert [str(p) for p in asl_warnings(load(name), workflow_type=workflow_type)] == expected.get("warnings", [])
    assert all(not p.project_rule for p in asl_findings(load(name), workflow_type=workflow_type))


@pytest.mark.parametrize("name", INVALID)
def test_we_refuse_what_the_oracle_refuses_and_say_why_when_it_does_not(name: str) -> None:
    reason = EXPECTED[name].get("oracle_accepts_because")
    if ORACLE[name]["valid"]:
        assert reason, f"the oracle accepts {name}; say what it does not check, or fix the file"
    else:
        assert reason is None, f"the oracle refuses {name} too; drop its stale oracle_accepts_because"
        assert EXPECTED[name]["problems"], f"the oracle refuses {name}, so the validator must refuse it too"


def test_every_case_the_oracle_accepts_has_one_recorded_decision_and_no_other_case_has_one() -> None:
    recorded = decisions()
    accepted = [name for name in INVALID if ORACLE[name]["valid"]]
    assert sorted(recorded) == accepted
    assert [name for name, rows in recorded.items() if len(rows) != 1] == []


@pytest.mark.parametrize("name", [name for name in INVALID if ORACLE[name]["valid"]])
def test_each_decision_is_what_the_validator_does_and_names_its_source(name: str) -> None:
    ((decision, source),) = decisions()[name]
    assert decision in ("refuse", "warn")
    assert source
    if decision == "refuse":
        # Refused only where AWS's documentation says the service refuses it, and that page is cited.
        assert "https://docs.aws.amazon.com/step-functions/" in source
        assert EXPECTED[name]["problems"], f"{name} is recorded as refused, but the validator only warns"
    else:
        assert EXPECTED[name]["problems"] == [], f"{name} is recorded as a warning, but the validator refuses it"
        assert EXPECTED[name].get("warnings"), f"{name} is recorded as a warning, but nothing is warned"


def test_a_custom_states_error_name_is_a_warning_as_recorded() -> None:
    """AWS's own published definitions raise and catch names such as States.QuorumMet and deploy them."""
    catcher = {"ErrorEquals": ["States.QuorumMet"], "Next": "Done"}
    raise_it = {"Type": "Fail", "Error": "States.QuorumMet"}
    document = {
        "StartAt": "Try",
        "States": {
            "Try": {"Type": "Parallel", "Branches": [{"StartAt": "Raise", "States": {"Raise": raise_it}}],
                    "Catch": [catcher], "End": True},
            "Done": {"Type": "Succeed"},
        },
    }  # fmt: skip
    assert asl_problems(document) == []
    (warning,) = asl_warnings(document)
    assert "'States.QuorumMet' is not an error Step Functions defines" in warning.message
    assert "your own error names must not start with 'States.'" in warning.message
    assert "The `States.` prefix" in DECISIONS_PAGE.read_text()


@pytest.mark.parametrize("name", [n for n in INVALID if n.startswith("invalid/express_")])
def test_express_only_problems_are_fine_in_a_standard_workflow(name: str) -> None:
    assert EXPECTED[name]["workflow_type"] == "EXPRESS"
    assert asl_problems(load(name), workflow_type="STANDARD") == []


def test_a_workflow_of_request_response_tasks_and_inline_maps_is_a_valid_express_workflow() -> None:
    assert asl_problems(load("valid/express_friendly.asl.json"), workflow_type="EXPRESS") == []
