"""The serverless-workflows policy pack: `pulumi preview --policy-pack policy`.

Every rule lives in rules.py as a plain function; this file only hands them
to CrossGuard, one stack-validation policy per rule, so that rules which
compare resources (a function and its log group) see the whole stack.
"""

from __future__ import annotations

from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyPack,
    ReportViolation,
    StackValidationArgs,
    StackValidationPolicy,
)

# The pack runs with this folder as its root, so its sibling module is `rules`.
from rules import MANDATORY, RULES, Resource, Rule  # type: ignore[import-not-found, unused-ignore]

PACK_NAME = "serverless-workflows"


def as_policy(rule: Rule) -> StackValidationPolicy:
    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        resources = [Resource(r.resource_type, r.name, r.props) for r in args.resources]
        for name, message in rule.check(resources):
            report_violation(f"{name}: {message}", None)

    level = EnforcementLevel.MANDATORY if rule.enforcement == MANDATORY else EnforcementLevel.ADVISORY
    return StackValidationPolicy(
        name=rule.name, description=rule.description, validate=validate, enforcement_level=level
    )


def policies() -> list[Policy]:
    return [as_policy(rule) for rule in RULES]


if __name__ == "__main__":
    PolicyPack(name=PACK_NAME, policies=policies())
