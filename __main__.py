"""serverless-workflows: the workflows of the catalogue as one Pulumi program.

    workflows/catalogue.py  the workflows this project deploys, one entry each (data)
    settings.py             stack config, read and checked in one place
    deployment.py           catalogue + settings -> components: checks everything, then declares
    preflight.py            the AWS account quotas the stack would reach
    components/             the package serverless_workflows: Workflow, HandlerFunction and Monitoring,
                            the reusable building blocks, on the definitions' model and validator (asl/)
    handlers/               the Lambda code (imports nothing from the infrastructure)

The catalogue holds the two AWS tutorials: a Hello World state machine
started every minute by EventBridge Scheduler, and a call-center workflow of
five Lambda functions. A team adds its own workflows there.

Nothing is declared at import time: Pulumi runs this file as `__main__`, and
tests load it under another name and call `main()` under mocks.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws

import deployment
import preflight
from settings import StackSettings
from workflows import cost
from workflows.catalogue import CATALOGUE
from workflows.outputs import COST_OUTPUT
from workflows.spec import WorkflowSpec, check_catalogue


def main(catalogue: tuple[WorkflowSpec, ...] = CATALOGUE) -> dict[str, pulumi.Output[Any]]:
    # The catalogue first: reading the stack's settings already uses its entries (a schedule's
    # payload), and an entry of the wrong type would fail there with a traceback.
    check_catalogue(catalogue)
    settings = StackSettings.from_pulumi(catalogue)
    # Every workflow is checked before anything is declared: a broken one must
    # stop `pulumi preview`, not fail halfway through `pulumi up`.
    plans = deployment.plan(catalogue, settings)
    # The account's quotas this stack alone would reach: a warning past a default, a refusal
    # past what no account may have (preflight.py).
    for warning in preflight.check(preflight.needs(catalogue)):
        pulumi.log.warn(warning)
    # What this stack will cost a month, from its config (workflows/cost.py); its errors too
    # come before anything is declared.
    estimate = cost.stack_estimate(catalogue, settings, definitions={plan.spec.name: plan.definition for plan in plans})

    # Every resource gets the project and stack tags through this provider.
    provider = aws.Provider(
        "aws",
        region=settings.aws_region,
        profile=settings.aws_profile,
        allowed_account_ids=list(settings.aws_allowed_account_ids) or None,
        default_tags={"tags": settings.tags},
    )
    stack = deployment.declare(plans, settings, pulumi.ResourceOptions(providers=[provider]))

    outputs = deployment.stack_outputs(stack)
    outputs[COST_OUTPUT] = pulumi.Output.from_input(estimate)
    for key, value in outputs.items():
        pulumi.export(key, value)
    return outputs


if __name__ == "__main__":
    try:
        main()
    except ValueError as error:
        # Every refusal of bad config, a bad catalogue entry or definition is a ValueError with a
        # message that names the fix; RunError makes Pulumi print that message without a traceback.
        raise pulumi.RunError(str(error)) from None
