"""What a lesson is, and how one is run (the same way from the window, the CLI and the tests).

A lesson is a module in :mod:`app.lessons` with:

* a docstring: its title on the first line, then its text (what to try, what to look
  for, why it happens);
* ``ID``, ``PARAMS`` (a tuple of :class:`Param`), ``REPEAT`` (default number of runs)
  and ``VARIES`` (True when the outcome changes from run to run: the window offers
  Run xN and a histogram);
* ``run(ctx, p) -> dict``: one run, using ``ctx.Thread`` / ``ctx.print`` / ``ctx.sleep``;
  returns what was measured (JSON-friendly values);
* ``judge(p, runs) -> Verdict``: compares the measured runs with what the lesson
  predicts, in a sentence a learner understands.
* optionally ``HISTOGRAM``: the key of a run's value to draw over repeated runs;
* optionally ``FIX``: ``(parameter, value, button label)``, the setting that cures a
  deadlock the lesson shows; the window offers it as a re-run.

A lesson's threads, locks, events and conditions come from its :class:`RunContext`
(``ctx.Thread``, ``ctx.Lock``, ...): they are :mod:`app.core.primitives`, with
``threading``'s API, and they record every change of state for the thread lanes,
the lock panel, the deadlock watch and the trace export.
"""

from __future__ import annotations

import inspect
import threading
import time
import traceback
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, Callable

import numpy as np

from app.core import logbook
from app.core.eventloop import Loop, TickLoop
from app.core.logbook import LogBook
from app.core.params import Bound, check_float, check_int
from app.core import primitives
from app.core.recorder import Recorder
from app.core.waitgraph import Deadlock, DeadlockWatch

#: How long the runner waits for a lesson's threads after the lesson returns.
JOIN_S = 2.0
#: Bounds on ``--repeat``.
REPEAT = Bound("repeat", 1, 200, 1)


@dataclass(frozen=True)
class Param:
    """One lesson parameter: int, float, or one of ``choices``."""

    name: str
    default: Any
    low: float = 0
    high: float = 0
    unit: str = ""
    help: str = ""
    choices: tuple[str, ...] = ()

    def parse(self, text: str | Any) -> Any:
        """Convert ``text`` (from ``--set`` or a widget) and check it; ``ValueError`` if bad."""
        if self.choices:
            if text not in self.choices:
                raise ValueError(f"{self.name} must be one of {', '.join(self.choices)}, got {text!r}")
            return text
        bound = Bound(self.name, self.low, self.high, self.default, self.unit)
        if isinstance(self.default, int):
            try:
                value = int(text) if isinstance(text, str) else text
            except ValueError:
                raise ValueError(f"{self.name} must be a whole number, got {text!r}") from None
            return check_int(bound, value)
        try:
            value = float(text) if isinstance(text, str) else text
        except ValueError:
            raise ValueError(f"{self.name} must be a number, got {text!r}") from None
        return check_float(bound, value)

    def describe(self) -> str:
        """Range or choices, for help texts."""
        if self.choices:
            return " | ".join(self.choices)
        return Bound(self.name, self.low, self.high, self.default, self.unit).describe()


@dataclass(frozen=True)
class Verdict:
    """Whether the measured outcome matches the lesson's prediction, in words."""

    ok: bool
    summary: str


class LessonThread(primitives.Thread):
    """A recorded ``Thread`` whose exception is logged and kept (``error``) by its :class:`RunContext`."""

    def __init__(self, ctx: "RunContext", *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, recorder=ctx.recorder, **kwargs)
        self.ctx = ctx

    def run(self) -> None:
        try:
            super().run()
        except Exception as exc:  # noqa: BLE001 - kept and shown, never lost
            self.error = exc  # the thread is recorded as failed
            self.ctx.log.write(f"failed: {exc!r}\n{traceback.format_exc().rstrip()}", logbook.ERROR)


class RunContext:
    """What a running lesson gets: threads it owns, a log, a stop Event, a loop, a display.

    Every thread made with :meth:`Thread` is joined (with a bound) when the run ends;
    :attr:`stop` is set by Stop in the window (and by the runner on the way out).
    Everything made here records into :attr:`recorder` (a new one unless given: the
    window and ``run --trace`` pass one that outlives the run).
    """

    def __init__(self, log: LogBook | None = None, stop: threading.Event | None = None,
                 loop: Loop | None = None, auto_break: bool = True,
                 recorder: Recorder | None = None) -> None:
        self.log = log if log is not None else LogBook()
        self.recorder = recorder if recorder is not None else Recorder()
        self.stop = stop if stop is not None else primitives.Event("stop", recorder=self.recorder)
        self.threads: list[LessonThread] = []
        self.locks: list[primitives.Lock] = []
        self.array: np.ndarray | None = None  # what the window plots, if the lesson sets it
        self._loop = loop
        self._log_start = self.log.next_index
        self._own_loop: TickLoop | None = None
        self.findings: list[Deadlock] = []
        self._watch = DeadlockWatch(lambda: list(self.locks), self._found, auto_break=auto_break)

    # -- the API lessons use -------------------------------------------------------------
    def Thread(self, *args: Any, **kwargs: Any) -> LessonThread:  # noqa: N802 - mirrors threading
        """Same arguments as ``threading.Thread``; the run owns and joins the thread."""
        thread = LessonThread(self, *args, **kwargs)
        self.threads.append(thread)
        return thread

    def Lock(self, name: str = "lock") -> primitives.Lock:  # noqa: N802
        """A plain Lock that records owner and waiters (deadlocks can be found and broken)."""
        return self._track(primitives.Lock(name, recorder=self.recorder, abandon=self.stop))

    def RLock(self, name: str = "lock") -> primitives.RLock:  # noqa: N802
        """A reentrant lock, recorded like :meth:`Lock`."""
        return self._track(primitives.RLock(name, recorder=self.recorder, abandon=self.stop))

    def Event(self, name: str = "event") -> primitives.Event:  # noqa: N802
        """An Event whose waits and sets show in the lanes."""
        return primitives.Event(name, recorder=self.recorder)

    def Condition(self, lock: primitives.Lock | None = None, name: str = "condition") -> primitives.Condition:  # noqa: N802
        """A Condition over ``lock`` (a new RLock of this run by default)."""
        return primitives.Condition(lock if lock is not None else self.RLock(f"{name} lock"), name)

    def print(self, *parts: Any) -> None:
        """Like ``print``, into the log, with the calling thread's name and a timestamp."""
        self.log.write(" ".join(str(p) for p in parts))

    def lines(self) -> list[logbook.Entry]:
        """The lines printed during this run, in order."""
        return [e for e in self.log.since(self._log_start) if e.kind == logbook.LINE]

    def sleep(self, seconds: float) -> bool:
        """Pause ``seconds`` (cut short by Stop); True if Stop was requested."""
        return self.stop.wait(seconds)

    def show(self, array: np.ndarray) -> None:
        """Let the window plot ``array`` while the lesson runs."""
        self.array = array

    @property
    def loop(self) -> Loop:
        """The event loop to freeze: the window's, or a headless :class:`TickLoop`."""
        if self._loop is None:
            self._own_loop = TickLoop().start()
            self._loop = self._own_loop
        return self._loop

    # -- for the runner --------------------------------------------------------------------
    def _track(self, lock: primitives.Lock) -> primitives.Lock:
        self.locks.append(lock)
        if len(self.locks) == 1:
            self._watch.start()  # deadlocks are looked for as soon as there is a lock
        return lock

    def _found(self, finding: Deadlock) -> None:
        self.findings.append(finding)
        self.log.write(f"{finding.explain()} (found {finding.detected_after:.2f} s after it formed)",
                       logbook.NOTE, thread="deadlock-watch")

    def break_waits(self) -> list[str]:
        """Break one wait of each deadlock found (its victim); return the threads' names."""
        return [name for finding in self.findings for name in finding.break_wait()]

    def finish(self, timeout: float = JOIN_S) -> list[str]:
        """Join every thread of the run (bounded); stop a loop we started; return stragglers."""
        end = time.monotonic() + timeout
        for thread in self.threads:
            if thread.is_alive() and not thread.daemon:
                thread.join(max(0.0, end - time.monotonic()))
        stragglers = [t.name for t in self.threads if t.is_alive() and not t.daemon]
        self._watch.stop()  # (also fine if it never started)
        if self._own_loop is not None:
            self._own_loop.stop()
        return stragglers

    @property
    def errors(self) -> list[str]:
        """Exceptions raised in the run's threads."""
        return [f"{t.name}: {t.error!r}" for t in self.threads if t.error is not None]


@dataclass(frozen=True)
class Lesson:
    """A lesson module, wrapped."""

    module: ModuleType

    @property
    def id(self) -> str:
        return self.module.ID

    @property
    def title(self) -> str:
        return (self.module.__doc__ or "").strip().splitlines()[0].rstrip(".")

    @property
    def text(self) -> str:
        """The lesson text: the module docstring after the title."""
        doc = inspect.cleandoc(self.module.__doc__ or "")
        return doc.split("\n", 1)[1].strip() if "\n" in doc else ""

    @property
    def params(self) -> tuple[Param, ...]:
        return tuple(self.module.PARAMS)

    @property
    def repeat(self) -> int:
        return int(getattr(self.module, "REPEAT", 1))

    @property
    def varies(self) -> bool:
        return bool(getattr(self.module, "VARIES", False))

    @property
    def histogram_key(self) -> str | None:
        return getattr(self.module, "HISTOGRAM", None)

    @property
    def shows_array(self) -> bool:
        """True if the lesson gives the window an array to plot (its code calls ``ctx.show``)."""
        return "ctx.show(" in self.source

    @property
    def fix(self) -> tuple[str, Any, str] | None:
        """``(parameter, value, label)`` that cures the lesson's deadlock, if it shows one."""
        return getattr(self.module, "FIX", None)

    @property
    def source(self) -> str:
        """The lesson's code, as run (docstring left out: it is shown as the text)."""
        source = inspect.getsource(self.module)
        doc = self.module.__doc__ or ""
        quoted = f'"""{doc}"""'
        return source.replace(quoted, "", 1).lstrip("\n") if quoted in source else source

    def defaults(self) -> dict[str, Any]:
        return {p.name: p.default for p in self.params}

    def check_params(self, given: dict[str, Any]) -> dict[str, Any]:
        """Defaults overridden by ``given`` (each parsed and checked); ``ValueError`` if bad."""
        known = {p.name: p for p in self.params}
        values = self.defaults()
        for name, raw in given.items():
            if name not in known:
                names = ", ".join(known) or "none"
                raise ValueError(f"lesson {self.id!r} has no parameter {name!r} (its parameters: {names})")
            values[name] = known[name].parse(raw)
        return values

    def run_once(self, ctx: RunContext, params: dict[str, Any]) -> dict[str, Any]:
        return self.module.run(ctx, params)

    def judge(self, params: dict[str, Any], runs: list[dict[str, Any]]) -> Verdict:
        return self.module.judge(params, runs)


@dataclass
class Result:
    """Everything one ``run`` of a lesson measured; its JSON form is documented in the README."""

    scenario: str
    params: dict[str, Any]
    runs: list[dict[str, Any]] = field(default_factory=list)
    summary: str = ""
    ok: bool = False
    errors: list[str] = field(default_factory=list)
    stopped: bool = False

    def as_json(self) -> dict[str, Any]:
        """``scenario``, ``params``, ``runs``, ``summary``, ``ok`` (plus ``errors`` if any)."""
        data = {"scenario": self.scenario, "params": self.params, "runs": self.runs,
                "summary": self.summary, "ok": self.ok}
        if self.errors:
            data["errors"] = self.errors
        return data


class Stopper:
    """Stop for a whole lesson run: sets the current run's stop Event and ends the repeats."""

    def __init__(self) -> None:
        self.requested = threading.Event()
        self._lock = threading.Lock()
        self._ctx: RunContext | None = None

    def attach(self, ctx: RunContext) -> None:
        """Make ``ctx`` the run that :meth:`request` stops."""
        with self._lock:
            self._ctx = ctx
            if self.requested.is_set():
                ctx.stop.set()

    def request(self) -> None:
        """Stop the current run and every run after it."""
        with self._lock:
            self.requested.set()
            if self._ctx is not None:
                self._ctx.stop.set()


def run_lesson(
    lesson: Lesson,
    params: dict[str, Any],
    repeat: int | None = None,
    make_context: Callable[[], RunContext] = RunContext,
    on_run: Callable[[int, dict[str, Any]], None] | None = None,
    stopper: Stopper | None = None,
) -> Result:
    """Run ``lesson`` ``repeat`` times with checked ``params``; judge the runs.

    Each run gets a fresh context from ``make_context`` (the window passes one wired to
    its log and loop). Threads a run leaves behind are joined with a bound and counted
    as errors. ``on_run(i, values)`` is called after each run (progress for the window).
    """
    repeat = check_int(REPEAT, lesson.repeat if repeat is None else repeat)
    stopper = stopper if stopper is not None else Stopper()
    result = Result(lesson.id, dict(params))
    for i in range(repeat):
        if stopper.requested.is_set():
            break
        ctx = make_context()
        stopper.attach(ctx)
        try:
            values = lesson.run_once(ctx, params)
        finally:
            ctx.stop.set()  # whatever still paces itself on the run's Event ends now
            stragglers = ctx.finish()
        result.errors += ctx.errors + [f"{name} did not end" for name in stragglers]
        result.runs.append(values)
        if on_run is not None:
            on_run(i, values)
    result.stopped = stopper.requested.is_set()
    if result.runs:
        verdict = lesson.judge(params, result.runs)
        result.summary, result.ok = verdict.summary, verdict.ok and not result.errors
    else:
        result.summary = "stopped before the first run ended"
    if result.errors:
        result.summary += f" (errors in threads: {'; '.join(result.errors)})"
    return result
