"""Ctrl+C and threads: what a real Python process does when it gets SIGINT.

Try: Start, and read the program's output and the outcome. Then set DAEMON = True and
Start; then DAEMON = False, CLEAN = True and Start.

Look for: this lesson runs the program as its own Python process and presses Ctrl+C
for you (it sends SIGINT) 0.3 s after the program says it is ready. Python turns
Ctrl+C into ``KeyboardInterrupt`` in the *main* thread only. With a normal
(non-daemon) worker the main thread dies with a traceback, but the process lives on
until the worker has done all its work. With ``DAEMON = True`` the process ends at
once and the worker is cut off mid-work: no "worker: done". With ``CLEAN = True`` the
main thread catches ``KeyboardInterrupt``, sets the worker's stop Event and joins it:
the process ends promptly, the worker says it stopped cleanly, and the exit status
is 0.

Why: the interpreter waits for non-daemon threads before it exits, and kills daemon
threads without warning. Neither is a way to stop a thread: an Event is. (The main
thread waits in ``time.sleep``, not in ``t.join()``: a Ctrl+C that lands inside
``join()`` leaves the worker marked as finished on some Python versions, and the
process then exits without waiting for it.)
"""

import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from ..core.childenv import env_with_path
from ..core.params import Param
from ..core.program import Ending
from ..core.words import signal_name
from .base import CannotMeasure, Verdict, every_run

ID = "ctrl-c"
PARAMS = (
    Param("WORK", 2.0, 0.5, 10.0, "s", help="how long the worker works"),
    Param("DAEMON", False, help="True: the worker is a daemon thread"),
    Param("CLEAN", False, help="True: the main thread stops the worker on Ctrl+C"),
)
#: When the program gets SIGINT, after it says it is ready.
INTERRUPT_AFTER_S = 0.3
READY = "main: ready for Ctrl+C"
#: Run by the child's Python before the program (as ``sitecustomize``), so that not a line
#: of the program changes and no code runs between fork and exec in this threaded process:
#: - Python turns SIGINT into KeyboardInterrupt only if SIGINT is not ignored when it
#:   starts, and a child inherits "ignored" from a shell that ran threadlab with & or
#:   nohup: put Python's own handler back.
#: - On Linux, ask the kernel to kill the child if threadlab dies, however it dies (even
#:   SIGKILL), and end at once if that has already happened. (The kernel watches the
#:   thread that started the child; that thread waits for the child before it ends.)
#: (It takes the place of any ``sitecustomize`` the Python in use has of its own.)
SITECUSTOMIZE = """\
import os
import signal
import sys

signal.signal(signal.SIGINT, signal.default_int_handler)
if sys.platform.startswith("linux"):
    import ctypes

    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != {parent}:
        os._exit(1)
"""


class ChildRun:
    """The program run as a real child process, interrupted once (a lesson run)."""

    def __init__(self, source: str, name: str) -> None:
        self.folder = tempfile.TemporaryDirectory(prefix="threadlab-ctrl-c-")
        program = Path(self.folder.name) / "program"
        setup = Path(self.folder.name) / "setup"
        program.mkdir()
        setup.mkdir()
        path = program / name
        path.write_text(source, encoding="utf-8")
        (setup / "sitecustomize.py").write_text(SITECUSTOMIZE.format(parent=os.getpid()), encoding="utf-8")
        self.child = subprocess.Popen(
            [sys.executable, "-u", str(path)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, cwd=str(program), env=env_with_path(str(setup)))
        self.lines: list[str] = []
        self.ready = threading.Event()
        self.stop = threading.Event()
        self._reader = threading.Thread(target=self._read, name="ctrl-c-reader", daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.child.stdout:
            self.lines.append(line)
            if READY in line:  # (a line may hold the worker's words too: threads share stdout)
                self.ready.set()
        self.ready.set()  # (the program ended without saying so)

    def request_stop(self, reason: str = "") -> None:
        self.stop.set()

    def interrupt(self, work: float) -> tuple[int | None, float]:
        """Send SIGINT once the program is ready; return its exit status and how long it
        lived after the signal (None, -1 if it had to be killed)."""
        try:
            give_up = time.monotonic() + 10
            while not self.ready.wait(0.05) and not self.stop.is_set() and time.monotonic() < give_up:
                pass
            if self.stop.wait(INTERRUPT_AFTER_S) or self.child.poll() is not None:
                return self.child.poll(), -1.0
            sent = time.monotonic()
            self.child.send_signal(signal.SIGINT)
            end = sent + work + 10
            while self.child.poll() is None and time.monotonic() < end and not self.stop.wait(0.01):
                pass
            if self.child.poll() is None:
                return None, -1.0
            return self.child.returncode, time.monotonic() - sent
        finally:
            if self.child.poll() is None:
                self.child.kill()
            self.child.wait(5)
            self._reader.join(5)
            self.child.stdout.close()
            self.folder.cleanup()


class ChildObservation:
    """What a check of this lesson reads: the child's output, exit status and timing."""

    def __init__(self, params, output, code, after, started_at):
        self.params = params
        self.output = output
        self.exit_code = code
        self.exit_after_s = after
        self.ending = Ending(exit_code=code, seconds=time.monotonic() - started_at,
                             stopped="" if after >= 0 else "stopped, or killed after not ending")


def run_program(lesson, source, params, how):
    """This lesson's runner: the program as a real process, not under the instrument."""
    if not hasattr(signal, "SIGINT") or os.name != "posix":
        raise CannotMeasure("sending Ctrl+C to a child process needs a POSIX system")
    began = time.monotonic()
    run = ChildRun(source, lesson.program_name)
    how.stopper.attach(run)
    code, after = run.interrupt(params["WORK"])
    return ChildObservation(params, "".join(run.lines), code, after, began)


def least_seconds(p):
    """A worker that is neither a daemon nor stopped keeps the process until its work is done."""
    return p["WORK"] if not (p["DAEMON"] or p["CLEAN"]) else INTERRUPT_AFTER_S


def measure(seen):
    out = seen.output
    return {"exit_code": seen.exit_code, "exit_after_s": round(seen.exit_after_s, 3),
            "traceback": "KeyboardInterrupt" in out, "worker_done": "worker: done" in out,
            "stopped_cleanly": "worker: stopped cleanly" in out}


def judge(p, runs):
    return every_run(runs, lambda r: judge_run(p, r))


def judge_run(p, r):
    """One run against the claim; the sentence says what this run did, whatever was predicted."""
    if r["exit_after_s"] < 0:
        return Verdict(False, "the program did not get to Ctrl+C, or did not end after it")
    remaining = p["WORK"] - INTERRUPT_AFTER_S
    prompt = r["exit_after_s"] < 0.5 * remaining
    text = (f"after Ctrl+C (the worker had about {remaining:.1f} s of work left) the main thread "
            f"{_main_did(r)}, the worker {_worker_did(r)}, and the process ended {r['exit_after_s']:.2f} s "
            f"later {_status_words(r['exit_code'])}")
    if p["CLEAN"]:
        ok = r["exit_code"] == 0 and r["stopped_cleanly"] and prompt
    elif p["DAEMON"]:
        ok = not r["worker_done"] and prompt and r["traceback"]
    else:
        ok = r["worker_done"] and r["exit_after_s"] >= 0.8 * remaining and r["traceback"]
    return Verdict(ok, text)


def _main_did(r) -> str:
    return "raised KeyboardInterrupt (its traceback is in the output)" if r["traceback"] else \
        "caught Ctrl+C (no traceback)"


def _worker_did(r) -> str:
    if r["worker_done"]:
        return "still did all its work ('worker: done')"
    if r["stopped_cleanly"]:
        return "stopped when told ('worker: stopped cleanly')"
    return "was cut off mid-work (it never said 'worker: done')"


def _status_words(code: int | None) -> str:
    if code is not None and code < 0:
        return (f"by {signal_name(-code)}, as Python ends a process whose KeyboardInterrupt was not caught "
                f"(a shell shows status {128 - code})")
    return f"with exit status {code}"
