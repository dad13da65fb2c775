"""The serverless-workflows policy pack: `pulumi preview --policy-pack policy`.

Every rule lives in rules.py as a plain function; this file only hands them
to CrossGuard, one stack-validation policy per rule, so that rules which
compare resources (a function and its log group) see the whole stack.

The project rules on definitions are configurable: `scripts/stack.sh` passes
`--policy-pack-config` with each rule's enforcement level in the stack, and the
state machines whose catalogue entry sets that rule's level itself (`exempt`).
"""

from __future__ import annotations

from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyConfigSchema,
    PolicyPack,
    ReportViolation,
    StackValidationArgs,
    StackValidationPolicy,
)

# The pack runs with this folder as its root, so its sibling module is `rules`.
from rules import (  # type: ignore[import-not-found, unused-ignore]
    ADVISORY,
    EXEMPT,
    MANDATORY,
    RULES,
    Resource,
    Rule,
    not_exempt,
)

PACK_NAME = "serverless-workflows"
LEVELS = {MANDATORY: EnforcementLevel.MANDATORY, ADVISORY: EnforcementLevel.ADVISORY}
EXEMPT_SCHEMA = PolicyConfigSchema(properties={EXEMPT: {"type": "array", "items": {"type": "string"}, "default": []}})


def as_policy(rule: Rule) -> StackValidationPolicy:
    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        resources = [Resource(r.resource_type, r.name, r.props) for r in args.resources]
        if rule.house_rule:
            resources = not_exempt(resources, args.get_config().get(EXEMPT) or [])
        for name, message in rule.check(resources):
            report_violation(f"{name}: {message}", None)

    return StackValidationPolicy(
        name=rule.name,
        description=rule.description,
        validate=validate,
        enforcement_level=LEVELS[rule.enforcement],
        config_schema=EXEMPT_SCHEMA if rule.house_rule else None,
    )


def policies() -> list[Policy]:
    return [as_policy(rule) for rule in RULES]


if __name__ == "__main__":
    PolicyPack(name=PACK_NAME, policies=policies())
