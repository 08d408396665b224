import re
import threading
import time

import numpy as np
import pytest

from app.core import logbook, workers
from app.core.lab import Lab, check_counts
from app.core.shared import SharedArray
from app.core.workers import Job, Settings, WorkerKind


def small_lab(size=2000):
    return Lab(SharedArray(size))


def wait_for(condition, timeout=5.0):
    """Poll ``condition`` until true or ``timeout``; return its last value."""
    end = time.monotonic() + timeout
    pause = threading.Event()
    while not condition():
        if time.monotonic() > end:
            return False
        pause.wait(0.005)
    return True


def test_start_runs_one_named_thread_per_worker_and_stop_joins_them():
    lab = small_lab()
    before = threading.active_count()
    handles = lab.start({"add-vectorised": 2, "counter": 1})
    assert sorted(h.name for h in handles) == ["add-vectorised-1", "add-vectorised-2", "counter-1"]
    assert wait_for(lambda: lab.shared.data[0] > 1.0)
    report = lab.stop(timeout=1.0)
    assert report.all_ended
    assert threading.active_count() == before


def test_stop_is_seen_within_one_pause_not_after_it():
    lab = small_lab()
    lab.start({"counter": 1}, Settings(counter_delay=10.0))
    assert wait_for(lambda: lab.workers[0].job.stats.steps == 1)
    report = lab.stop(timeout=1.0)
    assert report.all_ended
    assert report.seconds < 0.5  # the 10 s pause was cut short by the stop Event


def test_elementwise_worker_stops_mid_pass():
    lab = Lab(SharedArray(2_000_000))  # one pass takes far longer than the join below
    lab.start({"add-elementwise": 1})
    assert wait_for(lambda: lab.shared.data[0] > 1.0)
    assert lab.stop(timeout=0.2).all_ended
    assert any(e.text.startswith("stopped mid-pass") for e in lab.log.entries())
    assert lab.shared.data[-1] == 1.0  # the pass never reached the end


def test_a_start_that_fails_half_way_leaves_no_thread(monkeypatch):
    lab = small_lab()
    real_start = threading.Thread.start
    started = []

    def start_twice_then_fail(self):
        if len(started) == 2:
            raise RuntimeError("can't start new thread")
        started.append(self)
        real_start(self)

    monkeypatch.setattr(threading.Thread, "start", start_twice_then_fail)
    with pytest.raises(RuntimeError, match="can't start"):
        lab.start({"add-vectorised": 3})
    monkeypatch.undo()
    assert not any(t.is_alive() for t in started) and lab.workers == []
    assert lab.join(0.1).all_ended


def test_duration_ends_threads_by_themselves():
    lab = small_lab()
    lab.start({"add-vectorised": 1}, duration=0.2)
    assert wait_for(lambda: not lab.running, timeout=3)
    assert lab.join(0).all_ended


def test_worker_error_is_logged_with_traceback_and_others_go_on():
    lab = small_lab()
    lab.start({"failing": 1, "add-vectorised": 1}, Settings(counter_delay=0.01))
    assert wait_for(lambda: lab.errors)
    (failed,) = lab.errors
    assert isinstance(failed.error, ZeroDivisionError)
    assert "Traceback" in failed.traceback
    errors = [e for e in lab.log.entries() if e.kind == logbook.ERROR]
    assert errors and errors[0].thread == "failing-1" and "ZeroDivisionError" in errors[0].text
    steps = lab.workers[1].job.stats.steps
    assert wait_for(lambda: lab.workers[1].job.stats.steps > steps + 2)
    assert lab.stop().all_ended


def test_log_has_started_and_finished_for_each_thread():
    lab = small_lab()
    lab.start({"counter": 2}, Settings(counter_delay=0.001, counter_count=5))
    assert wait_for(lambda: not lab.running)
    lab.join(1)
    kinds = {(e.thread, e.kind) for e in lab.log.entries()}
    for name in ("counter-1", "counter-2"):
        assert (name, logbook.STARTED) in kinds and (name, logbook.FINISHED) in kinds


class Stubborn(Job):
    """A job that ignores the stop flag until its own gate opens."""

    gate = threading.Event()

    def step(self, should_stop):
        self.gate.wait(10)
        return False


def test_join_names_a_worker_that_does_not_end_in_time(monkeypatch):
    monkeypatch.setitem(workers.KINDS, "stubborn", WorkerKind("stubborn", "Stubborn", Stubborn))
    Stubborn.gate.clear()
    lab = small_lab()
    lab.start({"stubborn": 1})
    try:
        report = lab.stop(timeout=0.1)
        assert report.stragglers == ["stubborn-1"]
        said = [float(m.group(1)) for e in lab.log.entries()
                if (m := re.match(r"stubborn-1 is still running (\d+\.\d) s after the stop request", e.text))]
        assert len(said) == 1 and said[0] >= 0.1  # (a busy machine: later than the 0.1 s asked)
    finally:
        Stubborn.gate.set()
    assert lab.join(2).all_ended


def test_start_while_running_is_refused():
    lab = small_lab()
    lab.start({"add-vectorised": 1})
    try:
        with pytest.raises(RuntimeError, match="stop them first"):
            lab.start({"counter": 1})
        with pytest.raises(RuntimeError):
            lab.resize(100)
    finally:
        lab.stop()


@pytest.mark.parametrize(
    ("counts", "message"),
    [
        ({}, "at least one worker"),
        ({"counter": 0}, "at least one worker"),
        ({"counter": -1}, "workers must be"),
        ({"counter": 100}, "workers must be"),
        ({"nope": 1}, "unknown worker kind"),
    ],
)
def test_bad_counts_are_value_errors(counts, message):
    with pytest.raises(ValueError, match=message):
        check_counts(counts)


def test_bad_duration_is_a_value_error():
    with pytest.raises(ValueError, match="duration"):
        small_lab().start({"counter": 1}, duration=float("nan"))


def test_run_here_blocks_the_caller_for_the_duration_and_interleaves_jobs():
    lab = small_lab()
    began = time.monotonic()
    report = lab.run_here({"add-vectorised": 1, "counter": 1}, Settings(counter_delay=0.05), duration=0.5)
    elapsed = time.monotonic() - began
    assert 0.45 <= elapsed < 1.0
    assert report.steps["counter-1"] >= 5 and report.steps["add-vectorised-1"] >= 5
    lines = [e for e in lab.log.entries() if e.kind == logbook.LINE]
    assert all(e.thread == threading.current_thread().name for e in lines)
    assert lines[0].text.startswith("counter-1: ")
    assert np.all(lab.shared.data > 1.0)


def test_run_here_keeps_errors_and_goes_on():
    lab = small_lab()
    report = lab.run_here({"failing": 1, "counter": 1}, Settings(counter_delay=0.01), duration=0.3)
    assert report.errors == ["failing-1: ZeroDivisionError('division by zero')"]
    assert report.steps["counter-1"] > 5
