"""The account quotas a stack would reach (preflight.py): warned past a default, refused past a maximum."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

import preflight
from bench.scale import catalogue_of
from rehearsal.program import ProgramRun
from serverless_workflows.monitoring_plan import MAX_DASHBOARD_WIDGETS, dashboard_body, dashboard_pages
from tests.support import SUITE_CATALOGUE, TUTORIALS, Deploy
from workflows.monitored import monitored

# What each quota counts, as the program declares it.
DECLARED = {
    preflight.IAM_ROLES: "aws:iam/role:Role",
    preflight.SCHEDULE_GROUPS: "aws:scheduler/scheduleGroup:ScheduleGroup",
    preflight.STATE_MACHINES: "aws:sfn/stateMachine:StateMachine",
    preflight.TABLES: "aws:dynamodb/table:Table",
}


def test_what_a_stack_needs_is_what_the_program_declares(deploy: Deploy) -> None:
    run = deploy(catalogue=SUITE_CATALOGUE)
    needed = preflight.needs(SUITE_CATALOGUE)
    assert set(needed) == set(preflight.QUOTAS) == set(DECLARED)
    assert {quota: len(run.of_type(token)) for quota, token in DECLARED.items()} == needed
    assert all(needed.values()), "the suite's catalogue declares some of everything counted"


def test_two_hundred_workflows_of_five_functions_warn_about_the_role_quota(tmp_path: Path) -> None:
    catalogue = catalogue_of(200, tmp_path)
    needed = preflight.needs(catalogue)
    # Per workflow its role and its scheduler's, and a role per function: 200 x 7.
    assert needed[preflight.IAM_ROLES] == 1_400
    (warning,) = preflight.check(needed)
    assert warning.startswith(
        "quota: this stack alone needs 1,400 of IAM 'Roles per account' (per account), past its default of 1,000; "
        "raise it in the Service Quotas console, up to 5,000"
    )
    # And every one of them is charted, on pages CloudWatch accepts.
    watched = [monitored(spec, lambda name: name) for spec in catalogue]
    pages = dashboard_pages(watched)
    assert [flow.name for page in pages for flow in page] == [spec.name for spec in catalogue]
    index = [(f"page {n}", f"https://{n}") for n in range(len(pages))]
    assert max(len(dashboard_body(page, "", index=index)["widgets"]) for page in pages) <= MAX_DASHBOARD_WIDGETS
    assert len(pages) == 6  # 200 x 13 widgets, 38 workflows to a page of 499


def test_a_stack_past_what_aws_ever_allows_is_refused() -> None:
    with pytest.raises(preflight.QuotaError, match=r"needs 5,001 of IAM 'Roles per account' \(per account\); AWS "
                       r"allows at most 5,000 even raised"):  # fmt: skip
        preflight.check({preflight.IAM_ROLES: 5_001})
    # A quota without a documented maximum is never a refusal, whatever the count.
    assert len(preflight.check({preflight.SCHEDULE_GROUPS: 10**6})) == 1
    assert preflight.check({quota: quota.default for quota in preflight.QUOTAS}) == []


def test_the_program_warns_and_refuses_before_anything_is_declared(
    deploy: Deploy, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The tutorials under a role quota of 5: their 8 roles (3 of the workflows, 5 of the functions)
    # are past its default, then past its maximum.
    monkeypatch.setattr(preflight, "IAM_ROLES", dataclasses.replace(preflight.IAM_ROLES, default=5))
    warned = deploy(catalogue=TUTORIALS, into=ProgramRun())
    assert [w for w in warned.warnings if w.startswith("quota: ")] == [
        f"quota: this stack alone needs 8 of IAM 'Roles per account' (per account), past its default of 5; "
        f"raise it in the Service Quotas console, up to 5,000, or pulumi up fails once the account's run out "
        f"({preflight.IAM_ROLES.source})"
    ]
    monkeypatch.setattr(preflight, "IAM_ROLES", dataclasses.replace(preflight.IAM_ROLES, maximum=5))
    declared = ProgramRun()
    with pytest.raises(preflight.QuotaError, match="needs 8 of IAM 'Roles per account'"):
        deploy(catalogue=TUTORIALS, into=declared)
    assert declared.resources == []
