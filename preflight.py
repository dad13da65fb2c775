"""The AWS account quotas a stack would reach, checked before anything is declared.

Each quota is AWS's documented default (what a new account has) and, where AWS documents one,
the most it can be raised to. A stack shares its account with others, and an account may have
had its quota raised, so going past a default is a warning that names the quota and where to
raise it; going past a documented maximum, which no account can have, is a refusal: the
deployment would certainly fail halfway.

What the stack creates that AWS documents no account quota for is not counted: NOT_COUNTED
names each, with the page that says so.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from workflows.spec import Table, WorkflowSpec


@dataclass(frozen=True)
class Quota:
    name: str
    """As the Service Quotas console names it."""
    service: str
    scope: str
    default: int
    maximum: int | None
    """The most it can be raised to, where AWS documents one; None: not documented."""
    source: str


IAM_ROLES = Quota(
    "Roles per account", "IAM", "per account", 1_000, 5_000,
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html",
)  # fmt: skip
SCHEDULE_GROUPS = Quota(
    "Schedule groups", "EventBridge Scheduler", "per account and Region", 500, None,
    "https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-schedule-group.html",
)  # fmt: skip
STATE_MACHINES = Quota(
    "Maximum number of registered state machines", "Step Functions", "per account and Region", 100_000, 150_000,
    "https://docs.aws.amazon.com/step-functions/latest/dg/limits-overview.html",
)  # fmt: skip
TABLES = Quota(
    "Maximum number of tables", "DynamoDB", "per account and Region", 2_500, 10_000,
    "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html",
)  # fmt: skip
QUOTAS = (IAM_ROLES, SCHEDULE_GROUPS, STATE_MACHINES, TABLES)


@dataclass(frozen=True)
class NoQuota:
    """Something a stack creates many of, for which AWS's quota page (`source`) documents no
    account quota; the docs' quota section says what the page documents instead."""

    what: str
    source: str


CLOUDWATCH_QUOTAS = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_limits.html"
# As read on 2026-12-07: no limit on the total number of alarms per account; limits per dashboard
# (its widgets, kept by monitoring_plan.dashboard_pages, and its metrics) but none on how many.
# SQS: quotas per queue, none on how many.
NOT_COUNTED = (
    NoQuota("CloudWatch alarms", CLOUDWATCH_QUOTAS),
    NoQuota("CloudWatch dashboards", CLOUDWATCH_QUOTAS),
    NoQuota(
        "SQS queues", "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-queues.html"
    ),
)


class QuotaError(ValueError):
    """A stack that needs more of something than any AWS account may have."""


def needs(catalogue: Iterable[WorkflowSpec]) -> dict[Quota, int]:
    """How much of each quota a stack of `catalogue` takes: per workflow its execution role, its
    state machine, and with a schedule a scheduler role and a schedule group of its own; per
    function its role; per Table integration a table. (tests/test_preflight.py holds these to
    what the program declares.)"""
    specs = list(catalogue)
    scheduled = sum(spec.schedule is not None for spec in specs)
    return {
        IAM_ROLES: len(specs) + scheduled + sum(len(spec.functions) for spec in specs),
        SCHEDULE_GROUPS: scheduled,
        STATE_MACHINES: len(specs),
        TABLES: sum(isinstance(integration, Table) for spec in specs for integration in spec.integrations),
    }


def check(needed: Mapping[Quota, int]) -> list[str]:
    """One warning per quota a stack goes past by default; QuotaError for one past its documented maximum."""
    warnings = []
    for quota, count in needed.items():
        what = f"{quota.service} {quota.name!r} ({quota.scope})"
        if quota.maximum is not None and count > quota.maximum:
            raise QuotaError(
                f"this stack alone needs {count:,} of {what}; AWS allows at most {quota.maximum:,} even "
                f"raised ({quota.source}). Split the catalogue across stacks in different accounts or Regions."
            )
        if count > quota.default:
            raised = f", up to {quota.maximum:,}" if quota.maximum is not None else ""
            warnings.append(
                f"quota: this stack alone needs {count:,} of {what}, past its default of {quota.default:,}; "
                f"raise it in the Service Quotas console{raised}, or pulumi up fails once the account's run "
                f"out ({quota.source})"
            )
    return warnings
