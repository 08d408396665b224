"""Be the scheduler: run a program's real threads one line at a time, in an order you choose.

A :class:`Stepper` runs a program under the instrument (:class:`~app.core.program.ProgramRun`)
with a trace function on each of its threads (``sys.settrace``, set by the thread itself
before its first line): before every line of the program's own code, the thread stops and
waits for its turn. :meth:`Stepper.step` gives one thread the turn; it runs that one line
(calls into the standard library, C code, a ``sleep``: all part of the line) and stops
before its next. Exactly one of the program's threads runs at a time, so the order of the
steps decides what happens, and the same order gives the same outcome every time.

A thread that cannot go on (waiting for a lock another thread holds, for an Event not set,
in ``join``) is *blocked*, with the reason in words, and cannot be stepped; when every
live thread is blocked, that is a deadlock (:attr:`Stepper.deadlocked`).

A step is one line, or, once the line is *expanded*, one bytecode instruction
(``step(name, INSTRUCTION)``): ``counter = value + 1`` is a load, an add and a store, and a
thread can be stopped between its read and its write. Code that runs in C (a numpy
operation over a whole array, a ``sleep``) is one instruction: the stepper cannot split it.

The steps taken are kept (:attr:`Stepper.schedule`, a list of :class:`Step`) and can be
given again (:meth:`Stepper.run_schedule`) or drawn at random from a seed
(:meth:`Stepper.run_random`). :meth:`Stepper.run_free` hands the threads back to the real
scheduler and :meth:`Stepper.pause` takes them again. No Qt here.
"""

from __future__ import annotations

import dis
import random
import sys
import threading
import time
from dataclasses import dataclass
from typing import Any, Iterable, Union

from . import primitives
from . import recorder as rec
from .frames import current_frames
from .instrument import clear_async_signal
from .primitives import RunStopped, format_site
from .program import ProgramRun

READY, RUNNING, BLOCKED, FINISHED = "ready", "running", "blocked", "finished"
#: What one step runs: a line of the program, or one bytecode instruction of it.
LINE, INSTRUCTION = "line", "instruction"
#: How long a step may take before the stepper gives up on it (a line that sleeps or
#: computes for longer than this is too long to step).
STEP_LIMIT_S = 10.0
#: When no thread is left to step, how long the program is given to end (if it does not,
#: its threads wait for each other).
END_WAIT_S = 0.5
#: How often, while a step settles, the threads that are neither stopped at a line nor
#: ended are looked at again (a wait in a lock says so by a flag, not by a signal).
LOOK_S = 0.0005


@dataclass(frozen=True)
class Step:
    """One step of a schedule: the thread that ran, and whether it ran a line or one instruction."""

    thread: str
    unit: str = LINE

    def __str__(self) -> str:
        return self.thread if self.unit == LINE else f"{self.thread} (one instruction)"


@dataclass(frozen=True)
class ThreadView:
    """One thread of the program as the stepper sees it between two steps."""

    name: str
    state: str  # READY, BLOCKED or FINISHED (RUNNING only during a step)
    line: int | None  # the line it stops before (READY), or is in (BLOCKED)
    reason: str = ""  # why it is blocked, in words
    offset: int | None = None  # the instruction it stops before, when stopped inside a line
    instruction: str = ""  # that instruction in words (``BINARY_OP +``)


@dataclass(frozen=True)
class _Stop:
    """Where a thread waits for its turn: before a line, or before an instruction in it."""

    line: int
    code: Any
    offset: int | None = None  # None: before the line's first instruction, at a line event
    frame: Any = None  # (kept only while it waits: its locals are read from it)


class StepError(RuntimeError):
    """A step that cannot be taken: a thread that is not ready, a run that is over."""


class Stepper:
    """A program's threads, run one line at a time in the order :meth:`step` is called.

    ``start()`` runs the program up to the first line of its main thread; ``close()`` ends
    it (every thread is let go and stopped). Owner: whoever starts it closes it.
    ``run_options`` go to the :class:`~app.core.program.ProgramRun` (a recorder, auto_break...).
    """

    def __init__(self, source: str, filename: str = "program.py", argv: list[str] | None = None,
                 **run_options: Any) -> None:
        self.run = ProgramRun(source, filename, argv=argv, **run_options)
        self.run.instrument.on_thread_start = self._trace_this_thread
        self._files = self.run.instrument.program_files
        self._mutex = threading.Lock()  # guards the fields below
        self._gates: dict[threading.Thread, Any] = {}  # thread -> the lock it waits on for its turn
        self._wake = _locked()  # let go when a stepped thread stops again (the stepper waits on it)
        self._turn: threading.Thread | None = None
        self._turn_unit = LINE
        self._stopped_at: dict[threading.Thread, _Stop] = {}  # thread -> where it waits
        self._unit: dict[threading.Thread, str] = {}  # thread -> the unit of its last step
        self._skip: dict[threading.Thread, tuple[Any, int]] = {}  # an opcode event not to stop at
        self._free = False  # True once closed: every thread runs on, untraced, and is stopped
        self._released = False  # True once released: every thread runs on, untraced
        self._running_free = False  # True between run_free() and pause(): nobody waits
        self.schedule: list[Step] = []
        #: False once the real scheduler ran the threads for a while (run_free): the
        #: schedule then no longer says everything that happened.
        self.exact = True

    # -- the interface ------------------------------------------------------------------------
    def start(self) -> "Stepper":
        clear_async_signal()  # (a Stop earlier in this process may have left it stuck)
        self.run.start()
        try:
            self._settle()
        except StepError:
            self.close()  # (nothing is left running when it cannot start)
            raise
        return self

    def threads(self) -> list[ThreadView]:
        """Every thread of the program so far, in the order they started."""
        with self._mutex:
            stopped = dict(self._stopped_at)
        views = []
        for thread in self.run.threads():
            if thread.ident is None:
                continue
            if thread in stopped:
                at = stopped[thread]
                views.append(ThreadView(thread.name, READY, at.line, offset=at.offset,
                                        instruction=_instruction_words(at.code, at.offset)))
            elif not thread.is_alive():
                views.append(ThreadView(thread.name, FINISHED, None))
            elif (self._running_free or self._released) and not primitives.blocked(thread):
                views.append(ThreadView(thread.name, RUNNING, self._line_of(thread)))
            else:
                views.append(ThreadView(thread.name, BLOCKED, self._line_of(thread), self._why_blocked(thread)))
        return views

    def bytecode(self, name: str) -> list[tuple[int, str, bool]]:
        """The instructions of the line the thread ``name`` stops at: (offset, words, whether
        it is the next to run); [] for a thread that is not stopped at a line."""
        with self._mutex:
            at = next((stop for t, stop in self._stopped_at.items() if t.name == name), None)
        if at is None:
            return []
        instructions = line_instructions(at.code, at.line)
        current = at.offset if at.offset is not None else (instructions[0].offset if instructions else None)
        return [(ins.offset, instruction_words(ins), ins.offset == current) for ins in instructions]

    def locals_of(self, name: str) -> dict[str, Any] | None:
        """The local names of the function the thread ``name`` stops in (a copy), or None if
        it is not stopped, or stops at the module's top level (its locals are the globals)."""
        with self._mutex:
            at = next((stop for t, stop in self._stopped_at.items() if t.name == name), None)
        if at is None or at.frame.f_code.co_name == "<module>":
            return None
        return dict(at.frame.f_locals)

    def ready(self) -> list[str]:
        """The names of the threads that can be stepped now, in the order they started."""
        with self._mutex:
            stopped = set(self._stopped_at)
        return [thread.name for thread in self.run.threads() if thread in stopped]

    @property
    def over(self) -> bool:
        """True once every thread of the program has ended."""
        return not any(thread.is_alive() for thread in self.run.threads() if thread.ident is not None)

    @property
    def deadlocked(self) -> bool:
        """True when threads wait for each other's locks in a circle, or when threads are
        alive but none can go on."""
        if self.circle():
            return True
        if self._running_free or self._released:  # (threads may be running: stuck only if all wait)
            return not self.over and all(view.state in (BLOCKED, FINISHED) for view in self.threads())
        return not self.over and not self.ready()

    def circle(self) -> list[str]:
        """The threads of a circle of lock waits (each waits for a lock the next holds), or []."""
        waits_for = {}  # lane -> the lane holding the lock it waits for
        for lock in list(self.run.instrument.locks):
            if lock.owner is not None:
                for waiter in lock.waiters():
                    waits_for[waiter.lane] = lock.owner
        for start in waits_for:
            path, lane = [start], waits_for[start]
            while lane in waits_for and lane not in path:
                path.append(lane)
                lane = waits_for[lane]
            if lane is start:  # (told from the thread that started first, as the threads are listed)
                order = {thread.lane: i for i, thread in enumerate(self.run.threads())}
                first = min(range(len(path)), key=lambda i: order.get(path[i], len(order)))
                return [each.name for each in path[first:] + path[:first]]
        return []

    def step(self, name: str, unit: str = LINE) -> None:
        """Let the thread called ``name`` run its line (``unit=INSTRUCTION``: one bytecode
        instruction) and stop before its next one (``StepError`` if it cannot: blocked,
        finished, no such thread, or instructions on a Python that does not report them)."""
        if unit not in (LINE, INSTRUCTION):
            raise StepError(f"a step runs a {LINE!r} or an {INSTRUCTION!r}, not {unit!r}")
        if unit == INSTRUCTION and not instructions_can_be_stepped():
            raise StepError(f"this Python ({sys.version.split()[0]}) does not report single instructions to "
                            "a trace function, so a line cannot be expanded here (3.10, 3.11 and 3.13 do)")
        with self._mutex:
            thread = next((t for t in self._stopped_at if t.name == name), None)
        if thread is None:
            views = {view.name: view for view in self.threads()}
            view = views.get(name)
            if view is None:
                raise StepError(f"no thread called {name!r} (threads: {', '.join(views) or 'none'})")
            raise StepError(f"{name} cannot be stepped: " + (view.reason or view.state))
        with self._mutex:
            self._turn = thread
            self._turn_unit = unit
            self._wake.acquire(False)  # (a signal left from before is not this step's)
            _open(self._gates[thread])
        self.schedule.append(Step(name, unit))
        self._settle()

    def run_schedule(self, steps: Iterable[Union[Step, str]]) -> None:
        """Take the steps given, in order (a bare name is a line step); a step that cannot
        be taken raises ``StepError`` naming it (``step 7 of 12 (B): ...``)."""
        steps = [each if isinstance(each, Step) else Step(each) for each in steps]
        for number, step in enumerate(steps, 1):
            try:
                self.step(step.thread, step.unit)
            except StepError as exc:
                raise StepError(f"step {number} of {len(steps)} ({step}): {exc}; the schedule does not fit "
                                "this program") from None

    def run_free(self) -> None:
        """Let every thread run on as the real scheduler decides (still traced, so that
        :meth:`pause` can stop them again); the schedule is no longer exact."""
        with self._mutex:
            self._running_free = True
            self.exact = False
            self._open_every_gate()

    def pause(self) -> None:
        """Stop every thread again before its next line (after :meth:`run_free`)."""
        with self._mutex:
            self._running_free = False
        self._settle()

    def release(self) -> None:
        """Let every thread go, untraced from its next line on, for good: the rest of the
        program runs at full speed, as the real scheduler decides (nothing can be stepped
        or paused after this)."""
        with self._mutex:
            self._released = True
            self.exact = False
            self._open_every_gate()

    def finish_free(self, timeout: float) -> bool:
        """Release the threads and wait for the program to end; True if it ended within
        ``timeout`` s."""
        self.release()
        deadline = time.monotonic() + timeout
        while not self.over and time.monotonic() < deadline:
            if self.run.join(min(0.05, max(0.0, deadline - time.monotonic()))):
                break
        return self.over

    def run_random(self, seed: int, max_steps: int = 100_000) -> None:
        """Step a thread drawn at random among the ready ones until none is ready (the same
        ``seed`` draws the same schedule)."""
        draw = random.Random(seed)
        for _ in range(max_steps):
            ready = self.ready()
            if not ready:
                return
            self.step(draw.choice(ready))
        raise StepError(f"still running after {max_steps} steps")

    def output(self) -> str:
        """What the program has printed so far (all of it, once its threads have ended:
        the output is read from its pipe by the run's watch, which is waited for then)."""
        if self.over:
            self.run.join(STEP_LIMIT_S)
        return self.run.output.text()

    def close(self, timeout: float = 2.0) -> bool:
        """Let every thread go, untraced, and stop the run; True if it ended in time."""
        with self._mutex:
            self._free = True
            self._open_every_gate()
        if self.run.running:
            self.run.request_stop("the stepper was closed")
        return self.run.join(timeout)

    # -- on the program's threads -------------------------------------------------------------
    def _trace_this_thread(self) -> None:
        threading.current_thread()._after_wait = self._pause_after_wait
        sys.settrace(self._trace_call)

    def _trace_call(self, frame: Any, event: str, arg: Any) -> Any:
        """Trace the program's own code only; everything else runs as one part of a line."""
        if self._free or self._released:
            sys.settrace(None)  # (closed or released: this thread runs on untraced)
            return None
        if frame.f_code.co_filename not in self._files:
            return None
        return self._trace_line

    def _trace_line(self, frame: Any, event: str, arg: Any) -> Any:
        if self._free or self._released:
            sys.settrace(None)
            return None
        if self._running_free:
            return self._trace_line
        if event == "line":
            me = threading.current_thread()
            if self._unit.get(me) != INSTRUCTION:
                self._wait_for_turn(frame, None)
            elif not frame.f_trace_opcodes:  # (a frame entered before the line was expanded)
                frame.f_trace_opcodes = True  # its opcode event, next, is where it stops
        elif event == "opcode":
            me = threading.current_thread()
            if self._skip.pop(me, None) == (frame, frame.f_lasti):
                return self._trace_line  # the instruction its line event stopped before: run it
            if self._unit.get(me) == INSTRUCTION:
                self._wait_for_turn(frame, frame.f_lasti)
        elif event == "return" and self._unit.get(threading.current_thread()) == INSTRUCTION:
            caller = frame.f_back  # (so that the caller's next instruction is a step too)
            if caller is not None and caller.f_code.co_filename in self._files:
                caller.f_trace_opcodes = True
        return self._trace_line

    def _pause_after_wait(self) -> None:
        """(Called by the instrument when a wait of this thread ends.) A lock let go, a
        notify or an ending thread in another thread's step woke it: it stops here, in the
        middle of its line, until its turn, so that the rest of its line does not run beside
        the rest of the stepped thread's (which would make the outcome the real scheduler's)."""
        me = threading.current_thread()
        if self._free or self._released or self._running_free or self._turn is me:
            return
        frame = sys._getframe(1)
        while frame is not None and frame.f_code.co_filename not in self._files:
            frame = frame.f_back
        if frame is not None:
            self._wait_for_turn(frame, None, mid_line=True)

    def _wait_for_turn(self, frame: Any, offset: int | None, mid_line: bool = False) -> None:
        me = threading.current_thread()
        recorder = self.run.recorder
        recorder.record(rec.PAUSED)
        gate = self._gates.get(me)
        if gate is None:
            gate = self._gates[me] = _locked()  # (each thread makes its own, before it first waits)
        with self._mutex:
            if self._turn is me:
                self._turn = None  # its step is done
            self._stopped_at[me] = _Stop(frame.f_lineno, frame.f_code, offset, frame)
        _open(self._wake)
        # the gate is let go for this thread's turn, and for every thread by run_free() and
        # close(); a release that was not for this wait (a late one) only loops once more
        while not self._free and not self._released and not self._running_free and self._turn is not me:
            gate.acquire()
        with self._mutex:
            del self._stopped_at[me]
            unit = self._turn_unit if self._turn is me else LINE
        recorder.record(rec.RUNNING)
        if self._free or self._released:
            sys.settrace(None)
            if self._free and not mid_line:  # (mid-line, in a primitive that just took a lock: let it return)
                raise RunStopped("the stepper was closed")  # (ends the thread here, as a Stop does)
            return
        self._unit[me] = unit
        if frame.f_trace_opcodes != (unit == INSTRUCTION):
            frame.f_trace_opcodes = unit == INSTRUCTION
        if unit == INSTRUCTION and offset is None and not mid_line:
            self._skip[me] = (frame, frame.f_lasti)  # (its opcode event comes next, for the same instruction)

    # -- between steps ------------------------------------------------------------------------
    def _settle(self) -> None:
        """Wait until the step is over: every live thread stopped before a line, blocked
        in a wait, or ended (a thread just started must reach its first line)."""
        deadline = time.monotonic() + STEP_LIMIT_S
        while True:
            with self._mutex:
                if self._settled():
                    nothing_ready = not self._stopped_at
                    break
            if time.monotonic() > deadline:
                moving = [t.name for t in self._moving()]
                raise StepError(f"a step took more than {STEP_LIMIT_S:g} s: {', '.join(moving)} still running")
            self._wake.acquire(True, LOOK_S)  # (a stop at a line says so; waits and ends are looked at)
        if nothing_ready and not self.circle():
            # the end of the program, or everyone waiting: a thread waiting at exit for
            # another one that is just ending looks blocked for a moment; the end settles it
            self.run.join(END_WAIT_S)

    def _moving(self) -> list[threading.Thread]:
        """Threads neither stopped at a line, nor ended, nor in a wait that nothing has ended
        (a waiter whose lock was just let go is moving: it is about to take it)."""
        return [t for t in self.run.threads() if t.ident is not None and t.is_alive()
                and t not in self._stopped_at and (not primitives.blocked(t) or primitives.could_go_on(t))]

    def _settled(self) -> bool:
        turn = self._turn
        if turn is not None and turn.is_alive() and (not primitives.blocked(turn) or primitives.could_go_on(turn)):
            return False  # (not yet at its next line: it may not even have woken up)
        if turn is not None and not turn.is_alive():
            self._turn = None
        return not self._moving()

    def _open_every_gate(self) -> None:
        for thread in self._stopped_at:
            _open(self._gates[thread])

    # -- words ----------------------------------------------------------------------------------
    def _why_blocked(self, thread: threading.Thread) -> str:
        """``waiting for Lock 'a', held by add, taken at line 12`` and the like."""
        lane = thread.lane
        for lock in list(self.run.instrument.locks):
            if any(waiter.lane is lane for waiter in lock.waiters()):
                owner = lock.owner
                if owner is None:
                    return f"waiting for {lock.kind} {lock.name!r}"
                return (f"waiting for {lock.kind} {lock.name!r}, held by {owner.name}, taken at "
                        f"{_line_words(lock.owner_site)}")
        for record in reversed(self.run.recorder.snapshot()):
            if record[1] is lane and record[2] in rec.WAITING:
                return rec.describe(record[2], record[3])
        return "waiting"

    def _line_of(self, thread: threading.Thread) -> int | None:
        frame = current_frames().get(thread.ident)
        while frame is not None:
            if frame.f_code.co_filename in self._files:
                return frame.f_lineno
            frame = frame.f_back
        return None


def _locked() -> Any:
    """A plain lock, taken: who acquires it waits until someone lets it go."""
    lock = threading.Lock()
    lock.acquire()
    return lock


def _open(lock: Any) -> None:
    """Let ``lock`` go, if it is held (a second release for the same wait does nothing)."""
    try:
        lock.release()
    except RuntimeError:
        pass


def line_instructions(code: Any, line: int) -> list[dis.Instruction]:
    """The bytecode instructions of ``code`` that belong to ``line``, in order."""
    spans = [(start, end) for start, end, number in code.co_lines() if number == line]
    return [ins for ins in dis.get_instructions(code)
            if any(start <= ins.offset < end for start, end in spans)]


def instruction_words(ins: dis.Instruction) -> str:
    """``LOAD_GLOBAL counter``, ``BINARY_OP +``: an instruction as the Expand view shows it."""
    return f"{ins.opname} {ins.argrepr}".strip()


def _instruction_words(code: Any, offset: int | None) -> str:
    if offset is None:
        return ""
    for ins in dis.get_instructions(code):
        if ins.offset == offset:
            return instruction_words(ins)
    return f"offset {offset}"


_opcode_events: bool | None = None


def instructions_can_be_stepped() -> bool:
    """True if this Python reports single instructions to ``sys.settrace`` (3.12.0 and
    3.12.1 do not); found out once, by tracing a tiny function here."""
    global _opcode_events
    if _opcode_events is None:
        seen = []

        def local(frame: Any, event: str, arg: Any) -> Any:
            frame.f_trace_opcodes = True
            seen.append(event)
            return local

        def probe() -> int:
            one = 1
            return one + 1

        previous = sys.gettrace()
        sys.settrace(lambda frame, event, arg: local if frame.f_code is probe.__code__ else None)
        try:
            probe()
        finally:
            sys.settrace(previous)
        _opcode_events = "opcode" in seen
    return _opcode_events


def _line_words(site: Any) -> str:
    """``line 12`` for a site in the program, its file and line otherwise."""
    words = format_site(site)
    if isinstance(site, tuple):
        return f"line {words.split(':')[1].split(' ')[0]}"
    return words
