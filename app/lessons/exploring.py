"""Explore in the window: a lesson's program under every interleaving, as a
:class:`~app.core.session.Session` (started, stopped, polled like any other).

:class:`ExploreSession` runs :func:`~app.core.explore.explore` on a thread of its own;
the window shows its progress in the status bar and, when it ends, the outcomes with a
schedule for each that Step through can replay. No Qt here.
"""

from __future__ import annotations

import queue
import time
from typing import Any

from ..core import logbook
from ..core.explore import PREEMPTIONS, Exploration, explore
from ..core.logbook import LogBook
from ..core.owned import OwnedThread
from ..core.session import Ended, Event, Note
from ..core.words import duration, plural
from .base import Lesson

#: How long the window's Explore runs at most, and how often it says how far it got.
TIME_LIMIT_S, PROGRESS_EVERY_S = 30.0, 0.5


class ExploreSession(OwnedThread):
    """Explores ``source`` (the lesson's program as the editor has it)."""

    endless = False
    lends_lock = False

    def __init__(self, lesson: Lesson, source: str, log: LogBook | None = None,
                 preemptions: int = PREEMPTIONS, time_limit: float = TIME_LIMIT_S) -> None:
        super().__init__("explore")
        self.lesson, self.source = lesson, source
        self.log = log if log is not None else LogBook()
        self.title = lesson.id
        self.preemptions, self.time_limit = preemptions, time_limit
        self.found: Exploration | None = None
        self.failure = ""
        self.error_line: int | None = None
        self._told_at = 0.0
        self._ended_shown = False
        self._pending: queue.SimpleQueue[Event] = queue.SimpleQueue()  # (the explore thread puts)

    # -- the Session interface ---------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self.alive

    def start(self) -> "ExploreSession":
        """Check the program (``ValueError`` naming its line), then explore it on this thread."""
        try:
            compile(self.source, self.lesson.program_name, "exec", dont_inherit=True)
        except SyntaxError as exc:
            self.error_line = exc.lineno
            raise ValueError(f"line {exc.lineno}: {exc.msg}") from None
        if not self.lesson.steppable:
            raise ValueError(f"{self.lesson.id} runs its program in a child process of its own: it cannot be "
                             "explored")
        self.log.write(f"explore {self.lesson.id}: every schedule with at most "
                       f"{plural(self.preemptions, 'preemption')}, for up to {self.time_limit:g} s", logbook.NOTE,
                       thread="GUI")
        return super().start()

    def request_stop(self) -> None:
        self.stopping.set()

    def array(self) -> Any:
        return None

    def locks(self) -> list:
        return []

    def pass_fronts(self) -> dict[str, int]:
        return {}

    def grab_target(self) -> None:
        return None

    def kill(self) -> bool:
        return False

    def break_waits(self) -> list[str]:
        return []

    def hold_runs(self, on: bool) -> None:
        pass

    def held_back(self) -> str | None:
        return None

    def poll(self) -> list[Event]:
        events = []
        while not self._pending.empty():
            events.append(self._pending.get())
        if self.started and not self.alive and not self._ended_shown:
            self._ended_shown = True
            events.append(self._ending())
        return events

    # -- inside ------------------------------------------------------------------------------
    def work(self) -> None:
        try:
            self.found = explore(self.source, self.lesson.program_name, preemptions=self.preemptions,
                                 time_limit=self.time_limit, on_schedule=self._progress,
                                 should_stop=self.stopping.is_set)
        except Exception as exc:  # noqa: BLE001 - shown in the outcome panel and the log
            self.failure = f"{exc}"
            self.log.write(f"explore failed: {exc!r}", logbook.ERROR, thread="GUI")

    def _progress(self, found: Exploration) -> None:
        now = time.monotonic()
        if now - self._told_at >= PROGRESS_EVERY_S:
            self._told_at = now
            self._pending.put(Note(f"explored {plural(found.schedules, 'schedule')}: "
                                      f"{plural(len(found.outcomes), 'outcome')} so far"))

    def _ending(self) -> Ended:
        found = self.found
        if found is None:
            return Ended(f"{self.lesson.id}: could not explore: {self.failure}", False)
        how_far = "all of them" if found.finished else f"not all: {found.stopped_because}"
        summary = (f"{self.lesson.id}: {plural(len(found.outcomes), 'outcome')} in "
                   f"{plural(found.schedules, 'schedule')} with at most {plural(found.preemptions, 'preemption')} "
                   f"({how_far}), {duration(found.seconds)}")
        for number, outcome in enumerate(found.outcomes, 1):
            self.log.write(f"outcome {number}: {outcome.describe()} ({plural(outcome.schedules, 'schedule')})",
                           logbook.NOTE, thread="GUI")
        return Ended(summary, None, None)
