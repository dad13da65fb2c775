"""The names of what each component creates, as pure functions of its arguments.

A child resource has two names: its Pulumi name, which its URN holds (with its parents'
types), and its physical name, the one AWS knows it by. Both are written here and nowhere
else: each component declares its children under these names, and whatever needs a name
before anything is declared (`deployment.plan`'s checks, Monitoring's alarm text, the tests
of the README's table) asks the same function. A physical name that carries the region (IAM
roles and dashboards are global to the account) is a function of the region, since a component
learns its region only from its provider, after its Pulumi names are needed.

A physical name a component is not given is derived here too (`derived_name`), from the
component's Pulumi name and the stack's: deterministic, so that the state machine's ARN, which its
role's trust policy names, is known before it exists.

This module imports neither Pulumi nor boto3, so it can be asked anywhere.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field

# AWS's limits on the names derived here.
MAX_STATE_MACHINE_NAME = 80
"""Step Functions' limit on a state machine's name."""
MAX_SCHEDULED_STATE_MACHINE_NAME = 64
"""A schedule and its group take the state machine's name, and EventBridge Scheduler allows them 64."""
MAX_FUNCTION_NAME = 64
"""Lambda's limit on a function's name."""
ROLE_NAME_LIMIT = 64
"""IAM's limit on a role's name."""
# What a state machine's, a function's and a schedule's name may hold; anything else becomes '-'.
_NOT_IN_A_NAME = re.compile(r"[^A-Za-z0-9_-]")
_HASH_CHARACTERS = 8
_COMPASS = {"north": "n", "south": "s", "east": "e", "west": "w", "central": "c",
            "northeast": "ne", "northwest": "nw", "southeast": "se", "southwest": "sw"}  # fmt: skip


def shortened(name: str, limit: int) -> str:
    """`name`, or past `limit` characters its readable start cut, and a hash of the whole to keep
    it unique and the same on every run."""
    if len(name) <= limit:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:_HASH_CHARACTERS]
    return f"{name[: limit - len(digest) - 1]}-{digest}"


def derived_name(component: str, stack: str, limit: int) -> str:
    """The physical name of a component not given one (a state machine, a function): its Pulumi
    name and the stack's joined by '-', so that stacks can share an account; each character a name
    may not hold ('.', '/', a space...) made '-'; within `limit` (`shortened`)."""
    return shortened(_NOT_IN_A_NAME.sub("-", f"{component}-{stack}"), limit)


def region_code(region: str) -> str:
    """A short, unique form of a region name: us-east-1 -> use1, ap-southeast-2 -> apse2."""
    first, *middle, number = region.split("-") if "-" in region else (region, "")
    return first + "".join(_COMPASS.get(word, word) for word in middle) + number


def role_name(stem: str, purpose: str, region: str) -> str:
    """A role name unique per account and region: IAM names are account-wide, so the same
    stack deployed in two regions would otherwise collide. Past IAM's limit, shortened."""
    return shortened(f"{stem}-{purpose}-{region_code(region)}", ROLE_NAME_LIMIT)


@dataclass(frozen=True)
class Name:
    """A child whose physical name is known from the arguments alone. A names record lists every
    child a component may declare; its arguments decide which it does."""

    pulumi: str
    physical: str


@dataclass(frozen=True)
class Unnamed:
    """A child without a physical name of its own: Pulumi picks one (an inline role policy gets
    its Pulumi name and a random suffix), or AWS has none (a KMS key, a subscription)."""

    pulumi: str


@dataclass(frozen=True)
class RegionalName:
    """A child whose physical name carries the region: `physical_in(region)`."""

    pulumi: str
    physical_in: Callable[[str], str] = field(compare=False, repr=False)


@dataclass(frozen=True)
class ScheduleNames:
    """What a Workflow adds when it has a schedule."""

    group: Name
    """Named like the state machine: a group of its own gives the scheduler role's trust
    condition a source ARN that no other schedule of the account shares."""
    schedule: Name
    dead_letter_queue: Name
    scheduler_role: RegionalName
    scheduler_policy: Unnamed


@dataclass(frozen=True)
class WorkflowNames:
    component: str
    role: RegionalName
    role_policy: Unnamed
    log_group: Name
    """Declared unless the log level is OFF."""
    state_machine: Name
    schedule: ScheduleNames
    """Declared when the workflow has a schedule."""

    def starter_policy(self, number: int) -> Unnamed:
        """The policy on the `number`th (from 1) role of `starters` that lets it start the workflow."""
        return Unnamed(f"{self.component}-starter-{number}")

    def managed_policy(self, number: int) -> tuple[Unnamed, Unnamed]:
        """The `number`th (from 1) customer managed policy that holds what the inline policy cannot
        (IAM's size limit), and its attachment to the role."""
        stem = f"{self.role_policy.pulumi}-{number}"
        return Unnamed(stem), Unnamed(f"{stem}-attachment")


def workflow_names(name: str, state_machine_name: str) -> WorkflowNames:
    """The children of `Workflow(name, args)`, where `state_machine_name` is `args.state_machine_name`."""
    return WorkflowNames(
        component=name,
        role=RegionalName(f"{name}-role", functools.partial(role_name, state_machine_name, "sfn")),
        role_policy=Unnamed(f"{name}-policy"),
        log_group=Name(f"{name}-logs", f"/aws/vendedlogs/states/{state_machine_name}"),
        state_machine=Name(f"{name}-state-machine", state_machine_name),
        schedule=ScheduleNames(
            group=Name(f"{name}-schedule-group", state_machine_name),
            schedule=Name(f"{name}-schedule", state_machine_name),
            dead_letter_queue=Name(f"{name}-dlq", f"{state_machine_name}-schedule-dlq"),
            scheduler_role=RegionalName(
                f"{name}-scheduler-role", functools.partial(role_name, state_machine_name, "scheduler")
            ),
            scheduler_policy=Unnamed(f"{name}-scheduler-policy"),
        ),
    )


@dataclass(frozen=True)
class HandlerFunctionNames:
    component: str
    log_group: Name
    role: RegionalName
    role_policy: Unnamed
    function: Name

    def invoker_policy(self, number: int) -> Unnamed:
        """The policy on the `number`th (from 1) role of `invokers` that lets it invoke the function."""
        return Unnamed(f"{self.component}-invoker-{number}")


def handler_function_names(name: str, function_name: str) -> HandlerFunctionNames:
    """The children of `HandlerFunction(name, args)`, where `function_name` is `args.function_name`."""
    return HandlerFunctionNames(
        component=name,
        # Lambda's own default group, so that nothing else creates a second group for the function.
        log_group=Name(f"{name}-logs", f"/aws/lambda/{function_name}"),
        role=RegionalName(f"{name}-role", functools.partial(role_name, function_name, "fn")),
        role_policy=Unnamed(f"{name}-policy"),
        function=Name(f"{name}-function", function_name),
    )


@dataclass(frozen=True)
class MonitoringNames:
    component: str
    name_prefix: str
    key: Unnamed
    topic: Name
    topic_policy: Unnamed
    email: Unnamed
    dashboard: RegionalName

    def dashboard_page(self, number: int) -> RegionalName:
        """Page `number` (from 1) of the dashboard: the first is the dashboard a stack has always
        had, under the same names, so that splitting it into pages replaces nothing."""
        if number == 1:
            return self.dashboard
        return RegionalName(
            f"{self.dashboard.pulumi}-{number}",
            functools.partial(_page_name, self.dashboard.physical_in, number),
        )

    def alarm(self, alarm_name: str) -> Name:
        """An alarm, by its physical name (`alarm_name`): its Pulumi name has the component's
        name where the physical one has the stack's prefix."""
        return Name(f"{self.component}-{alarm_name.removeprefix(self.name_prefix + '-')}", alarm_name)


def monitoring_names(name: str, name_prefix: str) -> MonitoringNames:
    """The children of `Monitoring(name, args)`, where `name_prefix` is `args.name_prefix`."""
    return MonitoringNames(
        component=name,
        name_prefix=name_prefix,
        key=Unnamed(f"{name}-key"),
        topic=Name(f"{name}-topic", f"{name_prefix}-alarms"),
        topic_policy=Unnamed(f"{name}-topic-policy"),
        email=Unnamed(f"{name}-email"),
        dashboard=RegionalName(f"{name}-dashboard", functools.partial(dashboard_name, name_prefix)),
    )


def alarm_name(name_prefix: str, workflow: str, what: str) -> str:
    """An alarm's physical name: only alarms named `{name_prefix}-...` may publish to the stack's topic."""
    return f"{name_prefix}-{workflow}-{what}"


def _page_name(first: Callable[[str], str], number: int, region: str) -> str:
    return f"{first(region)}-{number}"


def dashboard_name(name_prefix: str, region: str) -> str:
    # Dashboards are global to the account, so their name carries the region, as role names do.
    return f"{name_prefix}-{region_code(region)}"
