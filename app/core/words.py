"""Counts in words: "1 step", "2 steps", "once", "3 times"."""

from __future__ import annotations


def plural(n: int, word: str, many: str | None = None) -> str:
    """``n`` and ``word``, with ``many`` (default: ``word`` + "s") unless ``n`` is 1."""
    return f"{n:,} {word}" if n == 1 else f"{n:,} {many or word + 's'}"


def times(n: int) -> str:
    """"once", or "N times"."""
    return "once" if n == 1 else f"{n:,} times"
