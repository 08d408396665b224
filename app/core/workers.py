"""The work the lab can run: slow counters and array mutators, one step at a time.

A *job* does its work in :meth:`Job.step` calls and says how long to pause between
steps (:attr:`Job.pause`). It does not know which thread runs it: the
:class:`~app.core.lab.Lab` either gives each job its own thread (pacing with
``stop_event.wait(pause)``) or runs all jobs in turn on the calling thread (the
"GUI thread" mode that freezes the window).

Element-by-element mutators are pure-Python loops: they hold the GIL for every
element and so compete with the GUI thread for it. Their vectorised twins do one
numpy operation per pass, which runs in C.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Callable

from .params import COUNTER_COUNT, COUNTER_DELAY, PERIOD, check_float, check_int
from .shared import SharedArray
from .words import times

ShouldStop = Callable[[], bool]
Say = Callable[[str], None]

#: How many elements an element-wise pass handles between two looks at the stop flag.
CHUNK = 2048
#: Short lock waits are summed up in one line this often (they come many times a second).
LOCK_SUMMARY_S = 2.0
#: A lock wait this long or longer is told on its own.
LONG_WAIT_S = 0.5


@dataclass(frozen=True)
class Settings:
    """Parameters shared by every job of one run (checked on creation)."""

    period: float = PERIOD.default
    counter_delay: float = COUNTER_DELAY.default
    counter_count: int = int(COUNTER_COUNT.default)

    def __post_init__(self) -> None:
        check_float(PERIOD, self.period)
        check_float(COUNTER_DELAY, self.counter_delay)
        check_int(COUNTER_COUNT, self.counter_count)


class WaitTally:
    """A worker's lock waits, told so that they do not bury the log.

    The first wait after a quiet spell of :data:`LOCK_SUMMARY_S` is told in full (when it
    starts and when it ends), and so is any wait of :data:`LONG_WAIT_S` or more (someone
    held the lock a long time: the GUI's Acquire Lock, say); the short waits in between,
    which come many times a second when two mutators share the lock, are summed up in one
    line every :data:`LOCK_SUMMARY_S`. ``now`` is ``time.monotonic()``, passed in.
    """

    def __init__(self) -> None:
        self.said_at = -math.inf  # when a line was last said
        self._full = False  # this wait is told in full
        self._count, self._seconds, self._longest = 0, 0.0, 0.0  # short waits not said yet

    def starting(self, now: float) -> str | None:
        """A wait begins: the line to say now, if any."""
        self._full = now - self.said_at >= LOCK_SUMMARY_S
        if self._full:
            self.said_at = now
            return "waiting for the lock: another thread holds it"
        return None

    def ended(self, waited: float, now: float, got: bool) -> str | None:
        """The wait is over (``got``: it took the lock): the line to say now, if any."""
        if not got:
            return None
        if self._full or waited >= LONG_WAIT_S:
            self.said_at = now
            return f"got the lock after waiting {waited:.2f} s"
        self._count += 1
        self._seconds += waited
        self._longest = max(self._longest, waited)
        if now - self.said_at < LOCK_SUMMARY_S:
            return None
        line = (f"waited for the lock {times(self._count)} more in the last {now - self.said_at:.1f} s: "
                f"{self._seconds:.2f} s in all, the longest {self._longest:.3f} s")
        self.said_at = now
        self._count, self._seconds, self._longest = 0, 0.0, 0.0
        return line


@dataclass
class JobStats:
    """What a job did, counted by the job itself (read by tests and the display)."""

    steps: int = 0
    lock_waits: int = 0  # times the shared lock was held by another thread when wanted
    lock_wait_seconds: float = 0.0


@dataclass
class Job:
    """One unit of work, stepped by a thread. Subclasses implement :meth:`step`."""

    name: str
    shared: SharedArray
    settings: Settings
    say: Say
    stats: JobStats = field(default_factory=JobStats)
    waits: WaitTally = field(default_factory=WaitTally)  # how its lock waits are told

    @property
    def pause(self) -> float:
        """Seconds to wait between two steps."""
        return self.settings.period

    def step(self, should_stop: ShouldStop) -> bool:
        """Do one step; return ``False`` when the job has nothing more to do."""
        raise NotImplementedError


class Counter(Job):
    """Say 1, 2, 3, ... one number per ``counter_delay`` until ``counter_count``."""

    @property
    def pause(self) -> float:
        return self.settings.counter_delay

    def step(self, should_stop: ShouldStop) -> bool:
        self.stats.steps += 1
        self.say(str(self.stats.steps))
        return self.stats.steps < self.settings.counter_count


class FailingCounter(Counter):
    """Count to 3, then divide by zero: shows where a worker's exception goes."""

    def step(self, should_stop: ShouldStop) -> bool:
        if self.stats.steps == 3:
            return bool(1 / 0)
        return super().step(should_stop)


class ArrayMutator(Job):
    """A job that changes the shared array one pass per step, under the lock if asked."""

    def step(self, should_stop: ShouldStop) -> bool:
        if not self.shared.use_lock:
            self._counted_pass(should_stop)
        elif self._acquire(should_stop):
            try:
                self._counted_pass(should_stop)
            finally:
                self.shared.lock.release()
        return True

    def _counted_pass(self, should_stop: ShouldStop) -> None:
        self.one_pass(should_stop)
        self.stats.steps += 1  # inside the lock: a reader holding it sees a settled count

    def _acquire(self, should_stop: ShouldStop) -> bool:
        """Take the shared lock; while another thread holds it, wait (stoppable) and say so
        (in sums when waits come many times a second: see :class:`WaitTally`)."""
        lock = self.shared.lock
        if lock.acquire(blocking=False):
            return True
        self.stats.lock_waits += 1
        began = time.monotonic()
        said = self.waits.starting(began)
        if said:
            self.say(said)
        got = lock.acquire_unless(should_stop)  # one recorded wait; asks should_stop as it goes
        ended = time.monotonic()
        self.stats.lock_wait_seconds += ended - began
        said = self.waits.ended(ended - began, ended, got)
        if said:
            self.say(said)
        return got

    def one_pass(self, should_stop: ShouldStop) -> None:
        """Change every element once (stop early if asked)."""
        raise NotImplementedError


class ElementwiseMutator(ArrayMutator):
    """Apply ``operation`` to one element at a time in a Python loop."""

    front: int | None = None  # the element the pass under way has got to (None between passes)

    def operation(self, value: float) -> float:
        raise NotImplementedError

    def one_pass(self, should_stop: ShouldStop) -> None:
        data = self.shared.data
        size = data.size
        op = self.operation
        try:
            for start in range(0, size, CHUNK):
                if should_stop():  # cooperative cancellation leaves a part-done pass behind
                    self.say(f"stopped mid-pass: {start:,} of {size:,} elements done")
                    return
                self.front = start  # (read by the plot, which marks where the pass has got to)
                for i in range(start, min(start + CHUNK, size)):
                    data[i] = op(data[i])
        finally:
            self.front = None


class AddOneElementwise(ElementwiseMutator):
    """``a[i] += 1`` for each i, in Python."""

    def operation(self, value: float) -> float:
        return value + 1.0


class DivideElementwise(ElementwiseMutator):
    """``a[i] /= 1.1`` for each i, in Python."""

    def operation(self, value: float) -> float:
        return value / 1.1


class AddOneVectorised(ArrayMutator):
    """``a += 1``: one numpy operation per pass."""

    def one_pass(self, should_stop: ShouldStop) -> None:
        self.shared.data += 1.0


class DivideVectorised(ArrayMutator):
    """``a /= 1.1``: one numpy operation per pass."""

    def one_pass(self, should_stop: ShouldStop) -> None:
        self.shared.data /= 1.1


@dataclass(frozen=True)
class WorkerKind:
    """An entry in the menu of work: key, label for people, and the job class."""

    key: str
    label: str
    job_class: type[Job]

    @property
    def description(self) -> str:
        """First line of the job class's docstring."""
        return (self.job_class.__doc__ or "").strip().splitlines()[0]


KINDS: dict[str, WorkerKind] = {
    kind.key: kind
    for kind in (
        WorkerKind("counter", "Slow counter", Counter),
        WorkerKind("add-elementwise", "Add 1, element-wise", AddOneElementwise),
        WorkerKind("divide-elementwise", "Divide by 1.1, element-wise", DivideElementwise),
        WorkerKind("add-vectorised", "Add 1, vectorised", AddOneVectorised),
        WorkerKind("divide-vectorised", "Divide by 1.1, vectorised", DivideVectorised),
        WorkerKind("failing", "Counter that raises", FailingCounter),
    )
}


def make_job(kind_key: str, name: str, shared: SharedArray, settings: Settings, say: Say) -> Job:
    """Create the job of kind ``kind_key``; ``ValueError`` for an unknown kind."""
    try:
        kind = KINDS[kind_key]
    except KeyError:
        known = ", ".join(KINDS)
        raise ValueError(f"unknown worker kind {kind_key!r}; known kinds: {known}") from None
    return kind.job_class(name=name, shared=shared, settings=settings, say=say)
