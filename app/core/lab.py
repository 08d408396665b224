"""The owner of the workers: starts them, stops them, joins them, and keeps their errors.

One :class:`Lab` holds the shared array, the log and the stop Event. It runs a set
of jobs (see :mod:`app.core.workers`) in one of two ways:

* :meth:`Lab.start`: one real Python thread per job. Each thread paces itself with
  ``stop_event.wait(pause)``, so :meth:`Lab.request_stop` is seen within one pause
  (or one chunk of an element-wise pass), and :meth:`Lab.join` waits with a bound
  and names any thread that did not end in time.
* :meth:`Lab.run_here`: every job in turn on the *calling* thread, for a fixed
  duration. Called from the GUI thread, this freezes the window on purpose.

An exception in a job is caught in the thread that raised it, written to the log
with its traceback, and kept on the worker's :class:`WorkerHandle`; the other
workers go on.
"""

from __future__ import annotations

import time
import traceback
from dataclasses import dataclass, field
from typing import Callable, Mapping

from . import logbook
from .logbook import LogBook
from .primitives import Event, Thread
from .recorder import Recorder
from .params import DURATION, JOIN_TIMEOUT, WORKERS_PER_KIND, check_float, check_int
from .shared import SharedArray
from .words import plural
from .workers import KINDS, Job, Settings, make_job


@dataclass
class WorkerHandle:
    """A job and the thread that runs it, with the error it ended with, if any."""

    job: Job
    thread: Thread | None = None
    error: BaseException | None = None
    traceback: str = ""

    @property
    def name(self) -> str:
        """The job's name, which is also its thread's name."""
        return self.job.name

    def is_alive(self) -> bool:
        """True while the worker's thread runs."""
        return self.thread is not None and self.thread.is_alive()


@dataclass(frozen=True)
class JoinReport:
    """Result of waiting for the workers: who is still running, and how long it took."""

    stragglers: list[str]
    seconds: float

    @property
    def all_ended(self) -> bool:
        """True when every worker thread has ended."""
        return not self.stragglers


@dataclass(frozen=True)
class RunReport:
    """Result of :meth:`Lab.run_here`: how long the caller was busy, and what failed."""

    seconds: float
    steps: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def check_counts(counts: Mapping[str, int]) -> dict[str, int]:
    """Validate ``{kind: how many}``; at least one worker in all. Raises ``ValueError``."""
    checked: dict[str, int] = {}
    for key, count in counts.items():
        if key not in KINDS:
            raise ValueError(f"unknown worker kind {key!r}; known kinds: {', '.join(KINDS)}")
        if count:
            checked[key] = check_int(WORKERS_PER_KIND, count)
    if not checked:
        raise ValueError("choose at least one worker: every count is zero")
    return checked


def check_duration(duration: float | None) -> float | None:
    """``None`` (run until stopped) or a duration inside :data:`DURATION`."""
    return None if duration is None else check_float(DURATION, duration)


class Lab:
    """Owns the shared array, the log, the stop Event and the worker threads.

    The workers, the stop Event and the shared lock are instrumented
    (:mod:`app.core.primitives`) and record into :attr:`recorder`, the shared array's.
    """

    def __init__(self, shared: SharedArray | None = None, log: LogBook | None = None) -> None:
        self.shared = shared if shared is not None else SharedArray()
        self.log = log if log is not None else LogBook()
        self.recorder: Recorder = self.shared.recorder
        self.stop_event = Event("stop", recorder=self.recorder)
        self.workers: list[WorkerHandle] = []
        self._deadline: float | None = None
        self._stop_requested_at: float | None = None
        # Set by a signal handler: a plain attribute, because a handler runs between two
        # bytecodes of the main thread and must not take a lock (Event.set takes one).
        self.interrupted = False

    # -- state -------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        """True while any worker thread of the last :meth:`start` is alive."""
        return any(w.is_alive() for w in self.workers)

    def alive(self) -> list[WorkerHandle]:
        """The workers whose threads are still running."""
        return [w for w in self.workers if w.is_alive()]

    @property
    def errors(self) -> list[WorkerHandle]:
        """Workers of the last run that ended with an exception."""
        return [w for w in self.workers if w.error is not None]

    def resize(self, size: int) -> None:
        """Refill the array with its start value, at a new size if given."""
        self._refuse_while_running("change the array")
        self.shared.reset(size)

    # -- threads -----------------------------------------------------------------------
    def start(
        self,
        counts: Mapping[str, int],
        settings: Settings | None = None,
        duration: float | None = None,
    ) -> list[WorkerHandle]:
        """Start ``counts[kind]`` threads of each kind; they run until stopped or ``duration``."""
        self._refuse_while_running("start")
        jobs = self._make_jobs(check_counts(counts), settings or Settings(), self._say_as_thread)
        self._begin(check_duration(duration))
        self.workers = [WorkerHandle(job) for job in jobs]
        for handle in self.workers:
            # daemon: if a worker ignores the stop Event past the join timeout, the
            # app can still exit; join() reports such a worker by name.
            handle.thread = Thread(
                target=self._thread_body, args=(handle,), name=handle.name, daemon=True,
                recorder=self.recorder,
            )
        try:
            for handle in self.workers:
                handle.thread.start()
        except BaseException:
            self.stop()  # never leave half a run behind
            self.workers = []
            raise
        return list(self.workers)

    def request_stop(self) -> None:
        """Ask every worker to stop; returns at once (see :meth:`join`)."""
        if self._stop_requested_at is None:
            self._stop_requested_at = time.monotonic()
        self.stop_event.set()

    def join(self, timeout: float = JOIN_TIMEOUT.default) -> JoinReport:
        """Wait up to ``timeout`` s in all for the workers; report the ones still alive."""
        timeout = check_float(JOIN_TIMEOUT, timeout)
        began = time.monotonic()
        end = began + timeout
        for handle in self.workers:
            if handle.thread is not None and handle.thread.ident is not None:  # started
                handle.thread.join(max(0.0, end - time.monotonic()))
        stragglers = [w.name for w in self.alive()]
        since = began if self._stop_requested_at is None else self._stop_requested_at
        for name in stragglers:
            self.log.write(f"{name} is still running {time.monotonic() - since:.1f} s after the stop "
                           "request", logbook.NOTE, thread="lab")
        return JoinReport(stragglers, time.monotonic() - began)

    def stop(self, timeout: float = JOIN_TIMEOUT.default) -> JoinReport:
        """:meth:`request_stop`, then :meth:`join` with ``timeout``."""
        self.request_stop()
        return self.join(timeout)

    # -- the calling thread ------------------------------------------------------------
    def run_here(
        self, counts: Mapping[str, int], settings: Settings | None = None, duration: float = DURATION.default
    ) -> RunReport:
        """Run the jobs in turn on the calling thread for ``duration`` s; block until done.

        Each job is stepped when its pause is over, earliest first: a tiny cooperative
        scheduler, which is what one thread must do to look after several jobs.
        """
        self._refuse_while_running("run on this thread")
        duration = check_float(DURATION, duration)
        jobs = self._make_jobs(check_counts(counts), settings or Settings(), self._say_as_job)
        self.workers = [WorkerHandle(job) for job in jobs]
        self._begin(duration)
        began = time.monotonic()
        due = {id(h): began for h in self.workers}
        pending = list(self.workers)
        while pending and not self._should_stop():
            handle = min(pending, key=lambda h: due[id(h)])
            if self._pace(due[id(handle)] - time.monotonic()):
                break
            if not self._step_guarded(handle):
                pending.remove(handle)
            due[id(handle)] = time.monotonic() + handle.job.pause
        seconds = time.monotonic() - began
        return RunReport(
            seconds,
            {h.name: h.job.stats.steps for h in self.workers},
            [f"{h.name}: {h.error!r}" for h in self.errors],
        )

    # -- internals ---------------------------------------------------------------------
    def _refuse_while_running(self, what: str) -> None:
        if self.running:
            raise RuntimeError(f"cannot {what} while workers run; stop them first")

    def _make_jobs(self, counts: dict[str, int], settings: Settings, say_for: Callable) -> list[Job]:
        jobs = []
        for key, count in counts.items():
            for i in range(1, count + 1):
                name = f"{key}-{i}"
                jobs.append(make_job(key, name, self.shared, settings, say_for(name)))
        return jobs

    def _say_as_thread(self, name: str) -> Callable[[str], None]:
        return lambda text: self.log.write(text)

    def _say_as_job(self, name: str) -> Callable[[str], None]:
        return lambda text: self.log.write(f"{name}: {text}")

    def _begin(self, duration: float | None) -> None:
        self.stop_event.clear()
        self._stop_requested_at = None
        self.interrupted = False
        self._deadline = None if duration is None else time.monotonic() + duration

    def _should_stop(self) -> bool:
        return self.stop_event.is_set() or self.interrupted or (
            self._deadline is not None and time.monotonic() >= self._deadline
        )

    def _pace(self, seconds: float) -> bool:
        """Wait ``seconds`` (cut short by the deadline); True if the run should end."""
        if self._deadline is not None:
            seconds = min(seconds, self._deadline - time.monotonic())
        if seconds > 0:
            self.stop_event.wait(seconds)
        return self._should_stop()

    def _thread_body(self, handle: WorkerHandle) -> None:
        self.log.write("started", logbook.STARTED)
        while not self._should_stop():
            if not self._step_guarded(handle):
                break
            if self._pace(handle.job.pause):
                break
        if handle.error is None:
            self.log.write(f"finished after {plural(handle.job.stats.steps, 'step')}", logbook.FINISHED)

    def _step_guarded(self, handle: WorkerHandle) -> bool:
        """One step; an exception is logged and kept, and ends only this worker."""
        try:
            return handle.job.step(self._should_stop)
        except Exception as exc:  # noqa: BLE001 - a worker's error is data, never lost
            handle.traceback = traceback.format_exc()
            self.log.write(
                f"{handle.name} failed: {exc!r}\n{handle.traceback.rstrip()}", logbook.ERROR
            )
            if handle.thread is not None:
                handle.thread.error = exc  # its lane ends as "failed"
            handle.error = exc  # set last: readers that see the error see its traceback and log
            return False
