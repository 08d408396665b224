"""One run of a program's source under the instrument: its threads, its output, its end.

:class:`ProgramRun` runs a Python program as ``python file.py`` would, inside this
process: the module's code on a thread of its own that the program knows as its
main thread (``MainThread``), with ``__name__ == "__main__"``, and the instrumented
``threading``, ``time``, ``queue``, ``sys`` and ``print`` of an
:class:`~app.core.instrument.Instrument`. When the module's code is done, the main
thread waits for the threads that are not daemons, as Python does at exit; daemon
threads still running then are cut off, as Python cuts them off.

A watch thread looks after the run every :data:`WATCH_S` seconds: it reads the
output pipe, looks for deadlocks (a circle of waits, or a lock whose holder has
ended) and, after a Stop, makes sure the program's threads end. The run is over
when the main thread has ended and no thread of the program is left (or the ones
left could not be stopped within :data:`GIVE_UP_S`: they are named, never waited for).
"""

from __future__ import annotations

import linecache
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from . import primitives
from . import recorder as rec
from .instrument import Instrument, ProgramOutput, TerminalOutput, format_exception
from .owned import OwnedThread
from .primitives import RunStopped
from .recorder import Recorder
from .waitgraph import Deadlock, DeadlockWatch

#: How often the watch thread reads the output, looks for deadlocks and pushes a Stop.
WATCH_S = 0.05
#: How long after a Stop (or the end of the main thread, for daemons) the run waits for
#: threads that do not end before it names them and lets them be.
GIVE_UP_S = 2.0
#: Where the main thread joins the other threads when the program's code is done.
AT_EXIT = "the end of the program, where Python waits for every thread that is not a daemon"
#: Exit status of a program that ended with an uncaught exception, as Python's.
EXIT_ERROR = 1


@dataclass
class Ending:
    """How a run ended."""

    exit_code: int | None  # as the program's process would have; None if it was stopped
    seconds: float
    stopped: str = ""  # why it was stopped, if it was
    error: str = ""  # the main thread's traceback, if it raised
    thread_errors: list[str] = field(default_factory=list)  # "name: repr(exception)"
    cut_off: list[str] = field(default_factory=list)  # daemon threads ended at exit
    stragglers: list[str] = field(default_factory=list)  # threads that could not be stopped

    @property
    def ok(self) -> bool:
        """True if the program ran to its end without an error in any thread."""
        return self.exit_code == 0 and not self.thread_errors and not self.stragglers


class ProgramRun:
    """Runs ``source`` (as file ``filename``) once; owner of its threads.

    ``start()`` begins; ``request_stop()`` ends it from any thread; ``join(timeout)``
    waits with a bound; :attr:`ending` says how it ended. ``auto_break``: a deadlock
    found is broken at once (headless runs never hang); otherwise it waits for
    :meth:`break_waits` (the window's Break the wait) or a Stop. ``on_finding`` is
    called on the watch thread for each deadlock found. ``output``: where the program
    writes (default: a pipe the owner reads; :class:`TerminalOutput`: this process's own
    stdout and stderr). ``own_folder``: modules imported from there are the program's own
    code, instrumented too; ``libraries``: standard-library packages loaded so as well
    (see :class:`~app.core.instrument.Instrument`).
    A ``SyntaxError`` in ``source`` is raised by the constructor.
    """

    def __init__(self, source: str, filename: str, *, recorder: Recorder | None = None,
                 argv: list[str] | None = None, auto_break: bool = False,
                 on_finding: Callable[[Deadlock], None] | None = None,
                 output: ProgramOutput | TerminalOutput | None = None, own_folder: str | None = None,
                 libraries: tuple[str, ...] = ()) -> None:
        self.source = source
        self.filename = filename
        self.code = compile(source, filename, "exec", dont_inherit=True)
        self.recorder = recorder if recorder is not None else Recorder()
        self.output = output if output is not None else ProgramOutput()
        self.instrument = Instrument(self.recorder, self.output, {filename},
                                     argv if argv is not None else [filename], own_folder=own_folder,
                                     libraries=libraries)
        self.namespace: dict[str, Any] = {}
        self.findings: list[Deadlock] = []
        self.ending: Ending | None = None
        self.started_at = 0.0
        self._on_finding = on_finding
        self._launched = threading.Event()  # set once start() has started the main thread
        self._done = threading.Event()
        self._wake = threading.Event()
        self._stop_asked_at: float | None = None
        self._exit_code: int | None = 0
        self._error = ""
        self._deadlocks = DeadlockWatch(lambda: list(self.instrument.locks), self._found,
                                        auto_break=auto_break, threads=self.instrument.live_threads,
                                        stalled=self.stalled)
        self._main = self._make_main()
        self._watch = _Watch(self)

    # -- the interface -------------------------------------------------------------------
    def start(self) -> "ProgramRun":
        """Start the program's main thread and the watch; returns self."""
        lines = self.source.splitlines(keepends=True)
        linecache.cache[self.filename] = (len(self.source), None, lines, self.filename)
        # the watch first: its own start (a new thread, its first steps) must not compete for
        # the CPUs with the program's first instructions, where its threads race to start
        self._watch.start()
        self.started_at = time.monotonic()
        try:
            self._main.start()
        except RunStopped:  # stopped before it began: nothing runs, the watch ends it at once
            self._exit_code = None
        finally:
            self._launched.set()
        return self

    @property
    def running(self) -> bool:
        """True until the run is over (see the module's docstring)."""
        return self._watch.started and not self._done.is_set()

    def request_stop(self, reason: str = "stopped from outside") -> None:
        """End the program: every wait ends, every thread stops at its next instruction."""
        if self._stop_asked_at is None:
            self._stop_asked_at = time.monotonic()
        self.instrument.stop(reason)
        self._watch.wake()

    def join(self, timeout: float | None = None) -> bool:
        """Wait up to ``timeout`` s for the run to be over; True if it is."""
        return self._done.wait(timeout)

    def break_waits(self) -> list[str]:
        """Break one wait of each deadlock found so far; return the threads' names."""
        return [name for finding in self.findings for name in finding.break_wait()]

    def locks(self) -> list[primitives.Lock]:
        """The locks the program made."""
        return list(self.instrument.locks)

    def threads(self) -> list[primitives.Thread]:
        """The program's threads, its main thread first, in the order they started."""
        return [self._main] + list(self.instrument.threads)

    def stalled(self) -> bool:
        """True when every live thread of the program is in an untimed wait: nothing of it
        can go on by itself (a circle of waits through a plain Lock is then for good)."""
        return all(primitives.blocked(thread) for thread in self.instrument.live_threads())

    def lanes(self) -> set[rec.Lane]:
        """The recorder lanes of this run's threads (for measuring what they did)."""
        return {t.lane for t in self.threads() if t.lane is not None}

    # -- the program's main thread ---------------------------------------------------------
    def _make_main(self) -> primitives.Thread:
        inst = self.instrument
        main = inst.threading.Thread(target=self._run_main, name="MainThread", daemon=False)
        inst.main = main
        return main

    def _run_main(self) -> None:
        inst, main = self.instrument, self._main
        self.namespace.update(__name__="__main__", __file__=self.filename, __doc__=None,
                              __builtins__=inst.builtins())
        main._in_program = True
        try:
            try:
                if inst.on_thread_start is not None:
                    inst.on_thread_start()
                exec(self.code, self.namespace)
            finally:
                inst.leave_program(main)
        except RunStopped:
            self._exit_code = None
        except SystemExit as exc:
            self._exit_code = _exit_status(exc, inst)
        except BaseException as exc:  # noqa: BLE001 - printed as Python prints it
            self._error = format_exception(exc, inst.program_files)
            inst.write_error(self._error)
            self._exit_code = EXIT_ERROR
        self._wait_for_threads()
        inst.silenced = True  # the interpreter would exit now: a daemon left running says nothing
        self._watch.wake()  # (the run may be over: the watch need not wait for its next look)

    def _wait_for_threads(self) -> None:
        """What Python does at exit: join every thread that is not a daemon (Stop ends it)."""
        inst = self.instrument
        while not inst.stopping:
            waiting = [t for t in inst.threads if t.is_alive() and not t.daemon and t.ident is not None]
            if not waiting:
                return
            for thread in waiting:
                thread.join_until(lambda: inst.stopping, site=AT_EXIT)

    # -- the watch -------------------------------------------------------------------------
    def look(self) -> None:
        """One look by the watch: read the output, look for deadlocks, push a Stop."""
        self.output.drain()
        if self.instrument.locks or self.instrument.threads:
            self._deadlocks.scan()
        if self.instrument.stopping:
            self.instrument.interrupt_threads()

    def take_errors(self) -> str | None:
        """Errors of the run's own machinery (never the program's), for the owner to show."""
        return self._watch.take_errors()

    def _over(self) -> bool:
        """True once nothing of the program is left running (or worth waiting for)."""
        inst = self.instrument
        if not self._launched.is_set():
            return False
        if self._main.is_alive():
            return self._gave_up()
        if self._main.ident is None:  # never started
            return True
        live = inst.live_threads()
        if not live:
            return True
        if not inst.stopping:  # daemons outlive the main thread only until exit: cut off
            inst.stop("cut off: the main thread ended and this thread is a daemon")
            self._stop_asked_at = time.monotonic()
        return self._gave_up()

    def _gave_up(self) -> bool:
        asked = self._stop_asked_at
        return asked is not None and time.monotonic() - asked > GIVE_UP_S

    def _found(self, finding: Deadlock) -> None:
        self.findings.append(finding)
        if self._on_finding is not None:
            self._on_finding(finding)

    def finish(self) -> None:
        """The run is over: close the output, say how it ended, let :meth:`join` return."""
        inst = self.instrument
        self.output.close()
        stopped = inst.stop_reason if inst.stop_reason and not inst.stop_reason.startswith("cut off") else ""
        self.ending = Ending(
            exit_code=None if stopped or self._main.is_alive() else self._exit_code,
            seconds=time.monotonic() - self.started_at,
            stopped=stopped,
            error=self._error,
            thread_errors=[f"{t.name}: {t.error}" for t in inst.threads if t.error is not None],
            cut_off=[t.name for t in inst.threads if t.stopped and not stopped],
            stragglers=[t.name for t in self.threads() if t.is_alive()],
        )
        self._done.set()


def _exit_status(exc: SystemExit, inst: Instrument) -> int:
    """The process status ``sys.exit(code)`` gives, as Python computes it."""
    code = exc.code
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    inst.write_error(f"{code}\n")
    return 1


class _Watch(OwnedThread):
    """The run's watch: looks every :data:`WATCH_S` until the run is over, then finishes it."""

    def __init__(self, run: ProgramRun) -> None:
        super().__init__("program-watch", period=WATCH_S)
        self.run = run

    def wake(self) -> None:
        self.run._wake.set()

    def work(self) -> None:
        run = self.run
        try:
            run._launched.wait()
            # the first look comes a period after the start: a look takes the GIL, and the
            # program's first instructions (threads racing to start) are best left alone
            while not self.stopping.is_set():
                run._wake.wait(self.period)
                run._wake.clear()
                if run._over():
                    break
                self.guarded(run.look)
        finally:
            run.finish()
