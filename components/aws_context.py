"""Where the program deploys: account, region and partition, looked up once per component.

The values come from the AWS provider's own lookups (the credentials and
region `pulumi up` runs with), not from config or the environment.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws


@dataclass(frozen=True)
class AwsContext:
    account_id: pulumi.Output[str]
    region: pulumi.Output[str]
    partition: pulumi.Output[str]

    @classmethod
    def lookup(cls, parent: pulumi.Resource) -> AwsContext:
        opts = pulumi.InvokeOutputOptions(parent=parent)
        return cls(
            account_id=aws.get_caller_identity_output(opts=opts).account_id,
            region=aws.get_region_output(opts=opts).region,
            partition=aws.get_partition_output(opts=opts).partition,
        )


def console_host(partition: str) -> str:
    """The AWS console's host name in a partition (China and GovCloud have their own)."""
    return {"aws-cn": "console.amazonaws.cn", "aws-us-gov": "console.amazonaws-us-gov.com"}.get(
        partition, "console.aws.amazon.com"
    )


def console_url(state_machine_arn: str) -> str:
    """The Step Functions console page of a state machine, from its ARN alone."""
    partition, region = state_machine_arn.split(":")[1], state_machine_arn.split(":")[3]
    host = console_host(partition)
    return f"https://{region}.{host}/states/home?region={region}#/statemachines/view/{state_machine_arn}"
