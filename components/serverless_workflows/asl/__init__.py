"""Amazon States Language definitions: their model, their validator and the IAM each task needs.

Pure Python, without the Pulumi SDK: the components check and grant from it before declaring
anything, and tools (the catalogue's cost estimate and diagrams) read definitions through it.
"""
