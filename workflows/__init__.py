"""Workflow definitions: ASL files and the pure-Python code that loads them.

Nothing here imports Pulumi or boto3, so the deploy program, the operations
tooling and the tests all read the definitions the same way.
"""
