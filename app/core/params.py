"""Every parameter the lab and the lessons take (one type, :class:`Param`), and checks that raise clear ``ValueError``\\ s.

The window clamps its spin boxes to these same bounds, so a value that the GUI can
produce is always one the core accepts; the command line and the tests get the
``ValueError`` with a sentence that names the parameter and its allowed range.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from numbers import Integral, Real
from typing import Any


@dataclass(frozen=True)
class Param:
    """One parameter: a number in an inclusive range, a yes/no, or one of ``choices``.

    The one parameter type of the project: the lab's settings, the lessons' constants
    (where ``name`` is the constant's name in the program), the window's widgets and
    ``--set NAME=VALUE`` all use it. The kind follows ``default``: ``int``, ``float``,
    ``bool``, or a string with ``choices``.
    """

    name: str
    default: Any
    low: float = 0
    high: float = 0
    unit: str = ""
    help: str = ""
    choices: tuple[str, ...] = ()

    def describe(self) -> str:
        """The allowed values as text: ``"10 to 10000000 elements"``, ``"Lock | RLock"``."""
        if self.choices:
            return " | ".join(self.choices)
        if isinstance(self.default, bool):
            return "True | False"
        unit = f" {self.unit}" if self.unit else ""
        return f"{_fmt(self.low)} to {_fmt(self.high)}{unit}"

    def clamp(self, value: float) -> float:
        """Return ``value`` moved into the range (for widgets that clamp)."""
        return min(max(value, self.low), self.high)

    def parse(self, text: str | Any) -> Any:
        """Convert ``text`` (from ``--set``, a widget or a program's line) and check it;
        ``ValueError`` with the name and the allowed values if it is not allowed."""
        if self.choices:
            if text not in self.choices:
                raise ValueError(f"{self.name} must be one of {', '.join(map(repr, self.choices))}, got {text!r}")
            return text
        if isinstance(self.default, bool):
            words = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}
            value = words.get(text.strip().lower()) if isinstance(text, str) else text
            if not isinstance(value, bool):
                raise ValueError(f"{self.name} must be True or False, got {text!r}")
            return value
        if isinstance(self.default, int):
            try:
                value = int(text.replace("_", "")) if isinstance(text, str) else text
            except ValueError:
                raise ValueError(f"{self.name} must be a whole number, got {text!r}") from None
            return check_int(self, value)
        try:
            value = float(text.replace("_", "")) if isinstance(text, str) else text
        except ValueError:
            raise ValueError(f"{self.name} must be a number, got {text!r}") from None
        return check_float(self, value)


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


ARRAY_SIZE = Param("array size", 100_000, 10, 10_000_000, "elements")
WORKERS_PER_KIND = Param("workers", 1, 1, 16)
PERIOD = Param("pacing period", 0.02, 0.0, 10.0, "s")
COUNTER_DELAY = Param("delay", 0.25, 0.001, 10.0, "s")
COUNTER_COUNT = Param("count", 1000, 1, 1_000_000)
DURATION = Param("duration", 3.0, 0.1, 600.0, "s")
JOIN_TIMEOUT = Param("join timeout", 1.0, 0.0, 60.0, "s")
#: The interpreter's thread switch interval (``sys.setswitchinterval``); Python's own is 5 ms.
SWITCH_INTERVAL = Param("switch interval", 0.005, 0.0005, 0.05, "s")


def check_int(bound: Param, value: object) -> int:
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


def check_float(bound: Param, value: object) -> float:
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
