"""Pulumi's resource transforms, given to a component, reach every child it declares (issue 24).

The engine applies a resource's transforms, then each ancestor's, nearest first, then the stack's
(pulumi/pulumi pkg/resource/deploy/source_eval.go); the SDK sends each resource only its own. Pulumi's
mock monitor runs none of them (pulumi/runtime/mocks.py: "The mock monitor does not run them"), so
the monitor here does what the engine does. A child declared without `parent=self`, or a component
that drops the options it is given, leaves children the transform never sees.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pulumi
import pytest
from pulumi.runtime import rpc
from pulumi.runtime.mocks import MockMonitor, MockResourceArgs, _resolve_callbacks
from pulumi.runtime.proto import resource_pb2
from pulumi.runtime.sync_await import _ensure_event_loop, _sync_await

from rehearsal import fake_aws
from serverless_workflows.handler_function import HandlerFunction, HandlerFunctionArgs
from serverless_workflows.monitoring import Monitoring, MonitoringArgs, monitored
from serverless_workflows.workflow import ScheduleArgs, Workflow, WorkflowArgs
from workflows.catalogue import SCHEDULED

pytestmark = pytest.mark.program

DEFINITION = json.loads(SCHEDULED.definition_path.read_text())
TAG = {"cost-centre": "orders"}


@dataclass(frozen=True)
class Registered:
    urn: str
    type: str
    name: str
    parent: str
    custom: bool
    props: dict[str, Any]


class EngineTransforms(MockMonitor):
    """A mock monitor that runs transforms as the engine does, and keeps what it registered."""

    def __init__(self, mocks: pulumi.runtime.Mocks) -> None:
        super().__init__(mocks)
        self.registered: list[Registered] = []
        self._parents: dict[str, str] = {}
        self._own: dict[str, list[Callable[..., Any]]] = {}

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 - gRPC method name
        urn = self.make_urn(request.parent, request.type, request.name)
        if request.type == "pulumi:pulumi:Stack":
            return resource_pb2.RegisterResourceResponse(urn=urn)
        _ensure_event_loop()  # type: ignore[no-untyped-call]  # deserialising needs one, as MockMonitor's does
        own = _resolve_callbacks(request.transforms)
        chain, ancestor = list(own), request.parent
        while ancestor:
            chain += self._own.get(ancestor, [])
            ancestor = self._parents.get(ancestor, "")
        chain += self._stack_transforms
        props = rpc.deserialize_properties(request.object)
        for transform in chain:
            result = transform(
                pulumi.ResourceTransformArgs(
                    request.custom, request.type, request.name, props, pulumi.ResourceOptions()
                )
            )
            if asyncio.iscoroutine(result):
                result = _sync_await(result)
            if result is not None:
                props = result.props
        self._parents[urn], self._own[urn] = request.parent, own
        self.registered.append(Registered(urn, request.type, request.name, request.parent, request.custom, props))
        id_, state = self.mocks.new_resource(
            MockResourceArgs(request.type, request.name, props, request.provider, custom=request.custom)
        )
        self.resources[urn] = MockMonitor.ResourceRegistration(urn, id_ or "", state)
        return resource_pb2.RegisterResourceResponse(
            urn=urn, id=id_ or "", object=_sync_await(rpc.serialize_properties(state, {}))
        )


class _Mocks(pulumi.runtime.Mocks):
    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        return fake_aws.new_resource(args)

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        return fake_aws.call(args), []


def tag(args: pulumi.ResourceTransformArgs) -> pulumi.ResourceTransformResult | None:
    """Tag every custom resource, as a team's cost allocation would."""
    if not args.custom:
        return None
    props: dict[str, Any] = dict(args.props)
    # The engine hands a transform the registered inputs, resolved: the tags, if any, are a plain map.
    props["tags"] = {**(props.get("tags") or {}), **TAG}
    return pulumi.ResourceTransformResult(props, args.opts)


def declared_with(build: Callable[[pulumi.ResourceOptions], object]) -> list[Registered]:
    """What `build` declares, given options carrying the `tag` transform, as the engine would register it."""
    mocks = _Mocks()
    monitor = EngineTransforms(mocks)
    pulumi.runtime.set_mocks(mocks, project="serverless-workflows", stack="dev", monitor=monitor)

    @pulumi.runtime.test  # type: ignore[untyped-decorator]
    def evaluate() -> None:
        build(pulumi.ResourceOptions(transforms=[tag]))

    evaluate()
    return monitor.registered


def subtree(registered: list[Registered], component: str) -> set[str]:
    """The URNs of the component named `component` and of everything under it, at any depth."""
    below = {r.urn for r in registered if r.name == component and not r.custom}
    for resource in registered:  # each registered after its parent
        if resource.parent in below:
            below.add(resource.urn)
    return below


def tagged(resource: Registered) -> bool:
    return (resource.props.get("tags") or {}).get("cost-centre") == "orders"


def scheduled_workflow(opts: pulumi.ResourceOptions) -> None:
    schedule = ScheduleArgs(expression="rate(1 day)")
    Workflow("flow", WorkflowArgs(definition_document=DEFINITION, schedule=schedule), opts)


def plain_workflow(opts: pulumi.ResourceOptions) -> None:
    Workflow("flow", WorkflowArgs(definition_document=DEFINITION, starters=["reporter"]), opts)


def handler_function(opts: pulumi.ResourceOptions) -> None:
    HandlerFunction("flow", HandlerFunctionArgs(handler="handlers.call_center.open_case", invokers=["reporter"]), opts)


def monitoring(opts: pulumi.ResourceOptions) -> None:
    # The workflow it watches is declared without the transform: only Monitoring's children get it.
    schedule = ScheduleArgs(expression="rate(1 day)")
    watched = Workflow("watched", WorkflowArgs(definition_document=DEFINITION, schedule=schedule))
    args = MonitoringArgs(name_prefix="team", workflows=[monitored(watched)], alarm_email="oncall@example.com")
    Monitoring("flow", args, opts)


@pytest.mark.parametrize(
    ("build", "least"),
    [(scheduled_workflow, 9), (plain_workflow, 5), (handler_function, 5), (monitoring, 10)],
    ids=["workflow-with-schedule", "workflow", "handler-function", "monitoring"],
)
def test_a_transform_given_to_a_component_reaches_every_child(
    build: Callable[[pulumi.ResourceOptions], None], least: int
) -> None:
    registered = declared_with(build)
    given = subtree(registered, "flow")
    children = [r for r in registered if r.urn in given and r.custom]
    assert len(children) >= least, [child.name for child in children]
    assert [child.name for child in children if not tagged(child)] == []
    # Each resource is under the component, or under the one declared without the transform.
    spared = subtree(registered, "watched")
    strays = [
        r.name
        for r in registered
        if r.custom and not r.type.startswith("pulumi:providers:") and r.urn not in given | spared
    ]
    assert strays == [], "declared without the component as its parent"
    assert not any(tagged(r) for r in registered if r.urn in spared)


def test_the_transform_stays_with_the_component_it_was_given_to() -> None:
    def build(opts: pulumi.ResourceOptions) -> None:
        Workflow("tagged", WorkflowArgs(definition_document=DEFINITION), opts)
        Workflow("other", WorkflowArgs(definition_document=DEFINITION))

    registered = declared_with(build)
    under_tagged = {r.name for r in registered if r.urn in subtree(registered, "tagged") and r.custom}
    assert under_tagged
    assert {r.name for r in registered if tagged(r)} == under_tagged
