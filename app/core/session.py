"""What the window shows: one session, running or not, through one small interface.

A session is the Lab's workers (:class:`LabSession`) or a lesson's program, as written
or as edited (:class:`~app.lessons.session.LessonSession`). The window holds exactly
one and drives it the same way whatever it is: ``start()``, ``request_stop()``,
``join(timeout)``; it reads ``array()``, ``locks()`` and ``grab_target()`` at display
rate and asks :meth:`Session.poll` what happened since the last tick (a run ended, a
deadlock was found, the program printed something). No Qt here.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Protocol

import numpy as np

from . import logbook
from .lab import Lab
from .primitives import Lock
from .waitgraph import Deadlock
from .words import plural
from .workers import Settings

#: How long after a Stop the Lab session names the workers still running.
STOP_GRACE_S = 1.0


# -- what a session reports ------------------------------------------------------------------
@dataclass(frozen=True)
class Progress:
    """Runs done so far (a lesson repeats its program); ``runs``: what each measured."""

    done: int
    total: int
    runs: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Found:
    """A deadlock (or a lock held by a thread that has ended): explained, breakable."""

    finding: Deadlock
    fix_label: str | None = None  # a re-run that cures it, if the session has one


@dataclass(frozen=True)
class Output:
    """Text the program wrote, as a terminal shows it; ``run``: which run of it (1, 2...)."""

    text: str
    run: int = 1


@dataclass(frozen=True)
class Note:
    """Something to tell the user in the status bar."""

    text: str


@dataclass(frozen=True)
class Ended:
    """The session's work is over. ``ok``: the verdict of a lesson (None for the Lab, or
    when the runs could not tell); ``result``: what it measured, if anything."""

    summary: str
    ok: bool | None = None
    result: Any = None
    line: int | None = None  # a line of the program to point at (its error), if any


Event = Progress | Found | Output | Note | Ended


class Session(Protocol):
    """The one interface the window drives."""

    title: str
    endless: bool  # True if it runs until stopped (it will not end by itself)
    lends_lock: bool  # True if Acquire Lock can take a lock of it (one it has, or will make)

    @property
    def running(self) -> bool: ...

    def start(self) -> None:
        """Begin; ``ValueError`` or ``RuntimeError`` with a sentence for the user if it cannot."""

    def request_stop(self) -> None:
        """Ask everything to end; returns at once."""

    def join(self, timeout: float) -> bool:
        """Wait up to ``timeout`` s; True if everything has ended."""

    def array(self) -> np.ndarray | None:
        """The array to plot now (1-D), or None."""

    def locks(self) -> list[Lock]:
        """The locks to list in the Locks tab."""

    def pass_fronts(self) -> dict[str, int]:
        """Where each pass under way over the array has got to, by worker name."""

    def grab_target(self) -> Lock | None:
        """The lock Acquire Lock takes, or None if there is none now."""

    def kill(self) -> bool:
        """End at once, by force, what can be (a child process; threads cannot be): the
        window closes and the session did not end when asked. True if something was."""

    def break_waits(self) -> list[str]:
        """Break the deadlocks found; return the names of the threads whose wait was broken."""

    def hold_runs(self, on: bool) -> None:
        """While ``on`` (the GUI holds or waits for a run's lock), start no new run."""

    def held_back(self) -> str | None:
        """What waits for the hold to end (e.g. "run 4"), or None."""

    def poll(self) -> list[Event]:
        """What happened since the last call (called on the GUI thread, at display rate)."""


# -- the Lab ------------------------------------------------------------------------------------
class LabSession:
    """The Lab's workers, on their threads or on the calling thread.

    Made by the Lab tab with what its fields say; an idle one (never started) stands
    for the Lab between runs: it shows the shared array and lets Acquire Lock take its
    lock. ``on_gui_thread``: :meth:`start` runs the work right there, for ``duration``
    seconds, so a window that calls it freezes (``before_freeze`` is called first, to
    say so while it still can).
    """

    title = "Lab"
    lends_lock = True

    def __init__(self, lab: Lab, counts: Mapping[str, int] | None = None, settings: Settings | None = None,
                 duration: float | None = None, on_gui_thread: bool = False,
                 before_freeze: Callable[[float], None] | None = None) -> None:
        self.lab = lab
        self.counts = dict(counts or {})
        self.settings = settings
        self.duration = duration
        self.on_gui_thread = on_gui_thread
        self.before_freeze = before_freeze
        self._started = False
        self._reported_end = False
        self._stop_asked_at: float | None = None
        self._pending: list[Event] = []

    @property
    def running(self) -> bool:
        return self.lab.running

    @property
    def endless(self) -> bool:
        return self.duration is None and not self.on_gui_thread

    def start(self) -> None:
        self._started = True
        if not self.on_gui_thread:
            workers = self.lab.start(self.counts, self.settings, self.duration)
            self._pending.append(Note(f"Started {plural(len(workers), 'worker thread')}"))
            return
        seconds = self.duration if self.duration is not None else 0.0
        self.lab.log.write(f"running the work on the GUI thread for {seconds:g} s: the window will not respond",
                           logbook.NOTE)
        if self.before_freeze is not None:
            self.before_freeze(seconds)
        report = self.lab.run_here(self.counts, self.settings, seconds)
        self.lab.log.write(f"GUI-thread run ended after {report.seconds:.2f} s; steps: {report.steps}", logbook.NOTE)

    def request_stop(self) -> None:
        if not self.lab.running:
            return
        if self._stop_asked_at is None:
            self._stop_asked_at = time.monotonic()
            self.lab.log.write("Stop clicked: stop Event set", logbook.NOTE)
        self.lab.request_stop()

    def join(self, timeout: float) -> bool:
        return self.lab.join(timeout).all_ended

    def array(self) -> np.ndarray | None:
        return self.lab.shared.data

    def locks(self) -> list[Lock]:
        return [self.lab.shared.lock]

    def pass_fronts(self) -> dict[str, int]:
        fronts = {w.name: getattr(w.job, "front", None) for w in self.lab.workers if w.is_alive()}
        return {name: front for name, front in fronts.items() if front is not None}

    def grab_target(self) -> Lock | None:
        return self.lab.shared.lock

    def kill(self) -> bool:
        return False  # (threads cannot be killed)

    def break_waits(self) -> list[str]:
        return []  # the Lab's waits are never circles: a worker holds at most one lock

    def hold_runs(self, on: bool) -> None:
        pass  # the Lab's workers run once, on the one lock the GUI takes

    def held_back(self) -> str | None:
        return None

    def poll(self) -> list[Event]:
        events, self._pending = self._pending, []
        if not self._started or self._reported_end:
            return events
        alive = self.lab.alive()
        asked = self._stop_asked_at
        if alive and asked is not None and time.monotonic() - asked > STOP_GRACE_S:
            report = self.lab.join(0)  # also names them in the log
            events.append(Note(f"Still running {STOP_GRACE_S:g} s after Stop: {', '.join(report.stragglers)}"))
            self._stop_asked_at = None
        if not alive:
            self._reported_end = True
            self.lab.join(0)
            if asked is not None:
                ms = (time.monotonic() - asked) * 1000
                self.lab.log.write(f"all workers ended; seen {ms:.0f} ms after Stop", logbook.NOTE)
            errors = [f"{w.name}: {w.error!r}" for w in self.lab.errors]
            events.append(Ended("the workers ended" + (f"; errors: {'; '.join(errors)}" if errors else "")))
        return events
