"""Explore as a window session: it ends with the outcomes, Stop ends it early, and a lesson
that runs in a child process is refused."""

import pytest

from app.core.session import Ended
from app.lessons import LESSONS
from app.lessons.exploring import ExploreSession
from helpers import wait_until


def ended(session):
    wait_until(lambda: not session.running, timeout=30)
    return [e for e in session.poll() if isinstance(e, Ended)]


def test_it_ends_with_every_outcome_and_says_so():
    lesson = LESSONS["lock-order"]
    session = ExploreSession(lesson, lesson.program(lesson.check_params({"CHECK": "0.05"})), preemptions=1)
    session.start()
    [end] = ended(session)
    assert session.found.finished and len(session.found.outcomes) == 3
    assert end.summary.startswith("lock-order: 3 outcomes in 43 schedules") and "all of them" in end.summary


def test_stop_ends_it_between_two_schedules():
    lesson = LESSONS["lock-order"]
    session = ExploreSession(lesson, lesson.program(lesson.check_params({"CHECK": "0.05"})), preemptions=3)
    session.start()
    wait_until(lambda: session.poll() or session.found is not None)  # (a first progress note)
    session.request_stop()
    [end] = ended(session)
    assert not session.found.finished and "it was stopped" in end.summary


def test_a_lesson_with_its_own_runner_is_refused():
    with pytest.raises(ValueError, match="cannot be explored"):
        ExploreSession(LESSONS["ctrl-c"], LESSONS["ctrl-c"].source).start()
