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
joined by its owner (:meth:`Feed.stop`). Subclasses say what to make in
:meth:`Feed.make`.
"""

from __future__ import annotations

import threading
import traceback
from typing import Generic, TypeVar

#: Tracebacks kept between two takes; further errors are only counted.
MAX_ERRORS = 10

Request = TypeVar("Request")
Result = TypeVar("Result")


class Feed(Generic[Request, Result]):
    """Serves the newest request on its own thread; :meth:`take` returns each result once."""

    def __init__(self, name: str) -> None:
        self._wanted = threading.Event()
        self._stopping = False
        self._lock = threading.Lock()  # guards the request, the result and the error
        self._request: Request | None = None
        self._done: Result | None = None
        self._errors: list[str] = []  # kept until taken (at most MAX_ERRORS, then counted)
        self._errors_dropped = 0
        self._thread = threading.Thread(target=self._serve, name=name, daemon=True)

    def make(self, request: Request) -> Result | None:
        """Make the result of ``request`` (on the feed's thread); None: nothing to show."""
        raise NotImplementedError

    def start(self) -> None:
        """Start the thread (a request made before is served once it runs)."""
        self._thread.start()

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
        with self._lock:
            errors, dropped = self._errors, self._errors_dropped
            self._errors, self._errors_dropped = [], 0
        if dropped:
            errors.append(f"(and {dropped} more errors like these)")
        return "\n".join(errors) if errors else None

    def stop(self, timeout: float = 1.0) -> bool:
        """Stop the thread; True if it ended within ``timeout`` (safe to call twice)."""
        self._stopping = True
        self._wanted.set()
        if self._thread.is_alive():
            self._thread.join(timeout)
        return not self._thread.is_alive()

    def _serve(self) -> None:
        while True:
            self._wanted.wait()
            if self._stopping:
                return
            with self._lock:
                self._wanted.clear()
                request, self._request = self._request, None
            if request is None:
                continue
            try:
                done = self.make(request)
            except Exception:  # noqa: BLE001 - kept for the owner to show, never lost
                with self._lock:
                    if len(self._errors) < MAX_ERRORS:
                        self._errors.append(traceback.format_exc())
                    else:
                        self._errors_dropped += 1
                continue
            if done is not None:
                with self._lock:
                    self._done = done
