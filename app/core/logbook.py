"""A thread-safe, bounded log that workers write to and the display reads at its own pace.

Workers never talk to widgets. They append :class:`Entry` objects here; the window
asks for :meth:`LogBook.since` its last index on a timer. Each entry carries the
name of the thread that wrote it and a timestamp taken under the log's lock, so the
order of entries is the order in which they happened.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Callable

# The fixed vocabulary of a worker's life, plus plain lines.
LINE = "line"
STARTED = "started"
FINISHED = "finished"
ERROR = "error"
NOTE = "note"  # something the lab itself reports (stalls, stragglers, lock waits)


@dataclass(frozen=True)
class Entry:
    """One log line: when, which thread, what kind, what text."""

    index: int
    wall: float  # time.time(), for the clock shown to the user
    mono: float  # time.monotonic(), for measuring order and spacing
    thread: str
    kind: str
    text: str

    def format(self) -> str:
        """Return ``HH:MM:SS.mmm [thread] text`` as shown in the log pane."""
        clock = time.strftime("%H:%M:%S", time.localtime(self.wall))
        millis = int((self.wall % 1) * 1000)
        return f"{clock}.{millis:03d} [{self.thread}] {self.text}"


class LogBook:
    """Append-only log shared by all threads; keeps the last ``capacity`` entries."""

    def __init__(self, capacity: int = 20_000, echo: Callable[[Entry], None] | None = None) -> None:
        self._lock = threading.Lock()
        self._entries: deque[Entry] = deque(maxlen=capacity)
        self._next_index = 0
        self._echo = echo

    def write(self, text: str, kind: str = LINE, thread: str | None = None, at: float | None = None) -> Entry:
        """Append ``text`` as written by the calling thread (or by ``thread``), now (or at
        ``at``, a ``time.monotonic()`` taken earlier: a line passed on from elsewhere)."""
        name = thread if thread is not None else threading.current_thread().name
        with self._lock:
            mono = time.monotonic()
            wall = time.time() - (mono - at) if at is not None else time.time()
            entry = Entry(self._next_index, wall, at if at is not None else mono, name, kind, text)
            self._entries.append(entry)
            self._next_index += 1
        if self._echo is not None:
            self._echo(entry)
        return entry

    def since(self, index: int) -> list[Entry]:
        """Return the entries with ``entry.index >= index`` that are still kept."""
        with self._lock:
            if not self._entries or index >= self._next_index:
                return []
            first = self._entries[0].index
            skip = max(0, index - first)
            return [self._entries[i] for i in range(skip, len(self._entries))]

    def entries(self) -> list[Entry]:
        """Return every kept entry, oldest first."""
        return self.since(0)

    @property
    def next_index(self) -> int:
        """Index the next entry will get (use it as a read cursor)."""
        with self._lock:
            return self._next_index
