"""What a lesson is, and how one is run (the same way from the window, the CLI and the tests).

A lesson is two things kept apart:

* its **program**, ``app/lessons/programs/<module>.py``: a plain Python file that
  ``python file.py`` runs anywhere with the standard library and numpy, and that the
  code pane shows as it is. Its parameters are constants at its top (``SIZE = 100_000``);
* its **check**, the module ``app/lessons/<module>.py``:

  - a docstring: the title on the first line, then the text (Try / Look for / Why);
  - ``ID``; ``PARAMS``, a tuple of :class:`~app.core.params.Param` named after the
    program's constants (bounds and help; the default is the program's own value);
  - ``REPEAT`` (runs per Start), ``VARIES`` (the outcome changes from run to run: the
    window offers Run xN), optionally ``HISTOGRAM`` (the measured key Run xN draws),
    ``FIX`` (``(constant, value, button label)``: the setting that cures a deadlock),
    ``ARRAY`` (the program's global that the window plots), ``TIMEOUT`` (seconds a run
    may take before it is stopped), ``least_seconds(params) -> float`` (how long one run
    takes at least by its constants: its sleeps and waits; said up front when the runs
    asked for add up to a long time);
  - ``measure(seen: Observation) -> dict``: what one run did, from what the instrument
    saw (JSON-friendly); it raises :class:`CannotMeasure` when an edit took away what
    it measures;
  - ``judge(params, runs) -> Verdict``: the runs against the lesson's claim.

The program runs under the instrument (:mod:`app.core.program`), which changes
nothing it does; :func:`run_lesson` runs it, measures it and judges it.
"""

from __future__ import annotations

import inspect
import threading
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from types import ModuleType
from typing import Any, Callable

import numpy as np

from ..core.instrument import Printed
from ..core.params import Param, check_int
from ..core.program import Ending, ProgramRun
from ..core.recorder import Recorder
from ..core.source import assigned, constants, with_constants
from ..core.timeline import Timeline, Track
from ..core.waitgraph import Deadlock
from ..core.words import duration, plural

#: Bounds on ``--repeat`` and Run xN.
REPEAT = Param("repeat", 1, 1, 200)
#: Where the lessons' programs are.
PROGRAMS = Path(__file__).resolve().parent / "programs"
#: How long a run may take, unless the lesson says otherwise.
DEFAULT_TIMEOUT_S = 60.0
#: How long a stopped run is waited for before it is given up (its threads named).
STOP_JOIN_S = 5.0
#: Runs that will take this long together (or longer) are announced with how long.
LONG_S = 30.0

MATCHES, DIFFERS, UNDECIDED = "matches", "does not match", "too few runs to tell"


class CannotMeasure(Exception):
    """Raised by a check whose program no longer has what it measures (an edit took it)."""


@dataclass(frozen=True)
class Verdict:
    """The measured runs against the lesson's claim, in a sentence a learner understands.

    ``ok`` is True (the claim holds), False (it does not), or None: the runs cannot
    tell yet (too few, or the phenomenon did not show), which is never called a match.
    """

    ok: bool | None
    summary: str

    @property
    def status(self) -> str:
        return MATCHES if self.ok else DIFFERS if self.ok is False else UNDECIDED


class Observation:
    """What the instrument saw of one run of a lesson's program: what checks measure.

    * :attr:`params`: the constants the program ran with;
    * :attr:`output`: stdout and stderr as a terminal shows them, writes interleaved as
      they happened (``0Thread started`` included); :attr:`printed`: each ``print``
      call with its thread and time;
    * :attr:`namespace`: the program's globals when it ended (its final values);
    * :attr:`ending`: exit status, errors, stop; :attr:`findings`: deadlocks found;
    * :meth:`tracks`: each thread's states, lock holds and marks (the thread lanes).
    """

    def __init__(self, params: dict[str, Any], run: ProgramRun) -> None:
        self.params = params
        self.output = run.output.text()
        self.printed: list[Printed] = list(run.output.printed)
        self.namespace = run.namespace
        self.ending: Ending | None = run.ending  # None: the run did not end (it could not be stopped)
        self.findings: list[Deadlock] = list(run.findings)
        self.started_at = run.started_at
        self.watch_errors = run.take_errors()
        self._threads = run.threads()
        self._lanes = run.lanes()
        records = run.recorder.snapshot()
        # a ring that let go of records made during the run cannot say what its threads did
        self._records_lost = run.recorder.full and bool(records) and records[0][0] > run.started_at
        self._records = [r for r in records if r[1] in self._lanes]

    @cached_property
    def timeline(self) -> Timeline:
        timeline = Timeline()
        timeline.feed(self._records)
        return timeline

    def tracks(self) -> list[Track]:
        """The program's threads' tracks: the main thread first, then in start order."""
        if self._records_lost:
            raise CannotMeasure("the program made more records than the recorder keeps; the oldest are gone")
        by_lane = self.timeline.tracks
        return [by_lane[t.lane] for t in self._threads if t.lane in by_lane]

    def track(self, index: int) -> Track:
        """The track of the ``index``-th thread the program started (1: the first)."""
        tracks = self.tracks()
        if index >= len(tracks):
            raise CannotMeasure(f"the program started {len(tracks) - 1} threads, not {index}")
        return tracks[index]

    def printed_by(self, thread: str) -> list[Printed]:
        return [p for p in self.printed if p.thread == thread]

    def value(self, name: str) -> Any:
        """The program's global ``name`` at its end; :class:`CannotMeasure` if it has none."""
        if name not in self.namespace:
            raise CannotMeasure(f"the program has no global {name!r} to measure")
        return self.namespace[name]

    def array(self, name: str = "data") -> np.ndarray:
        value = self.value(name)
        if not isinstance(value, np.ndarray):
            raise CannotMeasure(f"{name!r} is not a numpy array any more")
        return value

    def marks(self, kind: str) -> list[float]:
        """Times of every ``kind`` mark (``rec.SET``, ``rec.BROKEN``...) in this run."""
        return sorted(m.t for track in self.tracks() for m in track.marks if m.kind == kind)


@dataclass(frozen=True)
class Challenge:
    """A goal for a learner who steps the program: ``goal`` in words, and ``reached``, which
    tells from a picture of the stepped run and the program's globals whether it is reached
    (called on the lesson's thread after each step)."""

    goal: str
    reached: Callable[[Any, dict[str, Any]], bool]


@dataclass(frozen=True)
class Lesson:
    """A lesson: its check module, and the program that module names."""

    module: ModuleType

    @property
    def id(self) -> str:
        return self.module.ID

    @property
    def title(self) -> str:
        return (self.module.__doc__ or "").strip().splitlines()[0].rstrip(".")

    @property
    def short_title(self) -> str:
        """The title up to its colon: "Your first thread"."""
        return self.title.split(":", 1)[0]

    @property
    def text(self) -> str:
        """The lesson text: the module docstring after the title."""
        doc = inspect.cleandoc(self.module.__doc__ or "")
        return doc.split("\n", 1)[1].strip() if "\n" in doc else ""

    @property
    def program_name(self) -> str:
        """The program's file name, as tracebacks and the code pane show it."""
        return getattr(self.module, "PROGRAM", self.module.__name__.rsplit(".", 1)[-1] + ".py")

    @cached_property
    def source(self) -> str:
        """The program as written, with its default constants."""
        return (PROGRAMS / self.program_name).read_text(encoding="utf-8")

    @cached_property
    def params(self) -> tuple[Param, ...]:
        """The lesson's parameters, each with the program's own value as its default."""
        values = constants(self.source)
        out = []
        for p in self.module.PARAMS:
            if p.name not in values:
                raise RuntimeError(f"lesson {self.id}: its program has no constant {p.name}")
            value = values[p.name].value
            if isinstance(p.default, float) and isinstance(value, int) and not isinstance(value, bool):
                value = float(value)  # ``TIMEOUT = 1`` in the program; the parameter takes 0.5 too
            out.append(Param(p.name, value, p.low, p.high, p.unit, p.help, p.choices))
        return tuple(out)

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
    def array_name(self) -> str | None:
        """The program's global holding the array the window plots, if it has one."""
        return getattr(self.module, "ARRAY", None)

    @property
    def shows_array(self) -> bool:
        return self.array_name is not None

    @property
    def fix(self) -> tuple[str, Any, str] | None:
        """``(constant, value, label)`` that cures the lesson's deadlock, if it shows one."""
        return getattr(self.module, "FIX", None)

    @property
    def steppable(self) -> bool:
        """False for a lesson whose program runs its own way (in a child process): no
        stepper or other runner can reach its threads."""
        return getattr(self.module, "run_program", None) is None

    @property
    def challenge(self) -> Challenge | None:
        """A goal to reach by stepping the program (Step through), if the lesson has one."""
        return getattr(self.module, "CHALLENGE", None)

    @property
    def timeout(self) -> float:
        return float(getattr(self.module, "TIMEOUT", DEFAULT_TIMEOUT_S))

    def least_seconds(self, params: dict[str, Any]) -> float:
        """How long one run takes at least with ``params``, by what its program waits for
        (0.0 when that depends on the machine rather than on the constants)."""
        least = getattr(self.module, "least_seconds", None)
        return float(least(params)) if least is not None else 0.0

    def defaults(self) -> dict[str, Any]:
        return {p.name: p.default for p in self.params}

    def param(self, name: str) -> Param:
        """The parameter called ``name`` (any case); ``ValueError`` naming the known ones."""
        for p in self.params:
            if p.name.lower() == name.lower():
                return p
        names = ", ".join(p.name for p in self.params) or "none"
        raise ValueError(f"lesson {self.id!r} has no parameter {name!r} (its parameters: {names})")

    def check_params(self, given: dict[str, Any]) -> dict[str, Any]:
        """Defaults overridden by ``given`` (each parsed and checked); ``ValueError`` if bad."""
        values = self.defaults()
        for name, raw in given.items():
            p = self.param(name)
            values[p.name] = p.parse(raw)
        return values

    def program(self, params: dict[str, Any] | None = None) -> str:
        """The program's text with ``params`` written into its constants."""
        return with_constants(self.source, params) if params else self.source

    def params_of(self, source: str) -> dict[str, Any]:
        """The lesson's parameters as ``source`` sets them (an edited program): each checked
        against its bounds, ``ValueError`` naming the line if out of them or if it is set
        to an expression (the check must know the value). A constant the edit removed
        keeps its default (the check then measures what ran)."""
        found = constants(source)
        for name, line in assigned(source).items():
            if name not in found and name in {p.name for p in self.params}:
                raise ValueError(f"line {line}: {name} must be a plain value here (a number, a text, "
                                 "True or False), not an expression: the check reads it")
        values = self.defaults()
        for p in self.params:
            if p.name in found:
                try:
                    values[p.name] = p.parse(found[p.name].value)
                except ValueError as exc:
                    raise ValueError(f"line {found[p.name].line}: {exc}") from None
        return values

    def measure(self, seen: Observation) -> dict[str, Any]:
        """What the run did, or ``{"cannot_measure": why}``: a run that was stopped (a run
        cut short shows a half-done picture, not the lesson's), or one whose program
        lacks what the check reads. A check that fails on an edited program says why."""
        ending = seen.ending
        if ending is None:
            return {"cannot_measure": "the run did not end"}
        if ending.stopped:
            return {"cannot_measure": f"the run was stopped before it ended ({ending.stopped})"}
        try:
            return self.module.measure(seen)
        except CannotMeasure as exc:
            return {"cannot_measure": str(exc)}
        except Exception as exc:  # noqa: BLE001 - an edited program the check cannot read
            return {"cannot_measure": f"the check could not read this program: {exc!r}"}

    def judge(self, params: dict[str, Any], runs: list[dict[str, Any]]) -> Verdict:
        measured = [r for r in runs if "cannot_measure" not in r]
        if not measured:
            return Verdict(None, f"nothing to judge: {runs[-1]['cannot_measure']}")
        try:
            verdict = self.module.judge(params, measured)
        except Exception as exc:  # noqa: BLE001 - what an edited program measured does not fit
            return Verdict(None, f"the check could not judge these runs: {exc!r}")
        if len(measured) < len(runs):
            skipped = len(runs) - len(measured)
            verdict = Verdict(verdict.ok, f"{verdict.summary} ({skipped} run(s) could not be measured)")
        return verdict


@dataclass
class Result:
    """Everything one ``run`` of a lesson measured; its JSON form is documented in the README."""

    scenario: str
    params: dict[str, Any]
    runs: list[dict[str, Any]] = field(default_factory=list)
    summary: str = ""
    ok: bool = False
    verdict: str = UNDECIDED
    errors: list[str] = field(default_factory=list)
    stopped: bool = False
    edited: bool = False

    def as_json(self) -> dict[str, Any]:
        """``scenario``, ``params``, ``runs``, ``summary``, ``ok``, ``verdict`` (plus
        ``errors`` and ``edited`` when they apply)."""
        data = {"scenario": self.scenario, "params": self.params, "runs": self.runs,
                "summary": self.summary, "ok": self.ok, "verdict": self.verdict}
        if self.errors:
            data["errors"] = self.errors
        if self.edited:
            data["edited"] = True
        return data


class Stopper:
    """Stop for a whole lesson run: stops the current program run and ends the repeats."""

    def __init__(self) -> None:
        self.requested = threading.Event()
        self._lock = threading.Lock()
        self._run: Any = None

    def attach(self, run: Any) -> None:
        """Make ``run`` (anything with ``request_stop``) the one that :meth:`request` stops."""
        with self._lock:
            self._run = run
            if self.requested.is_set():
                run.request_stop("Stop was requested")

    def request(self) -> None:
        """Stop the current run and every run after it."""
        with self._lock:
            self.requested.set()
            if self._run is not None:
                self._run.request_stop("Stop was requested")


@dataclass
class LessonRun:
    """What :func:`run_lesson` needs besides the lesson: where records go, who is told what."""

    recorder: Recorder | None = None
    auto_break: bool = True  # a deadlock found is broken at once (headless runs never hang)
    on_start: Callable[[ProgramRun], None] | None = None  # each program run, as it starts
    on_finding: Callable[[Deadlock], None] | None = None
    on_run: Callable[[int, dict[str, Any]], None] | None = None  # after each run, its values
    on_seen: Callable[[Any], None] | None = None  # after each run, what was seen (output and all)
    before_run: Callable[[int], None] | None = None  # before each run after the first (may wait)
    stopper: Stopper = field(default_factory=Stopper)
    #: runs the program once instead of :func:`run_program` (as a stepped run does)
    runner: Callable[[Lesson, str, dict[str, Any], "LessonRun"], "Observation"] | None = None


def run_lesson(lesson: Lesson, params: dict[str, Any] | None = None, repeat: int | None = None,
               source: str | None = None, how: LessonRun | None = None) -> Result:
    """Run ``lesson``'s program ``repeat`` times (or ``source``, an edited version of it),
    measure each run and judge them all.

    ``params`` (checked) are written into the program's constants; with ``source`` the
    constants are read from it instead. A ``SyntaxError`` in the source is raised before
    anything runs; ``ValueError`` for a constant out of its bounds.
    """
    how = how if how is not None else LessonRun()
    repeat = check_int(REPEAT, lesson.repeat if repeat is None else repeat)
    if source is None:
        params = lesson.check_params(params or {})
        source = lesson.program(params)
    else:
        params = lesson.params_of(source)
    compile(source, lesson.program_name, "exec", dont_inherit=True)  # a SyntaxError names its line
    result = Result(lesson.id, dict(params), edited=source != lesson.program(params))
    runner = getattr(lesson.module, "run_program", run_program)
    if how.runner is not None:
        if not lesson.steppable:
            raise ValueError(f"{lesson.id} runs its program its own way (in a child process or on the window's "
                             "thread), not under the instrument's runner, so it cannot be run another way")
        runner = how.runner
    for i in range(repeat):
        if i and how.before_run is not None:
            how.before_run(i)
        if how.stopper.requested.is_set():
            break
        seen = runner(lesson, source, params, how)
        if how.on_seen is not None:
            how.on_seen(seen)
        result.errors += _errors(seen.ending)
        if getattr(seen, "watch_errors", None):  # (threadlab's own machinery, never the program)
            result.errors.append(f"threadlab: {seen.watch_errors}")
        values = lesson.measure(seen)
        result.runs.append(values)
        if how.on_run is not None:
            how.on_run(i, values)
        if seen.ending is None or seen.ending.stopped:
            break
    result.stopped = how.stopper.requested.is_set()
    if result.runs:
        verdict = lesson.judge(params, result.runs)
        result.summary, result.verdict = verdict.summary, verdict.status
        stuck = [e for e in result.errors if e.startswith("did not end")]
        if stuck:  # a thread that could not be stopped: whatever was measured, not a match
            result.summary += f" ({'; '.join(stuck)})"
            result.verdict = DIFFERS if verdict.ok else verdict.status
        result.ok = result.verdict == MATCHES
    else:
        result.summary = "stopped before the first run ended"
    return result


def long_runs_note(lesson: Lesson, params: dict[str, Any], repeat: int,
                   first_run_s: float | None = None) -> str | None:
    """A sentence saying how long ``repeat`` runs will take, if that is :data:`LONG_S` or
    more; None otherwise. Before any run the estimate is the lesson's
    :meth:`Lesson.least_seconds`; once the first run took ``first_run_s``, it is that
    run's time for each run still to come."""
    if first_run_s is None:
        each = lesson.least_seconds(params)
        if each * repeat < LONG_S:
            return None
        if repeat == 1:
            return f"a run of {lesson.id} will take at least {duration(each)} (its program waits that long)"
        return (f"{plural(repeat, 'run')} of {lesson.id} will take at least {duration(each * repeat)} "
                f"(its program waits {duration(each)} a run by its constants)")
    left = repeat - 1
    if left < 1 or first_run_s * left < LONG_S:
        return None
    return (f"run 1 of {lesson.id} took {duration(first_run_s)}: the other {plural(left, 'run')} "
            f"will take about {duration(first_run_s * left)} more")


def every_run(runs: list[dict[str, Any]], judge_one: Callable[[dict[str, Any]], Verdict]) -> Verdict:
    """For a lesson whose claim holds in each run: the verdict of every run together (the
    first run that does not match, else one that cannot tell, else the last one)."""
    verdicts = [judge_one(r) for r in runs]
    failed = [v for v in verdicts if v.ok is False]
    if failed:
        note = f" (in {len(failed)} of {len(runs)} runs)" if len(runs) > 1 else ""
        return Verdict(False, failed[0].summary + note)
    unsure = [v for v in verdicts if v.ok is None]
    if unsure:
        return Verdict(None, unsure[0].summary)
    note = f" (so in all {len(runs)} runs)" if len(runs) > 1 else ""
    return Verdict(True, verdicts[-1].summary + note)


def run_program(lesson: Lesson, source: str, params: dict[str, Any], how: LessonRun) -> Observation:
    """One run of the program under the instrument (the default runner of a lesson)."""
    run = ProgramRun(source, lesson.program_name, recorder=how.recorder, auto_break=how.auto_break,
                     on_finding=how.on_finding)
    how.stopper.attach(run)
    if how.on_start is not None:
        how.on_start(run)
    run.start()
    if not run.join(lesson.timeout):
        run.request_stop(f"timed out after {lesson.timeout:g} s")
        run.join(STOP_JOIN_S)
    return Observation(params, run)


def _errors(ending: Ending | None) -> list[str]:
    """What went wrong in a run, for the result's ``errors`` (expected errors included:
    the checks say which ones their lesson expects)."""
    if ending is None:
        return ["did not end"]
    errors = []
    if ending.error:
        errors.append("main thread: " + ending.error.strip().splitlines()[-1])
    errors += ending.thread_errors
    if ending.stopped.startswith("timed out"):
        errors.append(ending.stopped)
    errors += [f"did not end: {name}" for name in ending.stragglers]
    return errors
