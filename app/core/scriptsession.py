"""Your own script in the window: a :class:`~app.core.session.Session` whose program runs
in a child process of its own.

Why a child process and not the window's: a program may crash the interpreter, call
``os._exit``, fork, or hold the GIL in C for seconds; any of those in the window's process
would take the window with it or freeze it. In a child, the window stays live and says
what happened. The child is ``python -m app.core.scripttrace`` (what ``threadlab trace``
runs), given three more pipes: the live feed (:mod:`app.core.scriptfeed`: records,
locks, deadlocks), commands (``break``), and the report at the end.

What the program gets: its ``sys.argv`` (the script and the arguments typed in the
window), its folder as the working directory and first on ``sys.path``, an empty stdin
(``input()`` gets end of file: there is no terminal), and one pipe for stdout and stderr
together, so the Output tab shows them interleaved as a terminal would. No Qt here.
"""

from __future__ import annotations

import codecs
import json
import os
import queue
import subprocess
import sys
import threading
import time
from typing import IO, Any

from . import logbook
from .childenv import PACKAGE, ROOT, env_with_path
from .owned import OwnedThread
from .recorder import Recorder
from .scriptfeed import FeedReceiver, RemoteLock
from .scripttrace import describe, read_script
from .session import Ended, Event, Found, Note, Output
from .words import plural, signal_name

#: After Stop, how long the program has to report what its threads were doing before it
#: is killed (it ends within milliseconds unless C code holds the GIL).
KILL_AFTER_S = 5.0
#: The same once the program has said that Stop stopped its threads and it is making its
#: report: summing up a full ring took more than 5 s with four test suites on two CPUs.
KILL_REPORTING_AFTER_S = 60.0
#: Output kept for the window between two polls; beyond it the oldest is dropped (counted).
OUTPUT_KEPT_CHARS = 1_000_000
#: How long after the process ended its pipes are read before the run is called over.
READ_GRACE_S = 1.0
#: How much of a pipe is read at once.
CHUNK = 65_536


class _PipeReader(OwnedThread):
    """Reads one pipe of the child to its end, handing each chunk (or line) on."""

    def __init__(self, name: str, stream: IO[bytes], handle: Any, lines: bool = False) -> None:
        super().__init__(name)
        self.stream, self.handle, self.lines = stream, handle, lines

    def work(self) -> None:
        try:
            if self.lines:
                for line in self.stream:
                    self.handle(line.decode("utf-8"))
            else:
                while chunk := self.stream.read1(CHUNK):
                    self.handle(chunk)
        finally:
            self.stream.close()


class ScriptSession:
    """One run of a script in a child process, shown live in the window."""

    endless = False
    lends_lock = False  # (its locks are in another process)

    def __init__(self, script: str, args: list[str] | None = None, *, recorder: Recorder,
                 log: logbook.LogBook | None = None) -> None:
        self.script = os.path.abspath(script)
        self.args = list(args or [])
        self.title = os.path.basename(script)
        self.recorder = recorder
        self.log = log
        self.child: subprocess.Popen | None = None
        self.report: dict[str, Any] | None = None
        self.status: int | None = None
        self._process_over = threading.Event()
        self.feed = FeedReceiver(recorder, self._process_over)
        self.feed.on_ready = self._send_stop_if_asked
        self._stop_lock = threading.Lock()
        self._stop_sent_at: float | None = None
        self._killed = False
        self._events: queue.SimpleQueue[Event] = queue.SimpleQueue()
        self._output: list[str] = []
        self._output_chars = 0
        self._output_dropped = 0
        self._output_lock = threading.Lock()
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._readers: list[_PipeReader] = []
        self._commands: IO[str] | None = None
        self._stop_asked_at: float | None = None
        self._exited_at: float | None = None
        self._ended = False
        self._report_words = ""
        self._bad_lines = 0
        self._bad_line_error = ""
        self._told_bad = False
        self._told_reporting = False  # (said once: Stop stopped the threads, the report is under way)
        self._told_skipped = False
        self._told_unprinted = False

    # -- the Session interface ----------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self.child is not None and not self._ended

    def start(self) -> None:
        """Read the script (``ValueError`` in one line if it cannot run) and start its process."""
        read_script(self.script)  # (the child reads it again: this is for a one-line refusal)
        fds = [os.pipe() for _ in range(3)]  # feed, report (child -> window), commands (window -> child)
        (feed_r, feed_w), (report_r, report_w), (command_r, command_w) = fds
        command = [sys.executable, "-m", f"{PACKAGE}.core.scripttrace", "--report-fd", str(report_w),
                   "--feed-fd", str(feed_w), "--control-fd", str(command_r), "--wait-on-deadlock",
                   "--", self.script, *self.args]
        try:
            # started on the calling (GUI) thread: the child's parent-death signal follows the
            # thread that started it, and that one lives as long as the window
            self.child = subprocess.Popen(command, pass_fds=(feed_w, report_w, command_r), env=env_with_path(ROOT),
                                          cwd=os.path.dirname(self.script), stdin=subprocess.DEVNULL,
                                          start_new_session=True,  # (a terminal's Ctrl+C is the window's)
                                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        except OSError as exc:
            for r, w in fds:
                os.close(r)
                os.close(w)
            raise RuntimeError(f"could not start {self.title}: {exc}") from None
        for fd in (feed_w, report_w, command_r):
            os.close(fd)
        self._commands = os.fdopen(command_w, "w", encoding="utf-8")
        self._readers = [
            _PipeReader("script output", self.child.stdout, self._take_output),
            _PipeReader("script feed", os.fdopen(feed_r, "rb"), self._apply_feed, lines=True),
            _PipeReader("script report", os.fdopen(report_r, "rb"), self._take_report, lines=True),
        ]
        for reader in self._readers:
            reader.start()
        self._say(f"{self.title} started in process {self.child.pid}"
                  + (f" with arguments {' '.join(self.args)}" if self.args else ""))

    def request_stop(self) -> None:
        """Ask the program to end (SIGTERM: its threads are reported, then it ends). Asked
        before the process handles SIGTERM, it is sent as soon as it does."""
        if self.child is None or self._stop_asked_at is not None or self.child.poll() is not None:
            return
        self._stop_asked_at = time.monotonic()
        self._say("Stop clicked: the program is asked to end")
        self._send_stop_if_asked()

    def _send_stop_if_asked(self) -> None:
        """(On the GUI thread at Stop, or on the feed's reader when the child is ready.)"""
        with self._stop_lock:
            if self._stop_asked_at is None or self._stop_sent_at is not None or not self.feed.ready.is_set():
                return
            self._stop_sent_at = time.monotonic()
        self._signal(self.child.terminate)

    def join(self, timeout: float) -> bool:
        """Wait up to ``timeout`` s for the process and its pipes; True if all have ended."""
        if self.child is None:
            return True
        deadline = time.monotonic() + timeout
        try:
            self.child.wait(timeout)
        except subprocess.TimeoutExpired:
            return False
        self._process_over.set()
        for reader in self._readers:
            reader.join(max(0.0, deadline - time.monotonic()))
        self._close_commands()
        return not any(reader.alive for reader in self._readers)

    def kill(self) -> bool:
        """Kill the process (the window closes and it did not end when asked)."""
        if self.child is None or self.child.poll() is not None:
            return False
        self._signal(self.child.kill)
        return True

    def array(self) -> None:
        return None  # (a script's data is its own: the lanes and the Locks tab show its threads)

    def locks(self) -> list[RemoteLock]:
        return self.feed.locks

    def pass_fronts(self) -> dict[str, int]:
        return {}

    def grab_target(self) -> None:
        return None  # (the window cannot hold a lock of another process)

    def break_waits(self) -> list[str]:
        """Ask the program to break its deadlocks' waits (the answer comes as a Note)."""
        if self._commands is not None:
            try:
                self._commands.write("break\n")
                self._commands.flush()
            except (OSError, ValueError):
                pass  # (the process is gone)
        return []

    def hold_runs(self, on: bool) -> None:
        pass

    def held_back(self) -> None:
        return None

    def poll(self) -> list[Event]:
        """What happened since the last call: output, deadlocks, notes, the end."""
        events: list[Event] = []
        over = self.child is not None and not self._ended and self._over()  # (first: then the feed's last words)
        found, broken, printed = self.feed.take()
        self._log_printed(printed)
        events += [Found(finding) for finding in found]
        for names in broken:
            events.append(Note(f"wait broken in {', '.join(names)}" if names else "no wait left to break"))
        if self.feed.skipped and not self._told_skipped:
            self._told_skipped = True
            self._say(f"the program makes records faster than the lanes can show: {self.feed.skipped:,} left out "
                      "so far (the lanes miss some changes; the report at the end counts everything)")
        if self._bad_lines and not self._told_bad:
            self._told_bad = True
            self._say(f"{plural(self._bad_lines, 'line')} of the program's live feed could not be read "
                      f"(the lanes may miss them): {self._bad_line_error}", logbook.ERROR)
        self._escalate()
        ending = None
        if over:
            self._ended = True
            ending = self._ending()
        text = self._take_text()
        if text:
            events.append(Output(text))
        while not self._events.empty():
            events.append(self._events.get())
        for reader in self._readers:
            error = reader.take_errors()
            if error:
                self._say(f"reading the program's {reader.name.split()[-1]} failed:\n{error}", logbook.ERROR)
        if ending is not None:
            events.append(ending)
        return events

    # -- inside -------------------------------------------------------------------------------------
    def _over(self) -> bool:
        """True once the process has ended and its pipes have been read to their end, or
        :data:`READ_GRACE_S` after it ended (a process it forked may hold them open).
        Never waits: it is asked on the GUI thread."""
        if self.child.poll() is None:
            return False
        self._process_over.set()
        if self._exited_at is None:
            self._exited_at = time.monotonic()
        if any(reader.alive for reader in self._readers) and time.monotonic() - self._exited_at < READ_GRACE_S:
            return False
        if any(reader.alive for reader in self._readers):
            self._say("a process the program started still holds its output open: what it writes is not shown")
        self._close_commands()
        return True

    def _apply_feed(self, line: str) -> None:
        """One line of the live feed (on its reader's thread); a line cut short or that
        cannot be read is counted and said once, and the next ones are read."""
        try:
            if not line.endswith("\n"):
                raise ValueError("cut short (the process ended while writing it)")
            self.feed.apply(line)
        except (ValueError, KeyError, TypeError, IndexError, AttributeError) as exc:
            self._bad_lines += 1
            self._bad_line_error = self._bad_line_error or f"{type(exc).__name__}: {exc}"

    def _take_report(self, line: str) -> None:
        """The report, read and put in words on its reader's thread (a program with many
        threads and locks makes a long one: not work for the GUI thread)."""
        if self.report is not None or not line.endswith("\n"):
            return
        try:
            report = json.loads(line)
            words = describe(report)
        except (ValueError, KeyError, TypeError) as exc:
            self._say(f"the program's report could not be read: {type(exc).__name__}: {exc}", logbook.ERROR)
            return
        self.report, self._report_words = report, words

    def _log_printed(self, printed: list[list[Any]]) -> None:
        """Each print call of the program, a line of the log with its thread (the Log tab
        filters by thread)."""
        if self.log is None:
            return
        for t, thread, stream, text in printed:
            self.log.write(text.rstrip("\n"), logbook.ERROR if stream == "stderr" else logbook.LINE,
                           thread=thread, at=t)
        if self.feed.unprinted and not self._told_unprinted:
            self._told_unprinted = True
            self._say(f"the program prints faster than the log takes lines: {self.feed.unprinted:,} print calls "
                      "left out of the log so far (the Output tab has all it wrote)")

    def _ending(self) -> Ended:
        self.status = self.child.returncode
        if self.report is None:
            how = f"killed by {signal_name(-self.status)}" if self.status < 0 else f"exit status {self.status}"
            summary = f"{self.title} ended without a report ({how})"
            if self._stop_asked_at is None:
                summary += ": it took the interpreter down with it"
            self._say(summary, logbook.ERROR if self._stop_asked_at is None else logbook.NOTE)
            return Ended(summary, None, None)
        words = self._report_words
        if self._stop_asked_at is not None:
            words = words.replace("stopped by SIGTERM", "stopped by Stop")
        self._say(words)
        threads = len(self.report["threads"])
        first = words.splitlines()[0].replace("threadlab trace: ", "").replace(self.script, self.title, 1)
        return Ended(f"{first}; {plural(threads, 'thread')}, {plural(len(self.report['locks']), 'lock')}"
                     + (f", {plural(len(self.report['deadlocks']), 'deadlock')}" if self.report["deadlocks"] else "")
                     + " (the Log has the report)", None, self.report)

    def _take_output(self, chunk: bytes) -> None:
        text = self._decoder.decode(chunk)
        with self._output_lock:
            self._output.append(text)
            self._output_chars += len(text)
            while self._output_chars > OUTPUT_KEPT_CHARS and len(self._output) > 1:
                dropped = self._output.pop(0)
                self._output_chars -= len(dropped)
                self._output_dropped += len(dropped)

    def _take_text(self) -> str:
        with self._output_lock:
            text, dropped = "".join(self._output), self._output_dropped
            self._output, self._output_chars, self._output_dropped = [], 0, 0
        if dropped:
            text = f"[... {dropped:,} characters of output left out: the program printed faster than " \
                   f"the window shows ...]\n" + text
        return text

    def _escalate(self) -> None:
        """Killed: a Stop not obeyed within :data:`KILL_AFTER_S` of the signal (within
        :data:`KILL_REPORTING_AFTER_S` once the program said it took it), or one whose
        process never got ready to take it."""
        since = self._stop_sent_at if self._stop_sent_at is not None else self._stop_asked_at
        reporting = self.feed.stopping.is_set()
        if reporting and not self._told_reporting and not self._killed:
            self._told_reporting = True
            self._say(f"the program's threads have stopped; its report is being made (killed if it "
                      f"has not ended {KILL_REPORTING_AFTER_S:g} s after Stop)")
        allowed = KILL_REPORTING_AFTER_S if reporting else KILL_AFTER_S
        if since is None or self._killed or self.child.poll() is not None or time.monotonic() - since <= allowed:
            return
        self._killed = True
        self._say(f"{self.title} did not end {allowed:g} s after Stop: killed")
        self._signal(self.child.kill)

    @staticmethod
    def _signal(send: Any) -> None:
        try:
            send()
        except OSError:
            pass  # (already gone)

    def _close_commands(self) -> None:
        if self._commands is not None:
            try:
                self._commands.close()
            except OSError:
                pass

    def _say(self, text: str, level: str = logbook.NOTE) -> None:
        if self.log is not None:
            self.log.write(text, level, thread="script")
        else:
            self._events.put(Note(text))

