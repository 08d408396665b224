"""A helper thread that makes what the window shows, so the GUI thread only draws it.

With busy Python workers, work on the GUI thread costs far more than its CPU time:
every numpy pass over a large array lets go of the GIL, and every half millisecond of
Python is cut short by a worker's turn, and each time the GUI thread waits in line to
get the GIL back (measured: 0.1 ms of numpy took 1.7 ms at the median and 10 ms at
the 99th percentile with two element-wise workers). A click waits as long. A
:class:`Feed` takes such work off the GUI thread: the display timer hands it a
request and, on its next tick, picks up what was made meanwhile. A frame therefore
shows the state of one tick ago.

Only the newest request counts: one that arrives before the thread got to the last
replaces it. The thread waits on an Event between requests, costs nothing while
nothing is asked, keeps an error for its owner instead of dying, and is stopped and
joined by its owner (:meth:`Feed.stop`, from :class:`~app.core.owned.OwnedThread`).
Subclasses say what to make in :meth:`Feed.make`.
"""

from __future__ import annotations

import threading
from typing import Generic, TypeVar

from .owned import OwnedThread

Request = TypeVar("Request")
Result = TypeVar("Result")


class Feed(OwnedThread, Generic[Request, Result]):
    """Serves the newest request on its own thread; :meth:`take` returns each result once."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self._wanted = threading.Event()
        self._lock = threading.Lock()  # guards the request and the result
        self._request: Request | None = None
        self._done: Result | None = None

    def make(self, request: Request) -> Result | None:
        """Make the result of ``request`` (on the feed's thread); None: nothing to show."""
        raise NotImplementedError

    def ask(self, request: Request) -> None:
        """Queue ``request``, replacing one that was not served yet."""
        with self._lock:
            self._request = request
        self._wanted.set()

    def take(self) -> Result | None:
        """The newest result, once; None if nothing was made since the last take."""
        with self._lock:
            done, self._done = self._done, None
        return done

    def take_error(self) -> str | None:
        """The tracebacks of the errors in the thread since the last take, once; None if none."""
        return self.take_errors()

    def wake(self) -> None:
        self._wanted.set()

    def work(self) -> None:
        while True:
            self._wanted.wait()
            if self.stopping.is_set():
                return
            with self._lock:
                self._wanted.clear()
                request, self._request = self._request, None
            if request is None:
                continue
            box: list = []
            if self.guarded(lambda: box.append(self.make(request))) and box[0] is not None:
                with self._lock:
                    self._done = box[0]
