"""Bounds for every parameter the lab takes, and checks that raise clear ``ValueError``\\ s.

The window clamps its spin boxes to these same bounds, so a value that the GUI can
produce is always one the core accepts; the command line and the tests get the
``ValueError`` with a sentence that names the parameter and its allowed range.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from numbers import Integral, Real


@dataclass(frozen=True)
class Bound:
    """Inclusive range of one numeric parameter, with its default and unit."""

    name: str
    low: float
    high: float
    default: float
    unit: str = ""

    def describe(self) -> str:
        """Return the range as text, e.g. ``"10 to 10000000"``."""
        unit = f" {self.unit}" if self.unit else ""
        return f"{_fmt(self.low)} to {_fmt(self.high)}{unit}"

    def clamp(self, value: float) -> float:
        """Return ``value`` moved into the range (for widgets that clamp)."""
        return min(max(value, self.low), self.high)


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


ARRAY_SIZE = Bound("array size", 10, 10_000_000, 100_000, "elements")
WORKERS_PER_KIND = Bound("workers", 1, 16, 1)
PERIOD = Bound("pacing period", 0.0, 10.0, 0.02, "s")
COUNTER_DELAY = Bound("delay", 0.001, 10.0, 0.25, "s")
COUNTER_COUNT = Bound("count", 1, 1_000_000, 1000)
DURATION = Bound("duration", 0.1, 600.0, 3.0, "s")
JOIN_TIMEOUT = Bound("join timeout", 0.0, 60.0, 1.0, "s")
#: The interpreter's thread switch interval (``sys.setswitchinterval``); Python's own is 5 ms.
SWITCH_INTERVAL = Bound("switch interval", 0.0005, 0.05, 0.005, "s")


def check_int(bound: Bound, value: object) -> int:
    """Return ``value`` as an ``int`` inside ``bound``, or raise ``ValueError``."""
    if isinstance(value, bool):
        raise ValueError(f"{bound.name} must be a whole number, got {value!r}")
    if not isinstance(value, Integral):
        if not (isinstance(value, Real) and float(value).is_integer()):
            raise ValueError(f"{bound.name} must be a whole number, got {value!r}")
        value = int(value)
    if not bound.low <= value <= bound.high:
        raise ValueError(f"{bound.name} must be {bound.describe()}, got {value}")
    return int(value)


def check_float(bound: Bound, value: object) -> float:
    """Return ``value`` as a finite ``float`` inside ``bound``, or raise ``ValueError``."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise ValueError(f"{bound.name} must be a number, got {value!r}")
    value = float(value)
    if math.isnan(value) or math.isinf(value):
        raise ValueError(f"{bound.name} must be a finite number, got {value}")
    if not bound.low <= value <= bound.high:
        raise ValueError(f"{bound.name} must be {bound.describe()}, got {value:g}")
    return value


def available_memory_bytes() -> int | None:
    """Return the memory the OS says is free for new allocations, or ``None`` if unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return None


def check_fits_in_memory(nbytes: int, what: str, *, share: float = 0.5) -> None:
    """Raise ``ValueError`` if ``nbytes`` is more than ``share`` of the free memory.

    The display keeps one copy of the array besides the array itself, so a size
    that takes more than half of what is free would leave the machine swapping.
    """
    free = available_memory_bytes()
    if free is not None and nbytes > free * share:
        raise ValueError(
            f"{what} needs {nbytes / 2**20:.0f} MiB but only {free / 2**20:.0f} MiB "
            f"of memory is free; choose a smaller size"
        )
