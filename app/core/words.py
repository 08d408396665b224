"""Counts and times in words: "1 step", "2 steps", "once", "3 times", "17 min"."""

from __future__ import annotations


def plural(n: int, word: str, many: str | None = None) -> str:
    """``n`` and ``word``, with ``many`` (default: ``word`` + "s") unless ``n`` is 1."""
    return f"{n:,} {word}" if n == 1 else f"{n:,} {many or word + 's'}"


def times(n: int) -> str:
    """"once", or "N times"."""
    return "once" if n == 1 else f"{n:,} times"


def duration(seconds: float) -> str:
    """A length of time as a person says it: "45 s", "17 min", "1 h 43 min"."""
    if seconds < 10:
        return f"{max(seconds, 0):.2g} s"
    if seconds < 90:
        return f"{seconds:.0f} s"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60} min" if minutes % 60 else f"{minutes // 60} h"


def signal_name(number: int) -> str:
    """``"SIGINT"`` for 2, ``"signal 99"`` for a number that names none."""
    import signal

    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"
