"""Every lesson, run through the core as the CLI runs it, with its measured outcome checked."""

import numpy as np
import pytest

from app.core import recorder as rec
from app.core.recorder import Recorder
from app.core.timeline import Timeline
from app.lessons import LESSONS, elementwise_race, get
from app.lessons.base import RunContext, run_lesson


def run(lesson_id, repeat=None, **params):
    lesson = get(lesson_id)
    return run_lesson(lesson, lesson.check_params(params), repeat)


def test_first_thread_prints_every_number_and_join_waits_for_the_last():
    result = run("first-thread", count=4, delay=0.02)
    (r,) = result.runs
    assert r["numbers"] == 4 and r["finished_after_last_number"]
    assert r["median_gap_s"] == pytest.approx(0.02, abs=0.015)
    assert result.ok


def test_two_counters_interleave_and_keep_their_own_pace():
    result = run("two-counters", count_a=6, delay_a=0.03, count_b=4, delay_b=0.05)
    (r,) = result.runs
    assert r["lines_a"] == 6 and r["lines_b"] == 4 and r["switches"] >= 2
    assert result.ok


def test_shared_array_changes_the_int_does_not_the_return_value_needs_a_queue():
    (r,) = run("shared-array").runs
    assert r == {"array_changed": True, "int_after": 1, "queue_got": 42}


def blocks(first, second, k=10):
    """The final value when one thread's K operations all run before the other's."""
    a = np.ones(1)
    for name in (first, second):
        for _ in range(k):
            if name == "add":
                a += 1
            else:
                a /= 1.1
    return float(a[0])


def test_vectorized_race_keeps_elements_equal_and_small_k_gives_at_most_two_values():
    result = run("vectorized-race", repeat=6, k=10)
    assert all(r["uniform"] for r in result.runs)
    assert {r["final"] for r in result.runs} <= {blocks("add", "divide"), blocks("divide", "add")}
    assert result.ok


def test_vectorized_race_final_value_depends_on_the_order_of_whole_operations():
    # the mechanism, without threads: two interleavings of whole numpy calls
    a, b = np.ones(100), np.ones(100)
    a += 1; a /= 1.1; a += 1  # noqa: E702
    b /= 1.1; b += 1; b += 1  # noqa: E702
    assert a.max() == a.min() and b.max() == b.min() and a[0] != b[0]


def test_bands_mark_where_one_thread_overtook_the_other():
    # force the interleaving a race produces: divider ahead on the first 300 elements
    a = np.ones(1000)
    elementwise_race.divide(a[:300])
    elementwise_race.add(a)
    elementwise_race.divide(a[300:])
    assert elementwise_race.bands(a) == 2
    assert a[0] == pytest.approx(1 / 1.1 + 1) and a[-1] == pytest.approx(2 / 1.1)


def test_lock_keeps_every_run_uniform_and_loops_apart():
    result = run("lock", repeat=3, size=20_000)
    assert all(r["bands"] == 1 and not r["overlap"] for r in result.runs)
    assert result.ok


def test_main_holds_lock_workers_wait_for_the_release():
    result = run("main-holds-lock", repeat=2, size=2000, hold=0.2)
    assert all(r["waited_for_release"] and not r["overlap"] for r in result.runs)
    assert result.ok


def test_deadlock_with_a_plain_lock_is_found_within_a_second_and_broken():
    (r,) = run("deadlock", lock_kind="Lock").runs
    assert r["detected"] and r["detected_after_s"] < 1.0 and not r["finished"]


def test_deadlock_code_finishes_with_an_rlock():
    result = run("deadlock", lock_kind="RLock")
    assert result.runs == [{"lock_kind": "RLock", "finished": True, "detected": False, "detected_after_s": None}]
    assert result.ok


def test_lock_timeout_acquire_gives_up_and_join_returns_while_alive():
    result = run("lock-timeout", timeout=0.3, hold=0.8, join_timeout=0.2, slow=0.6)
    (r,) = result.runs
    assert r["acquired"] is False and r["acquire_waited_s"] == pytest.approx(0.3, abs=0.1)
    assert r["alive_after_join"] is True and r["join_returned_s"] == pytest.approx(0.2, abs=0.1)
    assert result.ok


def test_lock_timeout_acquire_succeeds_when_the_holder_lets_go_in_time():
    (r,) = run("lock-timeout", timeout=2.0, hold=0.2, join_timeout=0.5, slow=0.2).runs
    assert r["acquired"] is True and r["alive_after_join"] is False


def test_event_ready_both_workers_wait_for_set():
    result = run("event-ready", prep=0.2)
    (r,) = result.runs
    assert r["both_waited_for_set"] and r["final_all_11"] and r["waited_s"] >= 0.19
    assert result.ok


def test_event_stop_paced_loop_counts_rounds_and_stops_at_once():
    result = run("event-stop", period=0.05, run_for=0.5)
    (r,) = result.runs
    assert 7 <= r["rounds"] <= 13 and r["stop_latency_s"] < 0.05
    assert result.ok


def test_event_stop_unpaced_loop_spins():
    (r,) = run("event-stop", period=0.0, run_for=0.3).runs
    assert r["rounds"] > 1000


def test_ctrl_c_non_daemon_keeps_the_child_alive_daemon_is_cut_off_clean_exits_zero():
    result = run("ctrl-c", work=1.5, interrupt_after=0.2)
    (r,) = result.runs
    assert r["non-daemon"]["worker_done"] and r["non-daemon"]["exit_after_s"] > 1.0
    assert not r["daemon"]["worker_done"] and r["daemon"]["exit_after_s"] < 0.6
    assert r["clean"]["exit_code"] == 0 and r["clean"]["stopped_cleanly"]
    assert result.ok


def test_frozen_vs_threaded_measures_the_freeze_and_the_live_loop():
    result = run("frozen-vs-threaded", job=0.5)
    (r,) = result.runs
    assert r["frozen_s"] >= 0.45
    assert r["worker_max_delay_s"] < 0.125
    assert result.ok


def test_a_failing_lesson_thread_is_reported_and_fails_the_verdict():
    lesson = get("first-thread")
    ctx = RunContext()

    def boom():
        raise RuntimeError("inside a lesson thread")

    t = ctx.Thread(target=boom, name="boom")
    t.start()
    t.join()
    assert ctx.errors == ["boom: RuntimeError('inside a lesson thread')"]
    assert ctx.finish() == []
    assert lesson.id == "first-thread"


def test_vectorized_race_final_value_varies_over_the_default_runs():
    # measured: 15 of 15 sets of 20 runs with K = 10 000 gave 13 to 20 distinct values
    result = run("vectorized-race")
    assert len(result.runs) == 20 and result.ok
    assert len({r["final"] for r in result.runs}) > 2


def test_elementwise_race_shows_bands_over_the_default_runs():
    # measured: 249 of 600 single runs raced (42 %), so 20 all miss with p ~ 2e-5
    result = run("elementwise-race")
    assert len(result.runs) == 20 and result.ok
    assert any(r["bands"] > 1 for r in result.runs)


def test_lock_order_inversion_is_found_within_half_a_second_and_one_transfer_gives_up():
    result = run("lock-order")
    (r,) = result.runs
    assert r["detected"] and r["detected_after_s"] <= 0.5
    assert r["threads_named"] == ["pay A->B", "pay B->A"] and r["locks_named"] == ["account A", "account B"]
    assert sorted(r["outcomes"].values()) == ["gave up", "moved"] and r["total"] == 200
    assert result.ok


def test_lock_order_with_one_global_order_finishes_without_a_deadlock():
    result = run("lock-order", order="global", check=0.05)
    (r,) = result.runs
    assert not r["detected"] and r["outcomes"] == {"A": "moved", "B": "moved"} and r["total"] == 200
    assert result.ok


#: Quick settings, so that every lesson can run a few times in the suite.
QUICK = {
    "first-thread": {"count": 3, "delay": 0.02}, "two-counters": {"count_a": 3, "count_b": 2},
    "vectorized-race": {"k": 100}, "elementwise-race": {"size": 2000}, "lock": {"size": 2000},
    "main-holds-lock": {"size": 500, "hold": 0.05}, "lock-timeout": {"timeout": 0.1, "hold": 0.3,
    "join_timeout": 0.1, "slow": 0.3}, "event-ready": {"prep": 0.05}, "event-stop": {"period": 0.02,
    "run_for": 0.2}, "ctrl-c": {"work": 0.6, "interrupt_after": 0.1}, "frozen-vs-threaded": {"job": 0.2},
}


@pytest.mark.parametrize("lesson_id", [i for i in LESSONS if i not in ("deadlock", "lock-order")])
def test_no_deadlock_alarm_on_any_other_lesson(lesson_id):
    contexts = []

    def context():
        contexts.append(RunContext())
        return contexts[-1]

    lesson = get(lesson_id)
    repeat = 1 if lesson_id in ("ctrl-c", "frozen-vs-threaded") else 3
    result = run_lesson(lesson, lesson.check_params(QUICK.get(lesson_id, {})), repeat, context)
    assert not result.errors
    assert [f.explain() for ctx in contexts for f in ctx.findings] == []


def test_the_recorder_stays_bounded_on_a_lesson_left_running():
    recorder = Recorder(capacity=500)
    lesson = get("event-stop")  # a paced forever loop: two records per round
    run_lesson(lesson, lesson.check_params({"period": 0.001, "run_for": 1.0}), 1,
               lambda: RunContext(recorder=recorder))
    assert recorder.full and len(recorder.records) == 500
    timeline = Timeline()
    timeline.feed(recorder.snapshot())
    (loop,) = timeline.find("loop")
    assert {s.state for s in loop.segments} == {rec.RUNNING, rec.PACING}


def test_event_ready_both_waiters_are_released_together_by_set():
    recorder = Recorder()
    lesson = get("event-ready")
    run_lesson(lesson, lesson.check_params({"prep": 0.1}), 1, lambda: RunContext(recorder=recorder))
    timeline = Timeline()
    timeline.feed(recorder.snapshot())
    waits = [s for track in timeline.ordered() for s in track.segments if s.state == rec.WAIT_EVENT]
    sets = [m.t for track in timeline.ordered() for m in track.marks if m.kind == rec.SET and m.obj.name == "ready"]
    assert len(waits) == 2 and len(sets) == 1
    assert all(w.end >= sets[0] for w in waits)  # nobody went on before set()
    assert abs(waits[0].end - waits[1].end) < 0.05  # one set() released both
