"""The components served to Pulumi's other languages (TypeScript, Go, C#, Java, YAML): the component
package `serverless-workflows`, whose entry is `components/plugin/` (docs/components.md).

Pulumi's Python SDK serves them (`pulumi.provider.experimental`): its analyzer reads the schema off
the components' annotations and docstrings, and its provider builds a component from the inputs a
program in another language sends (`Construct`). `ComponentPackage` is that provider, with three
differences from the SDK's own `component_provider_host`:

- a refusal of an argument (an ArgumentError, raised before anything is declared) reaches the other
  language as one line naming the property's path as that language spells it
  (schedule.retryAttempts); a refusal of the whole (a problem in the definition, which names its
  states) as one line too; the SDK would wrap either in a Python stack trace;
- a whole number arrives as the int a program wrote, in a definition or a payload too, not as the
  float the engine carries it as, and a map's keys in one order, not in the engine's, which varies;
- the schema's descriptions are the docstrings without the indentation of their source, which
  the generated SDKs would otherwise carry into every doc comment.
"""

import inspect
import json
import sys
from typing import Any

import pulumi
import pulumi.provider
from pulumi.errors import InputPropertiesError, InputPropertyError
from pulumi.provider.experimental.component import ComponentProvider
from pulumi.provider.experimental.util import camel_case
from pulumi.provider.server import ComponentInitError

from serverless_workflows import __version__
from serverless_workflows.asl.definition import DefinitionError
from serverless_workflows.handler_function import HandlerFunction
from serverless_workflows.lambda_package import PackagingError
from serverless_workflows.monitoring import Monitoring
from serverless_workflows.refusals import ArgumentError, ArgumentPath, Key, RefusalError
from serverless_workflows.workflow import Workflow

# The first part of every type token (serverless-workflows:index:Workflow), and what a program's
# Pulumi.yaml names the package by.
PACKAGE_NAME = "serverless-workflows"
COMPONENTS: tuple[type[pulumi.ComponentResource], ...] = (Workflow, HandlerFunction, Monitoring)
# A refusal of the arguments as a whole: the components' own, a definition's problems, a handler that
# cannot be packaged.
REFUSALS: tuple[type[ValueError], ...] = (RefusalError, DefinitionError, PackagingError)


class ComponentPackage(ComponentProvider):
    """The provider of Workflow, HandlerFunction and Monitoring, at this package's version."""

    def __init__(self) -> None:
        super().__init__(list(COMPONENTS), PACKAGE_NAME, version=__version__)
        # The analyzer's schema, which ComponentProvider always sets, as GetSchema answers it.
        self.document: dict[str, Any] = _tidied(json.loads(self.schema or "{}"))
        self.schema = json.dumps(self.document)

    def construct(
        self,
        name: str,
        resource_type: str,
        inputs: pulumi.Inputs,
        options: pulumi.ResourceOptions | None = None,
    ) -> pulumi.provider.ConstructResult:
        try:
            return super().construct(name, resource_type, _as_sent(inputs), options)
        except ComponentInitError as failure:
            refusal = failure.inner
            # What the components refuse before declaring anything; any other exception (a ValueError
            # from a bug too) is a fault, and keeps the stack trace that locates it.
            if isinstance(refusal, ArgumentError):
                raise InputPropertyError(property_path(refusal.path), one_line(str(refusal))) from None
            if isinstance(refusal, REFUSALS):
                raise InputPropertiesError(one_line(str(refusal))) from None
            raise


def one_line(message: str) -> str:
    """A refusal as one line: a refusal of the definition lists its problems a line each, which an
    engine's one-line diagnostic would cut or break up."""
    return " ".join(line.strip() for line in message.splitlines() if line.strip())


def property_path(path: ArgumentPath) -> str:
    """An argument's place as the engine reads a property path, in the schema's spelling: a field
    camelCased as the analyzer names it, a map's key quoted, a list's index in brackets
    (`functions["Fn"].timeoutSeconds`)."""
    written = ""
    for step in path:
        if isinstance(step, int):
            written += f"[{step}]"
        elif isinstance(step, Key):
            written += f"[{json.dumps(step.key)}]"
        else:
            written += f"{'.' if written else ''}{camel_case(step)}"
    return written


def _as_sent(value: Any) -> Any:
    """`value` as the program sent it, as far as the engine lets that be known, in maps and lists too:

    - a whole float made an int: the engine carries every number as a double (a protobuf Struct),
      so the 60 a program wrote in a definition's TimeoutSeconds arrives as 60.0, which Step
      Functions refuses there, and a payload's 3 would reach an execution as 3.0;
    - a map's keys sorted: a Struct keeps no order, so a definition's would change from run to run,
      and with it the state machine's definition text, which Pulumi would then update each time.

    Only plain values are read: an output's value comes from a resource, not from the program."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: _as_sent(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [_as_sent(item) for item in value]
    return value


def _tidied(node: Any) -> Any:
    """The schema with each description as `inspect.cleandoc` leaves a docstring."""
    if isinstance(node, dict):
        return {
            key: inspect.cleandoc(value) if key == "description" and isinstance(value, str) else _tidied(value)
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_tidied(item) for item in node]
    return node


def schema() -> dict[str, Any]:
    """The package's schema, as the provider answers GetSchema."""
    return ComponentPackage().document


def serve() -> None:
    """Serve the components to the Pulumi engine, as the language host starts a plugin: its command
    line holds the engine's address (the SDK's `main` reads it); prints the port, then answers
    until the engine stops it."""
    pulumi.provider.main(ComponentPackage(), sys.argv[1:])
