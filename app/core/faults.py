"""Faults of a job that runs again and again (a display tick): each told once, then counted.

A tick that fails every 30 ms must not write thirty tracebacks a second (they bury
everything else and tell nothing new), and one failing part must not stop the others.
:class:`FaultCounter` runs each part of the job on its own: the first failure of a
part is written with its traceback; the same failure again is only counted; a
different failure is written again; when the part works again, one line says how
many times it failed meanwhile.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass
from typing import Callable

from .words import times


@dataclass
class _Failing:
    what: str  # the failure, in words: type and message (how repeats are told apart)
    repeats: int = 0  # failures after the one that was written


class FaultCounter:
    """Run the named parts of a repeated job; say each failure once, count its repeats.

    ``write(text)`` gets the lines to show (the window sends them to its log as
    errors). Not thread-safe: one thread (the GUI's) runs the job.
    """

    def __init__(self, write: Callable[[str], None]) -> None:
        self._write = write
        self._failing: dict[str, _Failing] = {}
        self.told = 0  # failures written so far (what a status bar may count)

    def run(self, name: str, part: Callable[[], object]) -> bool:
        """Run ``part``; True if it worked. Its exception is caught and told (see above)."""
        try:
            part()
        except Exception as exc:  # noqa: BLE001 - told once, counted after
            self._failed(name, exc)
            return False
        gone = self._failing.pop(name, None)
        if gone is not None:
            self._write(f"{name} works again (it failed {times(gone.repeats + 1)} in all)")
        return True

    def failing(self) -> dict[str, int]:
        """The parts failing now, each with how many times it failed since it was told."""
        return {name: f.repeats + 1 for name, f in self._failing.items()}

    def _failed(self, name: str, exc: Exception) -> None:
        what = f"{type(exc).__name__}: {exc}"
        known = self._failing.get(name)
        if known is not None and known.what == what:
            known.repeats += 1
            return
        before = f" (after failing {times(known.repeats + 1)} with {known.what})" if known else ""
        self._failing[name] = _Failing(what)
        self.told += 1
        trace = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)).rstrip()
        self._write(f"{name} failed{before}; said once, repeats are counted:\n{trace}")
