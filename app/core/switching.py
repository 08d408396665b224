"""The interpreter's thread switch interval, and whether this Python has a GIL at all.

With a GIL, only one thread runs Python bytecode at a time. A thread that wants the
GIL waits one *switch interval* (``sys.getswitchinterval()``, 5 ms unless changed),
then asks the running thread to let go; that thread lets go at its next bytecode
boundary. So the interval bounds how long a CPU-bound Python thread can keep the
GUI thread waiting each time the GUI thread needs Python. Free-threaded builds
(3.13+, ``python3.13t``) can run without a GIL; ``sys._is_gil_enabled()`` says which.
"""

from __future__ import annotations

import sys

from .params import SWITCH_INTERVAL, check_float

#: What the window offers, in milliseconds (all inside :data:`SWITCH_INTERVAL`).
CHOICES_MS = (0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0)


def gil_enabled() -> bool:
    """True when this interpreter runs with a GIL (every build before 3.13 does)."""
    check = getattr(sys, "_is_gil_enabled", None)
    return True if check is None else bool(check())


def describe_gil() -> str:
    """One line for the window: which Python, and whether the GIL is on."""
    version = ".".join(map(str, sys.version_info[:3]))
    if gil_enabled():
        return f"Python {version} runs with the GIL: one thread runs Python at a time"
    return f"Python {version} runs without a GIL (free-threaded): threads run Python in parallel"


class SwitchInterval:
    """Sets ``sys.setswitchinterval`` within bounds and puts the original back.

    The owner (the window) calls :meth:`restore` when it closes; until then the
    setting is process-wide, as the interpreter's own is.
    """

    def __init__(self) -> None:
        self.original = sys.getswitchinterval()

    @property
    def seconds(self) -> float:
        return sys.getswitchinterval()

    def set(self, seconds: float) -> float:
        """Set the interval (``ValueError`` outside 0.5 to 50 ms); return it."""
        sys.setswitchinterval(check_float(SWITCH_INTERVAL, seconds))
        return sys.getswitchinterval()

    def restore(self) -> None:
        """Put back the interval found when this object was made."""
        sys.setswitchinterval(self.original)
