"""Where the program deploys: account, region and partition, looked up once per provider.

The values come from the AWS provider's own lookups (the credentials and
region `pulumi up` runs with), not from config or the environment.
"""

from __future__ import annotations

import weakref
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
        """Where `parent`'s AWS resources go. Each lookup is three calls to the AWS provider, so
        components given the same provider share one: a stack of 200 workflows of five functions
        makes 3 calls instead of 3,600. Without an explicit provider (the default one) each
        component looks up for itself."""
        provider = parent.get_provider("aws::")
        if provider is not None and provider in _LOOKED_UP:
            return _LOOKED_UP[provider]
        opts = pulumi.InvokeOutputOptions(parent=parent)
        found = cls(
            account_id=aws.get_caller_identity_output(opts=opts).account_id,
            region=aws.get_region_output(opts=opts).region,
            partition=aws.get_partition_output(opts=opts).partition,
        )
        if provider is not None:
            _LOOKED_UP[provider] = found
        return found


# By provider, for as long as the provider exists: one per deployment (and per test program).
_LOOKED_UP: weakref.WeakKeyDictionary[pulumi.ProviderResource, AwsContext] = weakref.WeakKeyDictionary()


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
