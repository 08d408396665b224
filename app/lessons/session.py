"""A lesson's program as the window runs it: a :class:`~app.core.session.Session`.

:class:`LessonSession` runs :func:`~app.lessons.base.run_lesson` on a thread of its
own (repeating the program, measuring and judging it, exactly as ``threadlab run``
does) and tells the window what happened through :meth:`LessonSession.poll`: the
program's output (the raw text for the Output tab; each ``print`` into the log with
the name of the thread that printed it), deadlocks found, runs done, and the
verdict. Deadlocks wait for the user (Break the wait) unless ``auto_break``. No Qt.
"""

from __future__ import annotations

import re
import threading
import time
import traceback
from typing import Any

import numpy as np

from ..core import logbook
from ..core.logbook import LogBook
from ..core.owned import OwnedThread
from ..core.primitives import Lock
from ..core.program import ProgramRun
from ..core.recorder import Recorder
from ..core.session import Ended, Event, Found, Output, Progress
from ..core.stepcontrol import StepControl
from .stepped import controlled_runner
from ..core.words import plural
from .base import UNDECIDED, Lesson, LessonRun, Observation, Result, long_runs_note, run_lesson


class LessonSession(OwnedThread):
    """Runs ``lesson`` ``repeat`` times: its program as written, or ``source`` (edited).

    :meth:`start` checks the source first and raises ``ValueError`` naming the line of
    a syntax error or of a constant out of its bounds (:attr:`error_line` keeps it).
    """

    def __init__(self, lesson: Lesson, source: str | None = None, repeat: int | None = None,
                 recorder: Recorder | None = None, log: LogBook | None = None,
                 auto_break: bool = False, stepping: StepControl | None = None) -> None:
        super().__init__("lesson")
        self.lesson = lesson
        self.source = source if source is not None else lesson.source
        self.stepping = stepping  # set: one run, stepped as the window tells it
        self.repeat = 1 if stepping is not None else repeat if repeat is not None else lesson.repeat
        self.recorder = recorder if recorder is not None else Recorder()
        self.log = log if log is not None else LogBook()
        self.title = lesson.id
        self.endless = False  # it ends by itself (or is stopped after the lesson's timeout)
        self.lends_lock = True  # Acquire Lock takes its program's lock
        self.params: dict[str, Any] = {}
        self.runs: list[dict[str, Any]] = []
        self.result: Result | None = None
        self.failure = ""  # the traceback, if running the lesson itself failed
        self.error_line: int | None = None
        self.started_at = 0.0
        self._how = LessonRun(recorder=self.recorder, auto_break=auto_break, on_start=self._on_start,
                              on_run=lambda i, values: self.runs.append(values), on_seen=self._on_seen,
                              before_run=self._before_run,
                              runner=controlled_runner(stepping) if stepping is not None else None)
        self._runs_may_start = threading.Event()  # cleared while the GUI holds a run's lock
        self._runs_may_start.set()
        self._waiting_run: int | None = None  # the run that waits for the GUI's hold to end
        self._run: ProgramRun | None = None  # the program run under way, or the last one
        self._runs_started = 0
        self._array: np.ndarray | None = None
        self._findings_shown = 0
        self._printed_serial = 0
        self._output_cursor = 0
        self._runs_shown = -1  # (the first poll after start says "0 runs done", with the estimate)
        self._ended_shown = False
        self._passing = threading.Lock()  # the GUI thread and the lesson's thread pass output on
        self._pending: list[Event] = []

    # -- the Session interface -------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self.alive

    def start(self) -> "LessonSession":
        """Check the program (``ValueError`` naming its line), then run it on this thread."""
        try:
            compile(self.source, self.lesson.program_name, "exec", dont_inherit=True)
        except SyntaxError as exc:
            self.error_line = exc.lineno
            raise ValueError(f"line {exc.lineno}: {exc.msg}") from None
        if self.stepping is not None and not self.lesson.steppable:
            raise ValueError(f"{self.lesson.id} runs its program in a child process of its own: it cannot be stepped")
        try:
            self.params = self.lesson.params_of(self.source)
        except ValueError as exc:
            found = re.match(r"line (\d+)", str(exc))
            self.error_line = int(found.group(1)) if found else None
            raise
        edited = " (edited)" if self.source != self.lesson.program(self.params) else ""
        how = "stepped, one line at a time" if self.stepping is not None else plural(self.repeat, 'run')
        self.log.write(f"lesson {self.lesson.id}{edited}: {how} with {self.params}", logbook.NOTE, thread="GUI")
        note = long_runs_note(self.lesson, self.params, self.repeat)
        if note is not None:
            self.log.write(note, logbook.NOTE, thread="GUI")
        self.started_at = time.monotonic()
        return super().start()

    def seconds_left(self) -> float:
        """About how long the runs still to come will take: as long each as the runs so far
        took on average, or, before the first has ended, the least a run takes by its
        constants (0.0 if that depends on the machine)."""
        done = len(self.runs)
        if done:
            return (time.monotonic() - self.started_at) / done * max(self.repeat - done, 0)
        return self.lesson.least_seconds(self.params) * self.repeat if self.params else 0.0  # (set by start())

    def request_stop(self) -> None:
        if self.stepping is not None:
            self.stepping.stop()
        self._how.stopper.request()
        self._runs_may_start.set()
        self.log.write("Stop clicked: the program is being stopped", logbook.NOTE, thread="GUI")

    def array(self) -> np.ndarray | None:
        run, name = self._run, self.lesson.array_name
        if run is not None and name is not None:
            value = run.namespace.get(name)
            if isinstance(value, (list, tuple)) and value:
                value = value[0]
            if isinstance(value, np.ndarray) and value.dtype.kind in "biuf":
                self._array = value.reshape(-1)
        return self._array

    def locks(self) -> list[Lock]:
        return self._run.locks() if self._run is not None else []

    def pass_fronts(self) -> dict[str, int]:
        return {}  # (a program's loops keep their place to themselves)

    def grab_target(self) -> Lock | None:
        """The running program's first plain Lock (its ``lock``), if it made one. Between
        two runs there is none: the last run's lock belongs to a program that is over,
        and the next run makes a lock of its own."""
        if not self.running or self._run is None or not self._run.running:
            return None
        plain = [lock for lock in self._run.locks() if not lock.reentrant]
        return plain[0] if plain else None

    def hold_runs(self, on: bool) -> None:
        """While ``on``, the next run waits to start: a lock the GUI holds belongs to one run,
        and a new run would make a new lock and go on regardless."""
        if on and not self._how.stopper.requested.is_set():
            self._runs_may_start.clear()
        else:
            self._runs_may_start.set()

    def held_back(self) -> str | None:
        waiting = self._waiting_run
        return f"run {waiting} of {self.repeat}" if waiting is not None else None

    def findings(self) -> list:
        """The deadlocks found in the run under way (or the last one)."""
        return list(self._run.findings) if self._run is not None else []

    def kill(self) -> bool:
        return False  # (threads cannot be killed; the ctrl-c lesson ends its own child)

    def break_waits(self) -> list[str]:
        names = self._run.break_waits() if self._run is not None else []
        self.log.write(f"GUI broke the wait of: {', '.join(names) or 'nobody'}", logbook.NOTE, thread="GUI")
        return names

    def poll(self) -> list[Event]:
        ended = self.started and not self.alive and not self._ended_shown
        with self._passing:
            if self._run is not None:
                self._pass_on(self._run)
            events, self._pending = self._pending, []
        if self.started and len(self.runs) != self._runs_shown:
            self._runs_shown = len(self.runs)
            events.append(Progress(len(self.runs), self.repeat, list(self.runs)))
        if ended:
            self._ended_shown = True
            events.append(self._ending())
        return events

    # -- inside ------------------------------------------------------------------------------
    def work(self) -> None:
        try:
            self.result = run_lesson(self.lesson, repeat=self.repeat, source=self.source, how=self._how)
        except Exception as exc:  # noqa: BLE001 - shown in the outcome panel and the log
            self.failure = f"{exc!r}"
            self.log.write(f"lesson failed: {exc!r}\n{traceback.format_exc().rstrip()}", logbook.ERROR)

    def _before_run(self, index: int) -> None:
        """Wait (on the lesson's thread) while the GUI holds the last run's lock."""
        if self._runs_may_start.is_set():
            return
        self._waiting_run = index + 1
        self.log.write(f"run {index + 1} waits to start: the GUI holds the lock of run {index}", logbook.NOTE,
                       thread="GUI")
        self._runs_may_start.wait()  # set by Release Lock, Stop, or the window closing
        self._waiting_run = None

    def _on_start(self, run: ProgramRun) -> None:
        """A new run of the program begins (on the lesson's thread)."""
        with self._passing:
            if self._run is not None:
                self._pass_on(self._run)  # the last words of the run before
            self._run = run
            self._runs_started += 1
            self._findings_shown = self._printed_serial = self._output_cursor = 0

    def _on_seen(self, seen: Any) -> None:
        """A run is over; one not run under the instrument (a child process) shows its
        output only now (on the lesson's thread)."""
        if not isinstance(seen, Observation):
            with self._passing:
                self._runs_started += 1
                self._pending.append(Output(seen.output, self._runs_started))

    def _pass_on(self, run: ProgramRun) -> None:
        """Move what ``run`` printed and found since the last call into the log and the
        events (holding ``_passing``)."""
        text, self._output_cursor = run.output.text_since(self._output_cursor)
        if text:
            self._pending.append(Output(text, self._runs_started))
        for printed in run.output.printed_since(self._printed_serial):
            kind = logbook.ERROR if printed.stream == "stderr" else logbook.LINE
            self.log.write(printed.text.rstrip("\n"), kind, thread=printed.thread, at=printed.t)
            self._printed_serial = printed.serial
        if len(run.findings) > self._findings_shown:
            fix = self.lesson.fix
            for finding in run.findings[self._findings_shown:]:
                self._pending.append(Found(finding, fix[2] if fix else None))
            self._findings_shown = len(run.findings)
        errors = run.take_errors()
        if errors:
            self.log.write(f"the run's watch failed:\n{errors}", logbook.ERROR, thread="GUI")

    def _ending(self) -> Ended:
        result = self.result
        if result is None:
            return Ended(f"{self.lesson.id}: the lesson failed: {self.failure}", False)
        ok = None if result.verdict == UNDECIDED else result.ok
        line = self._error_line()
        failed = f"the program failed at line {line} (see the Output tab); " if line is not None else ""
        return Ended(failed + result.summary, ok, result, line)

    def _error_line(self) -> int | None:
        """The program's line where its last run failed, if it did."""
        run = self._run
        if run is None or run.ending is None:
            return None
        text = run.ending.error or run.output.text()
        lines = re.findall(rf'File "{re.escape(self.lesson.program_name)}", line (\d+)', text)
        return int(lines[-1]) if lines else None
