"""The array's peak envelope, made on a thread of its own so that the GUI thread only draws it.

Every numpy pass over a large array lets go of the GIL, and with busy Python workers
the thread that let go waits in line to get it back (about the switch interval per
worker). Two passes per frame on the GUI thread cost it a millisecond or two at the
median and ten at the 99th percentile (measured with two element-wise workers),
which is ten milliseconds that a click waits. :class:`EnvelopeFeed` moves those
waits to a helper thread: the display timer hands it the array to summarise and
picks up the envelope made since the last tick, ready to plot; a frame shows the
array as it was one tick ago.

The feed's thread waits on an Event between requests, so it costs nothing when
nothing is shown, and it is stopped and joined by its owner (:meth:`stop`).
"""

from __future__ import annotations

import threading
import traceback
from dataclasses import dataclass

import numpy as np

from app.core.downsample import peak_envelope


@dataclass(frozen=True)
class Envelope:
    """One finished envelope: the points to plot, and what they summarise."""

    x: np.ndarray
    y: np.ndarray
    size: int  # the length of the whole array it was made from
    request: int  # the number of the request it answers


class EnvelopeFeed:
    """Makes the peak envelope of a live array on its own thread, one request at a time.

    ``request(array)`` asks for the envelope of ``array`` (or of ``array[first:last]``);
    ``take()`` returns the newest finished envelope once (None if nothing new). An
    error in the thread is kept for :meth:`take_error` and the thread goes on.
    """

    def __init__(self, bins: int, name: str = "envelope") -> None:
        if bins < 1:
            raise ValueError(f"bins must be at least 1, got {bins}")
        self.bins = bins
        self._wanted = threading.Event()
        self._stopping = False
        self._lock = threading.Lock()
        self._request: tuple[int, np.ndarray, int, int] | None = None
        self._requests = 0
        self._done: Envelope | None = None
        self._error: str | None = None
        self._thread = threading.Thread(target=self._serve, name=name, daemon=True)

    def start(self) -> None:
        """Start the thread (requests made before are served once it runs)."""
        self._thread.start()

    def request(self, array: np.ndarray, first: int = 0, last: int | None = None) -> int:
        """Ask for the envelope of ``array[first:last]``; a newer request replaces an unserved one."""
        last = array.size if last is None else last
        with self._lock:
            self._requests += 1
            self._request = (self._requests, array, first, last)
        self._wanted.set()
        return self._requests

    def take(self) -> Envelope | None:
        """The newest finished envelope, once; None if nothing finished since the last take."""
        with self._lock:
            done, self._done = self._done, None
        return done

    def take_error(self) -> str | None:
        """The traceback of the last error in the thread, once."""
        with self._lock:
            error, self._error = self._error, None
        return error

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
            number, array, first, last = request
            try:
                x, y = peak_envelope(array[first:last], self.bins, first)
                done = Envelope(x, y, int(array.size), number)
            except Exception:  # noqa: BLE001 - kept and shown by the owner, never lost
                with self._lock:
                    self._error = traceback.format_exc()
                continue
            with self._lock:
                self._done = done
