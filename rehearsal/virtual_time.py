"""Virtual time for the rehearsal's executions: a Wait or a retry's backoff takes no real time.

Each execution has its own clock (`ExecutionClock`), and each thread moto's engine runs for
that execution keeps its own place on it (`ThreadTime`): real time plus the seconds that
thread skipped by waiting. Waiting moves a thread's place forward at once; a thread the engine
starts (a Parallel branch, a Map iteration, a Task's attempt) starts where the thread that
started it stands, and every move forward is carried up to the threads waiting on it, so a
Parallel whose branches each wait an hour ends one virtual hour later, as on AWS.

Nothing here changes the process's clock: `time.time`, botocore's request signing, moto's
other timestamps and every thread that is not running an execution see real time. The
execution's own timeout follows its virtual clock: a wait that would pass it ends the
execution there, TIMED_OUT, as AWS would.

Where moto reads the time or waits, and how each is redirected here, is in
`rehearsal/moto_patches.py`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any


class ExecutionClock:
    """One execution's clock: when it started, and the deadline its TimeoutSeconds sets."""

    def __init__(self, started: datetime) -> None:
        self.started = started
        self.deadline: datetime | None = None
        self.timed_out = False
        self._on_timeout: Callable[[], None] | None = None
        self._lock = threading.Lock()
        self.moving = threading.Lock()
        """Held while a thread moves forward, so that concurrent branches never lose a move."""

    def set_deadline(self, seconds: float, on_timeout: Callable[[], None]) -> None:
        """The execution times out `seconds` after it started; `on_timeout` ends it then."""
        self.deadline = self.started + timedelta(seconds=seconds)
        self._on_timeout = on_timeout

    def time_out(self) -> None:
        with self._lock:
            if self.timed_out:
                return
            self.timed_out = True
            on_timeout = self._on_timeout
        if on_timeout is not None:
            on_timeout()


class ThreadTime:
    """Where one thread of an execution stands on its clock: real time plus `offset` seconds.

    `offset` counts the waits of the thread and of the threads it started (it resumes after
    them); `base`, only those of its own line of work: a branch it starts beside another one
    starts at `base`, not after its sibling's waits."""

    def __init__(self, clock: ExecutionClock, offset: float = 0.0, parent: ThreadTime | None = None) -> None:
        self.clock = clock
        self.offset = offset
        self.base = offset
        self.parent = parent

    def now(self) -> datetime:
        return datetime.now(UTC) + timedelta(seconds=self.offset)

    def advance(self, seconds: float) -> bool:
        """Skip `seconds`; False when the execution's deadline came first (the thread then stands
        at the deadline, and the execution has timed out)."""
        deadline = self.clock.deadline
        reached = True
        with self.clock.moving:
            if deadline is not None:
                left = (deadline - self.now()).total_seconds()
                if seconds >= left:
                    seconds, reached = max(0.0, left), False
            # A thread waits after whatever it started has ended.
            self.base = self.offset = max(self.base, self.offset) + seconds
            # The threads waiting on this one (its parents) cannot resume before it ends.
            parent = self.parent
            while parent is not None:
                parent.offset = max(parent.offset, self.offset)
                parent = parent.parent
        if not reached:
            self.clock.time_out()
        return reached


_bound = threading.local()


def current() -> ThreadTime | None:
    """The calling thread's place on its execution's clock; None outside an execution."""
    found: ThreadTime | None = getattr(_bound, "time", None)
    return found


def now() -> datetime:
    """The time as the calling thread's execution sees it (real time outside an execution), in UTC."""
    here = current()
    return here.now() if here is not None else datetime.now(UTC)


def sleep(seconds: float) -> bool:
    """Wait `seconds`: virtually inside an execution, really outside one. False when the
    execution timed out first."""
    here = current()
    if here is None:
        time.sleep(seconds)
        return True
    reached = here.advance(seconds)
    # A workflow that loops on a Wait must not starve moto's other threads.
    time.sleep(0)
    return reached


@contextmanager
def bound(thread_time: ThreadTime) -> Iterator[ThreadTime]:
    """Run the calling thread's code at `thread_time` on its execution's clock."""
    before = current()
    _bound.time = thread_time
    try:
        yield thread_time
    finally:
        _bound.time = before


class InheritingThread(threading.Thread):
    """A thread the one creating it waits for: it starts where its creator stands on the
    execution's clock (after everything its creator waited for)."""

    fan_out = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._creator = current()
        self._start = 0.0
        if self._creator is not None:
            self._start = self._creator.base if self.fan_out else self._creator.offset

    def run(self) -> None:
        creator = self._creator
        if creator is None:
            super().run()
            return
        with bound(ThreadTime(creator.clock, self._start, parent=creator)):
            super().run()


class FanOutThread(InheritingThread):
    """One of several threads started side by side (a Parallel's branches, a Map's iterations): each
    starts where its creator's own line of work stands, whatever its siblings already waited."""

    fan_out = True


class VirtualDatetime(datetime):
    """`datetime.datetime` whose `now()` is the calling thread's execution time."""

    @classmethod
    def now(cls, tz: Any = None) -> Any:
        stamp = now()
        # As datetime.now: without a zone, naive local time.
        return stamp.astimezone(tz) if tz is not None else stamp.astimezone().replace(tzinfo=None)
