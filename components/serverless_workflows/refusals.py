"""What a component refuses of its arguments: one argument, and where it is, or the whole.

Kept apart from `arguments`, with no Pulumi import, so that the checks which `ops cost` runs
without the Pulumi SDK (the monitoring plan's) can say where a refused argument is too: the
component provider names it to other languages as they spell it (schedule.retryAttempts).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Key:
    """A map's key, one step of the way to an argument."""

    key: str


# The way from a component's arguments to one of them: a field by its Python name, a map's entry by
# its Key, a list's item by its index.
ArgumentPath = tuple[str | Key | int, ...]


class RefusalError(ValueError):
    """What a component refuses of its arguments as a whole, before anything is declared (a task that
    cannot be granted least privilege, a role's policies past IAM's limits, alarm names that collide):
    the component provider tells another language so in one line, where any other exception is a
    fault and keeps the stack trace that locates it."""


class ArgumentError(RefusalError):
    """A refusal of one argument, which says where it is (`path`): the component provider names it
    to other languages as they spell it (schedule.retryAttempts for schedule.retry_attempts)."""

    def __init__(self, message: str, path: ArgumentPath) -> None:
        super().__init__(message)
        self.path = path


def dotted(path: ArgumentPath) -> str:
    """`path` as the refusals write it: schedule.retry_attempts, functions.Fn.arn, layers[2]."""
    written = ""
    for step in path:
        if isinstance(step, int):
            written += f"[{step}]"
        else:
            written += f"{'.' if written else ''}{step.key if isinstance(step, Key) else step}"
    return written
