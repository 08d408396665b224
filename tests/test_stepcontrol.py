"""A lesson stepped from outside, as the window does it: commands return at once, pictures
follow, and the lesson's check judges the stepped run."""

import pytest

from app.core.session import Ended
from app.core.stepcontrol import StepControl
from app.core.stepper import Step
from app.lessons import LESSONS
from app.lessons.session import LessonSession
from tests.helpers import wait_until


@pytest.fixture
def stepped():
    made = []

    def start(lesson_id, **params):
        lesson = LESSONS[lesson_id]
        control = StepControl()
        session = LessonSession(lesson, lesson.program(lesson.check_params(params)), stepping=control)
        session.start()
        made.append(session)
        wait_until(lambda: control.picture().serial > 0)
        return session, control

    start.sessions = made
    yield start
    for session in made:
        session.request_stop()
        assert session.join(5.0), "a stepped lesson did not end when stopped"


def next_picture(control, after, commands=1):
    """The picture made after ``commands`` more commands than ``after``'s."""
    wait_until(lambda: control.picture().serial >= after.serial + commands)
    return control.picture()


def step_until(control, name, condition):
    """Step ``name`` until ``condition(picture)``; the picture then."""
    picture = control.picture()
    while not condition(picture):
        control.step(name)
        picture = next_picture(control, picture)
    return picture


def ended(session):
    wait_until(lambda: not session.running)
    return [e for e in session.poll() if isinstance(e, Ended)][0]


def test_steps_move_the_main_thread_and_the_picture_shows_its_line_and_the_values(stepped):
    session, control = stepped("shared-array")
    first = control.picture()
    assert first.ready == ["MainThread"] and first.threads[0].line == 3
    picture = step_until(control, "MainThread", lambda p: any(n == "data" for n, _ in p.shared))
    assert dict(picture.shared)["data"].startswith("array (100, 1): 1.0, 1.0")
    assert [str(s) for s in picture.schedule] == ["MainThread"] * len(picture.schedule)


def test_a_step_that_takes_long_does_not_hold_up_the_caller(stepped):
    session, control = stepped("lock-order", CHECK=2.0)
    picture = step_until(control, "MainThread", lambda p: "pay A->B" in p.ready)
    picture = step_until(control, "pay A->B", lambda p: p.threads[1].line == 18)  # before sleep(CHECK)
    control.step("pay A->B")  # sleeps 2 s on the lesson's thread; the caller goes on at once
    assert control.picture().serial == picture.serial and session.running
    assert next_picture(control, picture).threads[1].line == 19


def test_two_transfers_stepped_into_each_other_show_the_circle_at_once(stepped):
    session, control = stepped("lock-order", CHECK=0.05)
    step_until(control, "MainThread", lambda p: "pay B->A" in p.ready)
    step_until(control, "pay A->B", lambda p: p.threads[1].line == 19)
    step_until(control, "pay B->A", lambda p: p.threads[2].line == 19)
    before = control.picture()
    control.step("pay A->B")
    control.step("pay B->A")
    picture = next_picture(control, before, commands=2)
    assert picture.circle == ["pay A->B", "pay B->A"]
    blocked = {v.name: v.reason for v in picture.threads if v.state == "blocked"}
    assert blocked["pay B->A"] == "waiting for Lock \"locks['A']\", held by pay A->B, taken at line 17"


def test_undo_runs_again_and_replays_all_steps_but_the_last(stepped):
    session, control = stepped("shared-array")
    picture = step_until(control, "MainThread", lambda p: len(p.schedule) == 4)
    control.undo()
    back = next_picture(control, picture)
    assert len(back.schedule) == 3 and back.threads[0].line < picture.threads[0].line


def test_run_to_end_hands_over_to_the_real_scheduler_and_the_check_judges_the_run(stepped):
    session, control = stepped("shared-array")
    control.run_free()
    end = ended(session)
    assert end.ok is True and "2" in end.summary
    assert control.picture().over and not control.picture().exact


def test_a_random_schedule_from_a_seed_runs_to_the_end_and_says_its_seed(stepped):
    session, control = stepped("shared-array")
    control.run_random(5)
    end = ended(session)
    assert end.ok is True and control.picture().seed == 5 and control.picture().exact


def test_a_lesson_with_its_own_runner_cannot_be_stepped():
    lesson = LESSONS["ctrl-c"]
    with pytest.raises(ValueError, match="cannot be stepped"):
        LessonSession(lesson, stepping=StepControl()).start()


def test_the_lock_order_challenge_is_reached_by_the_deadlocking_schedule_and_kept(stepped):
    session, control = stepped_with_challenge(stepped, "lock-order", CHECK=0.05)
    assert control.picture().goal.startswith("Step the two transfers") and not control.picture().reached
    step_until(control, "MainThread", lambda p: "pay B->A" in p.ready)
    step_until(control, "pay A->B", lambda p: p.threads[1].line == 19)
    step_until(control, "pay B->A", lambda p: p.threads[2].line == 19)
    step_until(control, "pay A->B", lambda p: p.threads[1].state == "blocked")
    assert not control.picture().reached
    picture = step_until(control, "pay B->A", lambda p: p.reached)
    assert picture.winning == picture.schedule


def test_the_race_challenge_is_reached_by_overtaking_and_its_schedule_kept(stepped):
    session, control = stepped_with_challenge(stepped, "elementwise-race", SIZE=1000)
    adder, divider = "Thread-1 (increase)", "Thread-2 (divide)"
    picture = step_until(control, "MainThread", lambda p: divider in p.ready)
    for _ in range(6):  # the adder does elements 0, 1 and 2 (two lines each)
        control.step(adder)
        picture = next_picture(control, picture)
    control.run_random(2)
    wait_until(lambda: control.picture().reached, timeout=30)
    winning = control.picture().winning
    assert winning is not None and winning[len(picture.schedule) - 6:len(picture.schedule)] == [Step(adder)] * 6


def stepped_with_challenge(stepped, lesson_id, **params):
    """As ``stepped``, with the lesson's challenge given to the control."""
    lesson = LESSONS[lesson_id]
    control = StepControl(lesson.challenge)
    session = LessonSession(lesson, lesson.program(lesson.check_params(params)), stepping=control)
    session.start()
    stepped.sessions.append(session)
    wait_until(lambda: control.picture().serial > 0)
    return session, control


def test_the_vectorised_race_challenge_is_not_reached_by_whole_loops_one_after_the_other(stepped):
    session, control = stepped_with_challenge(stepped, "vectorized-race", K=3)
    adder, divider = "Thread-1 (increase)", "Thread-2 (divide)"
    step_until(control, "MainThread", lambda p: divider in p.ready)
    step_until(control, adder, lambda p: p.threads[1].state == "finished")  # all adds first
    picture = step_until(control, divider, lambda p: p.threads[2].state == "finished")
    assert not picture.reached and dict(picture.shared)["data"].startswith("array (100, 1): 3.00526")


def test_an_interleaved_schedule_reaches_the_vectorised_race_challenge(stepped):
    session, control = stepped_with_challenge(stepped, "vectorized-race", K=3)
    adder, divider = "Thread-1 (increase)", "Thread-2 (divide)"
    picture = step_until(control, "MainThread", lambda p: divider in p.ready)
    for name in [adder, adder, divider, divider]:  # one add, one divide, ...
        control.step(name)
        picture = next_picture(control, picture)
    picture = step_until(control, adder, lambda p: p.threads[1].state == "finished")
    picture = step_until(control, divider, lambda p: p.threads[2].state == "finished")
    assert picture.reached and picture.winning == picture.schedule
