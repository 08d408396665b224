"""A lesson's program as the window runs it: events for the output, deadlocks, runs and the end."""

from app.core.session import Ended, Found, Output, Progress
from app.lessons import get
from app.lessons.session import LessonSession
from helpers import WAIT_S, wait_until


def events_until_ended(session):
    events = []
    wait_until(lambda: (events.extend(session.poll()) or any(isinstance(e, Ended) for e in events)), timeout=20)
    return events


def test_a_session_reports_output_progress_and_the_verdict():
    lesson = get("shared-array")
    session = LessonSession(lesson, lesson.program({"SIZE": 10}), repeat=2)
    session.start()
    events = events_until_ended(session)
    outputs = [e for e in events if isinstance(e, Output)]
    assert "".join(e.text for e in outputs if e.run == 1) == "[2.]\n[3.]\n[3.]\n1\n"
    assert {e.run for e in outputs} == {1, 2}
    assert [e.done for e in events if isinstance(e, Progress)][-1] == 2
    (ended,) = [e for e in events if isinstance(e, Ended)]
    assert ended.ok is True and ended.result.runs[0]["after_thread"] == 3.0
    assert any(entry.thread == "MainThread" and entry.text == "[2.]" for entry in session.log.entries())


def test_a_deadlock_waits_for_break_waits_and_names_the_fix():
    lesson = get("deadlock")
    session = LessonSession(lesson, lesson.program({"SIZE": 1000}))
    session.start()
    found = []
    wait_until(lambda: found.extend(e for e in session.poll() if isinstance(e, Found)) or found)
    assert found[0].fix_label == "Re-run with RLock" and found[0].finding.threads == ["MainThread"]
    assert session.running and session.break_waits() == ["MainThread"]
    session.request_stop()
    assert session.join(WAIT_S)


def test_a_program_out_of_bounds_or_broken_is_refused_with_its_line():
    lesson = get("lock")
    session = LessonSession(lesson, lesson.source.replace("SIZE = 100_000", "SIZE = 1"))
    try:
        session.start()
    except ValueError as exc:
        assert "line 6" in str(exc) and session.error_line == 6
    else:
        raise AssertionError("started a program whose constant is out of its bounds")
    broken = LessonSession(lesson, lesson.source.replace("lock = Lock()", "lock = Lock("))
    try:
        broken.start()
    except ValueError as exc:
        assert broken.error_line == 8 and "line 8" in str(exc)
    else:
        raise AssertionError("started a program that does not compile")
    assert not session.running and not broken.running


def test_a_held_run_lets_no_new_run_start_until_let_go_or_stopped():
    lesson = get("shared-array")
    session = LessonSession(lesson, lesson.program({"SIZE": 10}), repeat=3)
    session.hold_runs(True)  # as the window does while the GUI holds a run's lock
    session.start()
    wait_until(lambda: session.held_back() == "run 2 of 3")
    assert len(session.runs) == 1 and session.alive
    session.hold_runs(False)
    wait_until(lambda: not session.alive)
    assert len(session.runs) == 3 and session.held_back() is None


def test_between_two_runs_there_is_no_lock_to_take():
    lesson = get("lock")
    session = LessonSession(lesson, lesson.program({"SIZE": 1000}), repeat=2)
    session.hold_runs(True)
    session.start()
    wait_until(lambda: session.held_back() == "run 2 of 2")  # run 1 is over, run 2 not begun
    assert session.running and session.locks()  # (run 1's lock is still listed)
    assert session.grab_target() is None  # (taking it would hold nothing back: run 2 makes its own)
    session.hold_runs(False)
    wait_until(lambda: not session.alive)


def test_stop_ends_a_session_whose_next_run_is_held():
    lesson = get("shared-array")
    session = LessonSession(lesson, lesson.program({"SIZE": 10}), repeat=3)
    session.hold_runs(True)
    session.start()
    wait_until(lambda: session.held_back() is not None)
    session.request_stop()
    assert session.join(WAIT_S) and len(session.runs) == 1
