"""Lambda handlers of the call-center workflow.

This package is deployed as it is: it imports only the standard library and
nothing from the infrastructure code, so it runs the same in Lambda and in tests.
"""
