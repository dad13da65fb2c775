"""Operations tooling on boto3: start, follow and read Step Functions executions.

Works the same against a deployed stack and against the in-memory AWS of the
offline rehearsal; it imports nothing from the Pulumi program.
"""
