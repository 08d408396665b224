"""Explore: every interleaving of a small program within a preemption bound, its outcomes,
and a schedule for each that replays to it."""

from app.core.explore import explore
from app.core.stepper import Stepper
from tests.test_stepper import LOST_UPDATE, TWO_LOCKS


def replayed(source, schedule):
    stepper = Stepper(source).start()
    try:
        stepper.run_schedule(schedule)
        return stepper.circle() or stepper.output()
    finally:
        assert stepper.close()


def test_the_lost_update_program_has_both_outcomes_and_each_schedule_replays_to_its_own():
    found = explore(LOST_UPDATE, preemptions=2)
    assert found.finished and {o.printed for o in found.outcomes} == {"1\n", "2\n"}
    assert sum(o.schedules for o in found.outcomes) == found.schedules
    for outcome in found.outcomes:
        assert replayed(LOST_UPDATE, outcome.schedule) == outcome.printed


def test_without_preemptions_only_the_correct_outcome_is_reached():
    found = explore(LOST_UPDATE, preemptions=0)
    assert found.finished and [o.printed for o in found.outcomes] == ["2\n"]


def test_the_deadlocking_schedules_of_two_locks_taken_in_opposite_orders_are_found_and_replay():
    found = explore(TWO_LOCKS, preemptions=1)
    deadlocks = [o for o in found.outcomes if o.deadlock]
    assert found.finished and len(deadlocks) == 1 and sorted(deadlocks[0].deadlock) == ["A", "B"]
    assert deadlocks[0].describe() == "deadlock: A -> B -> A"
    assert replayed(TWO_LOCKS, deadlocks[0].schedule) == ["A", "B"]
    assert any(o.printed == "both done\n" for o in found.outcomes)


def test_the_time_limit_ends_it_and_says_so():
    found = explore(TWO_LOCKS, preemptions=3, time_limit=0.0)
    assert not found.finished and found.schedules == 1 and "time limit" in found.stopped_because


def test_a_program_too_long_to_explore_is_told():
    found = explore(LOST_UPDATE, max_steps=5)
    assert not found.finished and "past 5 steps" in found.stopped_because and not found.outcomes


def test_a_schedule_whose_step_cannot_be_taken_is_an_outcome_and_the_rest_go_on(monkeypatch):
    from app.core import stepper as stepper_module

    monkeypatch.setattr(stepper_module, "STEP_LIMIT_S", 0.3)
    program = LOST_UPDATE.replace("    value = counter\n", "    value = counter\n    threading.Event().wait(0.5)\n")
    found = explore(program, preemptions=1)
    assert found.finished and any(o.failed.startswith("a step took more than 0.3 s") for o in found.outcomes)
