"""``threadlab trace``: run a Python script as ``python SCRIPT ARGS`` would, under the
instrument, and sum up what its threads and locks did.

The script gets its own ``sys.argv``, ``__name__ == "__main__"``, its folder first on
``sys.path``, and this process's stdin, stdout and stderr. Its ``threading``, ``time``,
``queue`` and ``sys`` are the instrument's (:mod:`app.core.instrument`), so its threads,
locks, events and sleeps are recorded; the report says, per thread, how long it ran,
waited for a lock, waited for an event or condition, slept and joined, and, per lock,
how often it was taken and contended, its longest hold and where it was taken most.

This module is what runs in the child process that ``threadlab trace`` starts
(:mod:`app.tracecli`): ``python -m app.core.scripttrace --report-fd N [options] SCRIPT
[ARGS]``. The report goes through that pipe as one JSON object, also when the program
calls ``os._exit``; a program that crashes the interpreter takes only the child with it,
and the parent says so.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from . import recorder as rec
from .chrometrace import save_trace, saved_note
from .foreign import SUFFIX, ForeignWatch
from .frames import current_frames
from .instrument import TerminalOutput, in_packages
from .primitives import format_site
from .program import GIVE_UP_S, ProgramRun
from .recorder import Recorder
from .schedule import Schedule, parse_schedule_option, save_schedule
from .scriptfeed import FeedSender
from .stepper import StepError, Stepper
from .timeline import Timeline, Track
from .waitgraph import Deadlock

#: Records kept (the oldest fall out beyond this, and the report says how many did).
TRACE_CAPACITY = 500_000
#: Exit status when a deadlock was found and not broken, when ``--timeout`` ended the
#: program (as GNU ``timeout``), when Ctrl+C did.
EXIT_DEADLOCK, EXIT_TIMEOUT, EXIT_INTERRUPTED = 4, 124, 130
#: A step of ``--schedule`` that cannot be taken (as a bad argument: nothing more runs).
EXIT_BAD_SCHEDULE = 2
#: Steps a random schedule may take before the program is called too long to step.
MAX_RANDOM_STEPS = 200_000
_real_exit = os._exit
_stopped_by = ["SIGINT"]  # the signal that interrupted the program
#: For the window, how long the program's threads have to stop before its report is made.
STOP_FIRST_S = 1.0
#: How long the report waits for the watch of threads the program did not start to end.
FOREIGN_STOP_S = 0.5
#: Threads listed one by one in the words of the report (--json has every one).
SHOWN_THREADS = 30
#: Standard-library packages whose threads, locks and queues are recorded for the program
#: (loaded afresh in the child with the instrument's modules).
LIBRARIES = ("concurrent.futures",)
#: The states summed per thread, under the report's keys.
TIME_IN = {
    "running_s": (rec.RUNNING,),
    "lock_wait_s": (rec.WAIT_LOCK,),
    "event_wait_s": (rec.WAIT_EVENT, rec.WAIT_COND, rec.PACING),
    "sleeping_s": (rec.SLEEPING,),
    "joining_s": (rec.JOINING,),
}


def read_script(path: str) -> str:
    """The script's text, compiled once to check it; ``ValueError`` in one line if it is
    missing, unreadable or does not compile."""
    try:
        with open(path, encoding="utf-8") as file:
            source = file.read()
    except FileNotFoundError:
        raise ValueError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}: cannot read it ({exc})") from None
    try:
        compile(source, path, "exec", dont_inherit=True)
    except SyntaxError as exc:
        raise ValueError(f"{path}, line {exc.lineno}: {exc.msg}") from None
    return source


class ScriptTrace:
    """One traced run of a script in this process; :meth:`run` returns the exit status
    and hands the report (a dict) to ``report`` once, however the program ends."""

    def __init__(self, script: str, args: list[str], report: Callable[[dict[str, Any]], None], *,
                 timeout: float | None = None, break_deadlocks: bool = False, end_on_deadlock: bool = True,
                 feed: IO[str] | None = None, commands: IO[str] | None = None,
                 schedule: Schedule | int | None = None, save_schedule: str | None = None) -> None:
        self.script = script
        self.schedule = schedule  # stepped: by these steps, or by a schedule drawn from this seed
        self.save_schedule = save_schedule
        self.stepped: dict[str, Any] | None = None  # what the stepping did, for the report
        self.path = os.path.abspath(script)
        self.args = list(args)
        self.timeout = timeout
        self.break_deadlocks = break_deadlocks
        self.end_on_deadlock = end_on_deadlock  # False: a deadlock waits for "break" or a stop
        self.recorder = Recorder(TRACE_CAPACITY)
        self.recorder.implicit_suffix = SUFFIX  # (a thread the program did not start, seen using its locks)
        self.findings: list[Deadlock] = []
        self._report = report
        self._reported = threading.Lock()
        self._done = False
        self._pid = os.getpid()
        self.run_: ProgramRun | None = None
        self.foreign = ForeignWatch(self.recorder, set(), list)  # (replaced by the one of the run)
        self._feed_streams = (feed, commands)
        self.feed: FeedSender | None = None

    def run(self) -> int:
        """Run the script to its end; the exit status. On a deadlock left unbroken, the
        timeout or Ctrl+C the report says what each thread was doing, and the process ends
        at once with :data:`EXIT_DEADLOCK`, :data:`EXIT_TIMEOUT` or :data:`EXIT_INTERRUPTED`
        (this process exists for the program: nothing of it runs on after that)."""
        source = read_script(self.script)
        sys.path.insert(0, os.path.dirname(self.path))  # its own folder, as ``python SCRIPT``
        options = dict(recorder=self.recorder, argv=[self.script] + self.args, auto_break=self.break_deadlocks,
                       on_finding=self.findings.append, output=TerminalOutput(),
                       own_folder=os.path.dirname(self.path), libraries=LIBRARIES)
        stepper = Stepper(source, self.path, **options) if self.schedule is not None else None
        run = self.run_ = stepper.run if stepper is not None else ProgramRun(source, self.path, **options)
        for name in [m for m in sys.modules if in_packages(m, LIBRARIES)]:
            del sys.modules[name]  # (loaded by threadlab itself: the program gets its own, recorded)
        os._exit = self._exit_reporting  # the program's os._exit: the report first, then go
        try:  # (from the program's first step on, Ctrl+C or SIGTERM ends it with a report)
            if stepper is not None:
                stepper.start()
            else:
                run.start()
            self.foreign = ForeignWatch(self.recorder, run.instrument.program_files,
                                        lambda: [t.ident for t in run.threads()]).start()
            if self._feed_streams[0] is not None:
                self.feed = FeedSender(self.recorder, self._feed_streams[0], run.instrument.locks, self._shown,
                                       self.findings, run.break_waits, self._feed_streams[1], run.output)
                self.feed.start()
            if stepper is not None and not self._step(stepper):
                how = "schedule"
            else:
                how = self._wait_for_the_end(run)
        except KeyboardInterrupt:
            how = "interrupted"
        if how != "exit":
            self.end_now(how, {"deadlock": EXIT_DEADLOCK, "timeout": EXIT_TIMEOUT,
                               "interrupted": EXIT_INTERRUPTED, "schedule": EXIT_BAD_SCHEDULE}[how])
        os._exit = _real_exit
        ending = run.ending
        status = ending.exit_code if ending is not None and ending.exit_code is not None else 1
        self.send(self.summary("exit", status))
        return status

    def _step(self, stepper: Stepper) -> bool:
        """Take the schedule's steps (or a random schedule's, to the end), then let the real
        scheduler run the rest; save the steps taken. False if a step could not be taken."""
        plan, error = self.schedule, ""
        try:
            if isinstance(plan, int):
                stepper.run_random(plan, max_steps=MAX_RANDOM_STEPS)
            else:
                stepper.run_schedule(plan.steps)
        except StepError as exc:
            error = str(exc)
        taken = Schedule(list(stepper.schedule), os.path.basename(self.script), plan if isinstance(plan, int) else None)
        self.stepped = {"steps": len(taken.steps), "seed": taken.seed, "error": error,
                        "saved": self.save_schedule if not error else None, "ran_free": not stepper.over}
        if error:
            print(f"threadlab trace: {error}", file=sys.stderr, flush=True)
            return False
        stepper.release()  # (the rest runs untraced, at full speed)
        if self.save_schedule is not None:
            try:
                save_schedule(taken, Path(self.save_schedule))
            except OSError as exc:
                print(f"threadlab trace: could not save the schedule: {exc}", file=sys.stderr)
                self.stepped["saved"] = None
        return True

    def _wait_for_the_end(self, run: ProgramRun) -> str:
        """``"exit"`` once the program is over, or why it must be ended now."""
        deadline = None if self.timeout is None else time.monotonic() + self.timeout
        if self.feed is not None:
            self.feed.say_ready()  # (the window sends Stop's SIGTERM from now on)
        while not run.join(0.02):
            if self.findings and self.end_on_deadlock and not self.break_deadlocks:
                return "deadlock"
            if deadline is not None and time.monotonic() >= deadline:
                return "timeout"
        return "exit"

    def end_now(self, how: str, status: int) -> None:
        """Report what each thread is doing, flush the program's output, end the process.

        For the window (a live feed), the program's threads are stopped first, at their next
        line, as a lesson's Stop does, once what each was doing is noted: summing up a full
        ring takes a second or more, and busy threads, each getting the GIL in turn, would
        stretch that many times over while the window waits."""
        at, frames, live = time.monotonic(), current_frames(), self._live()
        alive = {id(thread) for thread in self.run_.instrument.live_threads()}
        if self.feed is not None:
            self.run_.request_stop("the window's Stop ended the program")
            if self.run_.join(STOP_FIRST_S):  # (its threads stopped: only the summing up is left,
                self.feed.say_stopping()  # for which the window waits longer than for a Stop)
        timeline = self._timeline()  # (one pass over the ring: what they were doing, and the sums)
        self.send(self.summary(how, status, self.doing(timeline, at, frames, live), timeline, alive))
        for stream in (sys.__stdout__, sys.__stderr__):
            try:
                stream.flush()
            except (OSError, ValueError, AttributeError):
                pass
        _real_exit(status)

    def _exit_reporting(self, code: int) -> None:
        """The program's ``os._exit``: the report, then the real one (which flushes nothing,
        as ever). In a process the program forked, only the real one: the report is about
        the program's own process."""
        if os.getpid() == self._pid:
            self.send(self.summary("os._exit", code))
        _real_exit(code)

    def send(self, report: dict[str, Any]) -> None:
        """Hand ``report`` on, once (the first report wins: os._exit's or the end's)."""
        with self._reported:
            if self._done:
                return
            self._done = True
        self.foreign.stop(FOREIGN_STOP_S)
        if self.feed is not None:
            self.feed.stop()  # (the last records go before the report: the lanes show the end)
        self._report(report)

    def _shown(self, lock: Any) -> bool:
        """Whether the window lists ``lock``: the program's, and a library's once contended."""
        return bool(lock.contended) or lock.name not in self.run_.instrument.library_made

    # -- what the report holds ---------------------------------------------------------------
    def _live(self) -> list[tuple[str, Any, int | None]]:
        """(name, lane, ident) of each live thread of the program, and of those it did not start."""
        live = [(t.name, t.lane, t.ident) for t in self.run_.instrument.live_threads()]
        return live + [(lane.name, lane, lane.ident) for lane in list(self.foreign.lanes.values())]

    def doing(self, timeline: Timeline, at: float, frames: dict[int, Any],
              live: list[tuple[str, Any, int | None]]) -> list[dict[str, Any]]:
        """What each of the ``live`` threads was doing at time ``at``, and at which line
        (``frames``: every thread's stack then)."""
        out = []
        for name, lane, ident in live:
            track = timeline.tracks.get(lane)
            segment = track.state_at(at) if track is not None else None
            state = segment.describe() if segment is not None else rec.RUNNING
            holder = getattr(getattr(segment, "obj", None), "owner", None)
            if segment is not None and segment.state == rec.WAIT_LOCK and holder is not None:
                state += f", held by {holder.name}"
            out.append({"thread": name, "state": state,
                        "since_s": round(at - segment.start, 3) if segment is not None else None,
                        "line": self._line_of(frames.get(ident))})
        return out

    def summary(self, how: str, exit_code: int, doing: list[dict[str, Any]] | None = None,
                timeline: Timeline | None = None, alive: set[int] | None = None) -> dict[str, Any]:
        """The report: the keys the README documents. ``alive``: the ``id`` of each thread
        alive when the program was ended (if its threads were stopped before this)."""
        run, now = self.run_, time.monotonic()
        timeline = timeline if timeline is not None else self._timeline()
        return {
            "script": self.script,
            "args": self.args,
            "exit_code": exit_code,
            "ended": how,
            "duration_s": round(now - run.started_at, 3) if run.started_at else 0.0,
            "threads": [self._thread(thread, timeline.tracks.get(thread.lane), now, alive=alive)
                        for thread in run.threads() if thread.ident is not None]
                       + [self._thread(lane.thread, timeline.tracks.get(lane), now, lane.name, by_program=False)
                          for lane in self.foreign.seen if lane.thread is not None],
            "locks": [self._lock(lock, timeline, now, lock.name in run.instrument.library_made)
                      for lock in run.locks()],
            "deadlocks": [{"threads": f.threads, "locks": f.locks, "explained": f.explain(),
                           "found_after_s": round(f.detected_after, 3), "broken": self.break_deadlocks}
                          for f in self.findings],
            "doing_at_end": doing or [],
            "signal": _stopped_by[0] if how == "interrupted" else None,
            "records_lost": self.recorder.full,
            **({"stepped": self.stepped} if self.stepped is not None else {}),
        }

    def _timeline(self) -> Timeline:
        timeline = Timeline()
        timeline.feed(self.recorder.snapshot())
        return timeline

    def _thread(self, thread: Any, track: Track | None, now: float, name: str | None = None,
                by_program: bool = True, alive: set[int] | None = None) -> dict[str, Any]:
        times = {key: round(float(sum(track.time_in(state, now) for state in states)), 4) if track else 0.0
                 for key, states in TIME_IN.items()}
        error = getattr(thread, "error", None)  # (a program thread's is in words already)
        return {"name": name or thread.name, "daemon": thread.daemon, **times,
                "error": error if error is None or isinstance(error, str) else repr(error),
                "alive_at_end": thread.is_alive() if alive is None else id(thread) in alive,
                "started_by_program": by_program}

    @staticmethod
    def _lock(lock: Any, timeline: Timeline, now: float, library: bool) -> dict[str, Any]:
        holds = [h for track in timeline.tracks.values() for h in track.holds_by_lock.get(id(lock), [])]
        sites = dict(lock.sites)
        site, count = max(sites.items(), key=lambda item: item[1]) if sites else (None, 0)
        return {"name": lock.name, "kind": lock.kind, "taken": lock.acquisitions, "contended": lock.contended,
                "longest_hold_s": round(max((h.end_or(now) - h.start for h in holds), default=0.0), 4),
                "most_taken_at": format_site(site) if site is not None else None, "most_taken_times": count,
                "library": library}

    def _line_of(self, frame: Any) -> str | None:
        """``file:line`` of the innermost frame of the program's own code in ``frame``'s stack."""
        files = self.run_.instrument.program_files
        while frame is not None:
            if frame.f_code.co_filename in files:
                return f"{os.path.basename(frame.f_code.co_filename)}:{frame.f_lineno}"
            frame = frame.f_back
        return None


def describe(report: dict[str, Any]) -> str:
    """The report in words, a few lines per thread and per lock."""
    lines = [f"threadlab trace: {report['script']} ended ({_ending(report)}) after {report['duration_s']:.2f} s"]
    stepped = report.get("stepped")
    if stepped is not None:
        how = f"a schedule drawn from seed {stepped['seed']}" if stepped["seed"] is not None else "a schedule"
        lines.append(f"stepped by {how}: {stepped['steps']} steps"
                     + (", then the real scheduler ran the rest" if stepped["ran_free"] else "")
                     + (f"; saved to {stepped['saved']}" if stepped["saved"] else ""))
    for d in report["deadlocks"]:
        lines.append(("deadlock, broken so the program could go on: " if d["broken"] else "deadlock: ")
                     + d["explained"])
    if report["doing_at_end"]:
        lines.append("when it was stopped:")
        lines += [f"  {d['thread']}: {d['state']}" + (f" at {d['line']}" if d["line"] else "")
                  for d in report["doing_at_end"]]
    lines.append("threads (seconds running / waiting for a lock / for an event or condition / sleeping / joining):")
    threads = report["threads"]
    for t in threads[:SHOWN_THREADS]:
        times = " / ".join(f"{t[key]:.3f}" for key in TIME_IN)
        notes = (" daemon" if t["daemon"] else "") + (f" failed: {t['error']}" if t["error"] else "") + (
            " still running" if t["alive_at_end"] else "")
        lines.append(f"  {t['name']}: {times}{notes}")
    if len(threads) > SHOWN_THREADS:
        rest = threads[SHOWN_THREADS:]
        sums = " / ".join(f"{sum(t[key] for t in rest):.3f}" for key in TIME_IN)
        lines.append(f"  and {len(rest)} more threads, together: {sums} (--json lists each)")
    own = [lock for lock in report["locks"] if not lock["library"] or lock["contended"]]
    hidden = [lock for lock in report["locks"] if lock["library"] and not lock["contended"]]
    if report["locks"]:
        lines.append("locks:")
    for lock in own:
        where = f", taken most at {lock['most_taken_at']} ({lock['most_taken_times']}x)" if lock["most_taken_at"] else ""
        lines.append(f"  {lock['name']} ({lock['kind']}): taken {lock['taken']}x, contended {lock['contended']}x, "
                     f"longest hold {lock['longest_hold_s']:.3f} s{where}")
    if hidden:
        lines.append(f"  and {len(hidden)} more that {', '.join(sorted({h['name'].split(':')[0] for h in hidden}))} "
                     f"made for the program, never contended, taken {sum(h['taken'] for h in hidden)}x in all "
                     "(--json lists each)")
    if report["records_lost"]:
        lines.append(f"(the oldest records fell out of the {TRACE_CAPACITY:,}-record ring: the times above "
                     "cover the end of the run only; the counts are complete)")
    return "\n".join(lines)


def _ending(report: dict[str, Any]) -> str:
    how, code = report["ended"], report["exit_code"]
    return {"exit": f"exit status {code}", "os._exit": f"os._exit({code})",
            "deadlock": f"stopped: a deadlock, exit status {code}",
            "timeout": f"stopped by --timeout, exit status {code}",
            "interrupted": f"stopped by {report.get('signal') or 'Ctrl+C'}, exit status {code}",
            "schedule": f"stopped: a step of the schedule could not be taken, exit status {code}"}.get(how, how)


def _ignore_signal(_number: int, _frame: Any) -> None:
    """A handler that does nothing (once the report is being made)."""


def _stop_with(threadlab_pid: int) -> None:
    """Ctrl+C and SIGTERM end the program with a report (``KeyboardInterrupt`` in this
    process's main thread, which waits for the program); on Linux this process is killed
    if ``threadlab trace`` dies first (the kernel's parent-death signal)."""
    def stop(number: int, _frame: Any) -> None:
        _stopped_by[:] = [signal.Signals(number).name]
        # a second one must not cut the report short. Not SIG_IGN: a signal already caught
        # but not yet handled (SIGTERM from Stop and SIGINT together) would then end as
        # "OSError: Signal 15 ignored due to race condition" in the middle of the report
        for name in (signal.SIGINT, signal.SIGTERM):
            signal.signal(name, _ignore_signal)
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
        if os.getppid() != threadlab_pid:
            _real_exit(EXIT_INTERRUPTED)


def main(argv: list[str] | None = None) -> int:
    """The child process: trace the script, write the report to ``--report-fd``."""
    parser = argparse.ArgumentParser(prog="python -m app.core.scripttrace")
    parser.add_argument("--report-fd", type=int, required=True)
    parser.add_argument("--timeout", type=float)
    parser.add_argument("--break", dest="break_deadlocks", action="store_true")
    parser.add_argument("--trace")
    parser.add_argument("--feed-fd", type=int, help="send records, locks and deadlocks live (the window)")
    parser.add_argument("--control-fd", type=int, help="read commands: 'break'")
    parser.add_argument("--wait-on-deadlock", action="store_true", help="let a deadlock wait for 'break'")
    parser.add_argument("--schedule", help="step the threads by this schedule file, or random:SEED")
    parser.add_argument("--save-schedule", help="save the steps taken to this file")
    parser.add_argument("script")
    parser.add_argument("args", nargs=argparse.REMAINDER)
    options = parser.parse_args(argv)
    report_file = os.fdopen(options.report_fd, "w", encoding="utf-8")
    _stop_with(threadlab_pid=os.getppid())

    def report(data: dict[str, Any]) -> None:
        report_file.write(json.dumps(data) + "\n")
        report_file.flush()

    feed = os.fdopen(options.feed_fd, "w", encoding="utf-8") if options.feed_fd is not None else None
    commands = os.fdopen(options.control_fd, encoding="utf-8") if options.control_fd is not None else None
    trace = ScriptTrace(options.script, options.args, report, timeout=options.timeout,
                        break_deadlocks=options.break_deadlocks, end_on_deadlock=not options.wait_on_deadlock,
                        feed=feed, commands=commands,
                        schedule=parse_schedule_option(options.schedule) if options.schedule else None,
                        save_schedule=options.save_schedule)
    status = trace.run()
    if options.trace:
        try:
            save_trace(trace.recorder, options.trace, title=f"threadlab trace {options.script}")
            print(f"threadlab trace: {saved_note(trace.recorder, options.trace)}", file=sys.stderr)
        except OSError as exc:
            print(f"threadlab trace: could not save the trace: {exc}", file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main())
