"""The catalogue: the workflows this project deploys, as ASL files and entries, with their schema,
the stack output contract, the cost estimate and the diagrams.

Nothing here imports Pulumi or boto3, so the deploy program, the operations
tooling and the tests all read the catalogue the same way.
"""
