"""The live feed from a script's process to the window: both ends of the pipe.

A script the window runs (:mod:`app.core.scriptsession`) lives in a child process, so
its records, locks and deadlocks are made there. :class:`FeedSender` (in the child)
sends what is new, a few times a second, as one JSON line per tick; :class:`FeedReceiver`
(in the window's process) applies each line: the records go into the window's own
:class:`~app.core.recorder.Recorder` (so the lanes draw a script's threads exactly as a
lesson's), the locks become :class:`RemoteLock` s for the Locks tab, and a deadlock
becomes a :class:`RemoteFinding` for the banner.

Times are ``time.monotonic()`` of the child: the same clock as the window's (one
system-wide monotonic clock on Linux, macOS and Windows), so they are used as they come.

A line::

    {"ready": 1,                              # once: Stop (SIGTERM) is handled from now on
     "stopping": 1,                           # once: Stop stopped its threads, the report is under way
     "lanes": [[serial, name], ...],          # threads seen for the first time
     "objs": [[key, name, kind, is_lock], ...],  # locks, events, threads named in records
     "records": [[t, serial, kind, key or null], ...],
     "skipped": n,                            # records left out this tick (see MAX_RECORDS)
     "locks": [[key, owner serial, owner since, "file:line in f", [[waiter serial, "file:line in f"],
                ...], taken, contended], ...],  # only the locks that changed
     "found": [{"lines": [...], "after": s, "threads": [...], "locks": [...]}, ...],
     "printed": [[t, thread name, "stdout" or "stderr", text], ...],  # each print call
     "unprinted": n,                          # print calls left out this tick
     "broken": [names]}                       # the answer to a "break" command

The window sends commands back on another pipe, one word per line: ``break``.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
import weakref
from dataclasses import dataclass, field
from typing import IO, Any, Callable

from . import recorder as rec
from .primitives import Lock, format_site
from .recorder import Lane, Recorder

#: How often the child sends what is new.
FEED_S = 0.05
#: Records sent per tick at most (the newest): a lock-heavy program makes hundreds of
#: thousands a second, more than a lane can show and than JSON can carry without slowing
#: the program. Those left out are counted, and the window says so once.
MAX_RECORDS = 5_000
#: ``print`` calls sent per tick at most (for the log, line by line with their thread),
#: and the characters kept of each (the Output tab has every character).
MAX_PRINTS, PRINT_CHARS = 200, 2_000


# -- the child's end --------------------------------------------------------------------------
class FeedSender:
    """Sends a running program's records, locks and deadlocks through ``stream`` (in the
    child); reads commands from ``commands`` (``break`` calls ``break_waits``).

    ``locks()``: the locks to show; ``findings``: the run's deadlocks, a list that grows.
    Owner: the script's trace starts it and calls :meth:`stop` before the final report
    (which sends the last records first).
    """

    def __init__(self, recorder: Recorder, stream: IO[str], locks: list[Any], shown: Callable[[Any], bool],
                 findings: list[Any], break_waits: Callable[[], list[str]],
                 commands: IO[str] | None = None, output: Any = None) -> None:
        self.recorder = recorder
        self.output = output  # where the program's print calls are noted (printed_since)
        self._printed_serial = 0
        self.stream = stream
        self.locks = locks  # every lock the program made, in order (a list that only grows)
        self.shown = shown  # whether the window lists a lock (a library's: once contended)
        self._locks_seen = 0
        self._lock_candidates: dict[int, Any] = {}  # locks to look at next tick: new, touched
        self._tick = threading.Lock()  # (the last tick, from stop(), never overlaps the loop's)
        self.findings = findings
        self.break_waits = break_waits
        self.commands = commands
        self._last: rec.Record | None = None
        self._lanes_sent: set[int] = set()
        self._keys: dict[int, tuple[int, Any]] = {}  # id(obj) -> (key, a weak or strong ref)
        self._serials = itertools.count(1)
        self._shown_locks: dict[int, list[Any]] = {}
        self._found_sent = 0
        self._send_lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="threadlab feed", daemon=True)
        self._listener = threading.Thread(target=self._listen, name="threadlab commands", daemon=True)
        self.failed = False  # the window went away (a broken pipe): nothing more is sent

    def say_ready(self) -> None:
        """Tell the window that Stop (SIGTERM) is handled from now on."""
        self._send({"ready": 1})

    def say_stopping(self) -> None:
        """Tell the window that Stop stopped the program's threads and the report is being made."""
        self._send({"stopping": 1})

    def start(self) -> None:
        self._thread.start()
        if self.commands is not None:
            self._listener.start()

    def stop(self) -> None:
        """End the ticks and send what is left (on the calling thread)."""
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(1.0)
        if self._tick.acquire(timeout=2.0):  # (a tick still under way: wait for it, then the last)
            try:
                self._send_new()
            finally:
                self._tick.release()

    def _loop(self) -> None:
        while not self._stop.wait(FEED_S):
            with self._tick:
                if not self._stop.is_set():
                    self._send_new()

    def _listen(self) -> None:
        for line in self.commands:  # (ends when the window closes its end)
            if line.strip() == "break":
                self._send({"broken": self.break_waits()})

    # -- one tick -------------------------------------------------------------------------------
    def _send_new(self) -> None:
        """Send the records, lock states and findings that are new since the last tick."""
        ring = self.recorder.records
        nothing_new = (ring[-1] is self._last) if ring else True  # (no copy of the ring then)
        records = [] if nothing_new else rec.records_since(self.recorder.snapshot(), self._last)
        if records:
            self._last = records[-1]
        candidates = self._lock_candidates
        for record in records:  # (all of them: a lock touched in a record left out changed too)
            if isinstance(record[3], Lock):
                candidates[id(record[3])] = record[3]
        for lock in self.locks[self._locks_seen:]:
            candidates[id(lock)] = lock
        self._locks_seen += len(self.locks) - self._locks_seen
        skipped = max(0, len(records) - MAX_RECORDS)
        records = records[skipped:]
        message: dict[str, Any] = {}
        lanes, objs, rows = [], [], []
        for t, lane, kind, obj in records:
            if lane.serial not in self._lanes_sent:
                self._lanes_sent.add(lane.serial)
                lanes.append([lane.serial, lane.name])
            rows.append([t, lane.serial, kind, self._key(obj, objs) if obj is not None else None])
        locks = self._lock_rows(objs)
        found = [{"lines": f.explain_lines(), "after": f.detected_after, "threads": f.threads, "locks": f.locks}
                 for f in self.findings[self._found_sent:]]
        self._found_sent += len(found)
        printed, unprinted = self._printed()
        for name, value in (("lanes", lanes), ("objs", objs), ("records", rows), ("skipped", skipped),
                            ("locks", locks), ("found", found), ("printed", printed), ("unprinted", unprinted)):
            if value:
                message[name] = value
        if message:
            self._send(message)

    def _printed(self) -> tuple[list[list[Any]], int]:
        if self.output is None:
            return [], 0
        calls = self.output.printed_since(self._printed_serial)
        if not calls:
            return [], 0
        self._printed_serial = calls[-1].serial
        left_out = max(0, len(calls) - MAX_PRINTS)
        return [[p.t, p.thread, p.stream, p.text[:PRINT_CHARS]] for p in calls[left_out:]], left_out

    def _lock_rows(self, objs: list[list[Any]]) -> list[list[Any]]:
        """Rows of the locks that are new or were touched since the last tick (and shown)."""
        rows, later = [], {}
        for lock in self._lock_candidates.values():
            if not self.shown(lock):
                continue  # (a library's lock: looked at again when a record touches it)
            owner = lock.owner
            row = [self._key(lock, objs), owner.serial if owner is not None else None,
                   lock.owner_since if owner is not None else None,
                   format_site(lock.owner_site) if owner is not None else "",
                   [[w.lane.serial, format_site(w.site)] for w in lock.waiters()], lock.acquisitions,
                   lock.contended]
            if any(serial is not None and serial not in self._lanes_sent for serial in [row[1], *(w[0] for w in row[4])]):
                later[id(lock)] = lock  # (a lane not yet in any record sent: next tick)
            elif self._shown_locks.get(row[0]) != row:
                self._shown_locks[row[0]] = row
                rows.append(row)
        self._lock_candidates = later
        return rows

    def _key(self, obj: Any, objs: list[list[Any]]) -> int:
        """A small number for ``obj`` (sent with its name the first time)."""
        known = self._keys.get(id(obj))
        if known is not None and (known[1]() if isinstance(known[1], weakref.ref) else known[1]) is obj:
            return known[0]
        key = next(self._serials)  # (also for an id used again by a new object)
        try:
            ref: Any = weakref.ref(obj)
        except TypeError:
            ref = obj
        self._keys[id(obj)] = (key, ref)
        objs.append([key, str(getattr(obj, "name", obj)), str(getattr(obj, "kind", "") or ""),
                     isinstance(obj, Lock)])
        return key

    def _send(self, message: dict[str, Any]) -> None:
        if self.failed:
            return
        line = json.dumps(message, separators=(",", ":")) + "\n"
        with self._send_lock:
            try:
                self.stream.write(line)
                self.stream.flush()
            except (OSError, ValueError):
                self.failed = True


# -- the window's end -------------------------------------------------------------------------
class RemoteLane(Lane):
    """A lane for a thread of the script's process: alive until it ends or the process does."""

    __slots__ = ("process_over",)

    def __init__(self, serial: int, name: str, process_over: threading.Event) -> None:
        super().__init__(serial, name, None)
        self.process_over = process_over

    @property
    def alive(self) -> bool:
        return not self.ended and not self.process_over.is_set()


@dataclass
class RemoteObject:
    """An event, condition or thread of the script, as its records name it."""

    name: str
    kind: str = ""


@dataclass
class RemoteWaiter:
    lane: RemoteLane
    site: str  # where it waits: "file:line in function"


@dataclass
class RemoteLock:
    """A lock of the script as the Locks tab reads it (the same fields as
    :class:`~app.core.primitives.Lock`), updated by the feed."""

    name: str
    kind: str
    owner: RemoteLane | None = None
    owner_since: float = 0.0
    owner_site: str = ""
    acquisitions: int = 0
    contended: int = 0
    listed: bool = False  # in the Locks tab (from its first row of state on)
    _waiters: list[RemoteWaiter] = field(default_factory=list)

    def waiters(self) -> list[RemoteWaiter]:
        return list(self._waiters)

    def held_for(self) -> float:
        return time.monotonic() - self.owner_since if self.owner is not None else 0.0


@dataclass(frozen=True)
class RemoteFinding:
    """A deadlock the script's process found, with what the banner and the log show."""

    lines: tuple[str, ...]
    detected_after: float
    threads: tuple[str, ...]
    locks: tuple[str, ...]

    def explain_lines(self) -> list[str]:
        return list(self.lines)

    def explain(self) -> str:
        return "\n".join(self.lines)


class FeedReceiver:
    """Applies the child's lines (:meth:`apply`) to ``recorder``, the locks and findings.

    Called on the session's reader thread; the GUI reads :attr:`locks` (a list replaced
    whole, never changed in place) and takes findings and notes with :meth:`take`.
    """

    def __init__(self, recorder: Recorder, process_over: threading.Event) -> None:
        self.recorder = recorder
        self.process_over = process_over
        self.lanes: dict[int, RemoteLane] = {}
        self.objects: dict[int, Any] = {}
        self.locks: list[RemoteLock] = []
        self.records = 0
        self.skipped = 0
        self._taken = threading.Lock()
        self._findings: list[RemoteFinding] = []
        self._broken: list[list[str]] = []
        self._printed: list[list[Any]] = []
        self.unprinted = 0
        self.ready = threading.Event()
        self.on_ready: Callable[[], None] | None = None
        self.stopping = threading.Event()  # Stop stopped the child's threads: its report is under way

    def apply(self, line: str) -> None:
        """One line from the child."""
        message = json.loads(line)
        if message.get("ready"):
            self.ready.set()
            if self.on_ready is not None:
                self.on_ready()
        if message.get("stopping"):
            self.stopping.set()
        for serial, name in message.get("lanes", ()):
            self.lanes[serial] = RemoteLane(self.recorder.mark(), name, self.process_over)
        for key, name, kind, is_lock in message.get("objs", ()):
            self.objects[key] = RemoteLock(name, kind) if is_lock else RemoteObject(name, kind)
        append, lanes, objects = self.recorder.records.append, self.lanes, self.objects
        for t, serial, kind, key in message.get("records", ()):
            lane = lanes[serial]
            if kind in rec.ENDS:
                lane.ended = True
            append((t, lane, kind, objects.get(key) if key is not None else None))
        self.records += len(message.get("records", ()))
        self.skipped += message.get("skipped", 0)
        listed = []
        for key, owner, since, site, waiters, taken, contended in message.get("locks", ()):
            lock = objects[key]
            if not lock.listed:
                lock.listed = True
                listed.append(lock)
            lock.owner = lanes.get(owner) if owner is not None else None
            lock.owner_since = since or 0.0
            lock.owner_site = site
            lock._waiters = [RemoteWaiter(lanes[s], site) for s, site in waiters if s in lanes]
            lock.acquisitions, lock.contended = taken, contended
        if listed:
            self.locks = self.locks + listed  # (replaced whole: the GUI thread reads it meanwhile)
        found = [RemoteFinding(tuple(f["lines"]), f["after"], tuple(f["threads"]), tuple(f["locks"]))
                 for f in message.get("found", ())]
        self.unprinted += message.get("unprinted", 0)
        with self._taken:
            self._findings += found
            self._printed += message.get("printed", ())
            if "broken" in message:
                self._broken.append(message["broken"])

    def take(self) -> tuple[list[RemoteFinding], list[list[str]], list[list[Any]]]:
        """The deadlocks found, the answers to "break" and the print calls (``[t, thread,
        stream, text]``) since the last call."""
        with self._taken:
            found, broken, printed = self._findings, self._broken, self._printed
            self._findings, self._broken, self._printed = [], [], []
        return found, broken, printed
