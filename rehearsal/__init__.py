"""Running the Pulumi program without the Pulumi CLI or an AWS account.

`program` evaluates `__main__.py` under Pulumi mocks with a stack's config,
exactly as `pulumi preview` would feed it, and records what it declares.
"""
