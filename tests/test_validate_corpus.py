"""The validator against AWS's own: a corpus of valid and broken definitions, and the verdicts
`amazon-states-language-service` (the validator the AWS Toolkit runs) gave them.

The verdicts are recorded in tests/fixtures/asl/oracle-verdicts.json by
`node scripts/asl-oracle/oracle.js --record tests/fixtures/asl` (after `npm ci` in
scripts/asl-oracle), so this test needs no Node. Where the language service accepts
something AWS's documentation refuses, expected.json says why, and the
documentation wins.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from workflows.asl_checks import asl_problems

CORPUS = Path(__file__).resolve().parent / "fixtures" / "asl"
ORACLE: dict[str, dict[str, Any]] = json.loads((CORPUS / "oracle-verdicts.json").read_text())
EXPECTED: dict[str, dict[str, Any]] = json.loads((CORPUS / "expected.json").read_text())
VALID = sorted(str(path.relative_to(CORPUS)) for path in (CORPUS / "valid").glob("*.asl.json"))
INVALID = sorted(str(path.relative_to(CORPUS)) for path in (CORPUS / "invalid").glob("*.asl.json"))


def load(name: str) -> object:
    document: object = json.loads((CORPUS / name).read_text())
    return document


def test_the_corpus_is_large_enough_and_fully_recorded() -> None:
    assert len(VALID) >= 40
    assert len(INVALID) >= 60
    assert sorted(ORACLE) == sorted(VALID + INVALID), "re-run the oracle: the corpus changed"
    assert sorted(EXPECTED) == INVALID


@pytest.mark.parametrize("name", VALID)
def test_a_valid_definition_is_accepted_as_aws_accepts_it(name: str) -> None:
    assert ORACLE[name]["valid"], f"the oracle refuses {name}: {ORACLE[name]['diagnostics']}"
    assert [str(p) for p in asl_problems(load(name))] == []


@pytest.mark.parametrize("name", INVALID)
def test_a_broken_definition_is_refused_with_the_expected_problem(name: str) -> None:
    expected = EXPECTED[name]
    workflow_type = expected.get("workflow_type", "STANDARD")
    assert [str(p) for p in asl_problems(load(name), workflow_type=workflow_type)] == expected["problems"]
    assert all(not p.project_rule for p in asl_problems(load(name), workflow_type=workflow_type))


@pytest.mark.parametrize("name", INVALID)
def test_we_refuse_what_the_oracle_refuses_and_say_why_when_it_does_not(name: str) -> None:
    reason = EXPECTED[name].get("oracle_accepts_because")
    if ORACLE[name]["valid"]:
        assert reason, f"the oracle accepts {name}; record why AWS's documentation refuses it, or fix the file"
    else:
        assert reason is None, f"the oracle refuses {name} too; drop its stale oracle_accepts_because"


@pytest.mark.parametrize("name", [n for n in INVALID if n.startswith("invalid/express_")])
def test_express_only_problems_are_fine_in_a_standard_workflow(name: str) -> None:
    assert EXPECTED[name]["workflow_type"] == "EXPRESS"
    assert asl_problems(load(name), workflow_type="STANDARD") == []


def test_a_workflow_of_request_response_tasks_and_inline_maps_is_a_valid_express_workflow() -> None:
    assert asl_problems(load("valid/express_friendly.asl.json"), workflow_type="EXPRESS") == []
