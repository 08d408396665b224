"""The lesson catalogue: one module per lesson, listed here in teaching order.

Adding a lesson means adding its module and its name to :data:`MODULES`.
"""

from __future__ import annotations

from importlib import import_module

from .base import Lesson

MODULES = (
    "first_thread", "two_counters", "shared_array", "vectorized_race", "elementwise_race",
    "lock", "main_holds_lock", "deadlock", "lock_order", "lock_timeout", "event_ready", "event_stop",
    "ctrl_c", "frozen_vs_threaded",
)

LESSONS: dict[str, Lesson] = {}
for _name in MODULES:
    _lesson = Lesson(import_module(f".{_name}", __name__))
    LESSONS[_lesson.id] = _lesson


def get(lesson_id: str) -> Lesson:
    """The lesson called ``lesson_id``; ``ValueError`` naming the known ids if there is none."""
    try:
        return LESSONS[lesson_id]
    except KeyError:
        raise ValueError(f"unknown lesson {lesson_id!r}; known: {', '.join(LESSONS)}") from None
