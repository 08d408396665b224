"""The instrumented primitives behave like threading's and record what the threads did."""

import inspect
import os
import threading

import pytest

from app.core import recorder as rec
from app.core.primitives import Condition, Event, Lock, RLock, RunStopped, Thread, WaitBroken, format_site
from app.core.recorder import Recorder
from helpers import WAIT_S, wait_until


def kinds(recorder, name=None):
    """The record kinds, in order (of one thread's lane if ``name``)."""
    return [kind for _, lane, kind, _ in recorder.snapshot() if name is None or lane.name == name]


def started(target, name, recorder, *args):
    thread = Thread(target=target, args=args, name=name, recorder=recorder)
    thread.start()
    return thread


# -- Lock ----------------------------------------------------------------------------------
def test_lock_has_threadings_api_and_errors():
    lock = Lock("l")
    assert lock.acquire() is True and lock.locked()
    assert lock.acquire(blocking=False) is False
    assert lock.acquire(timeout=0.01) is False
    lock.release()
    assert not lock.locked()
    with pytest.raises(RuntimeError):
        lock.release()
    with pytest.raises(ValueError):
        lock.acquire(blocking=False, timeout=1)
    with pytest.raises(ValueError):
        lock.acquire(timeout=-2)
    with lock:
        assert lock.locked()


def test_lock_knows_its_owner_and_where_it_was_taken():
    lock = Lock("l")
    with lock:
        line = inspect.currentframe().f_lineno - 1
        assert lock.owner.name == threading.current_thread().name
        here = __file__ if not __file__.startswith(os.getcwd() + os.sep) else os.path.relpath(__file__)
        assert format_site(lock.owner_site) == f"{here}:{line} in {inspect.currentframe().f_code.co_name}"
    assert lock.owner is None and lock.acquisitions == 1


def test_any_thread_may_release_a_plain_lock_as_with_threading():
    recorder = Recorder()
    lock = Lock("l", recorder=recorder)
    started(lock.acquire, "taker", recorder).join(WAIT_S)
    assert lock.owner.name == "taker"
    lock.release()
    assert not lock.locked()
    holds = [(kind, lane.name) for _, lane, kind, _ in recorder.snapshot() if kind in (rec.HOLD, rec.RELEASE)]
    assert holds == [(rec.HOLD, "taker"), (rec.RELEASE, "taker")]  # the hold closes on the owner's lane


def test_a_waiter_is_listed_counted_and_recorded():
    recorder = Recorder()
    lock = Lock("l", recorder=recorder)
    lock.acquire()
    t = started(lambda: (lock.acquire(), lock.release()), "waiter", recorder)
    wait_until(lambda: [w.lane.name for w in lock.waiters()] == ["waiter"])
    lock.release()
    t.join(WAIT_S)
    assert lock.contended == 1 and lock.acquisitions == 2 and lock.waiters() == []
    assert kinds(recorder, "waiter") == [rec.STARTED, rec.WAIT_LOCK, rec.RUNNING, rec.HOLD, rec.RELEASE,
                                         rec.FINISHED]


def test_a_timed_out_acquire_returns_false_and_is_marked():
    recorder = Recorder()
    lock = Lock("l", recorder=recorder)
    with lock:
        result = {}
        started(lambda: result.update(got=lock.acquire(timeout=0.05)), "waiter", recorder).join(WAIT_S)
    assert result == {"got": False}
    assert kinds(recorder, "waiter")[1:4] == [rec.WAIT_LOCK, rec.TIMED_OUT, rec.RUNNING]


def test_breaking_a_wait_raises_inside_the_waiting_thread():
    lock = Lock("l")
    raised = []

    def wait_for_it():
        try:
            lock.acquire()
        except WaitBroken as exc:
            raised.append(exc)

    with lock:
        t = started(wait_for_it, "waiter", lock.recorder)
        wait_until(lambda: lock.waiters())
        assert lock.break_wait(lock.waiters()[0]) == ["waiter"]
        t.join(WAIT_S)
    assert len(raised) == 1 and "broken from outside" in str(raised[0])


def test_breaking_one_wait_leaves_the_others_waiting_and_the_owner_holding():
    recorder = Recorder()
    lock = Lock("l", recorder=recorder)
    outcome = {}

    def wait_for_it(name):
        try:
            with lock:
                outcome[name] = "got it"
        except WaitBroken:
            outcome[name] = "broken"

    lock.acquire()
    first = started(wait_for_it, "first", recorder, "first")
    wait_until(lambda: len(lock.waiters()) == 1)
    second = started(wait_for_it, "second", recorder, "second")
    wait_until(lambda: len(lock.waiters()) == 2)
    (victim,) = [w for w in lock.waiters() if w.lane.name == "first"]
    assert lock.break_wait(victim) == ["first"]
    first.join(WAIT_S)
    assert outcome == {"first": "broken"}
    assert lock.locked() and lock.owner is recorder.lane()  # the owner never stopped owning it
    assert [w.lane.name for w in lock.waiters()] == ["second"]
    lock.release()
    second.join(WAIT_S)
    assert outcome == {"first": "broken", "second": "got it"} and not lock.locked()


def test_stop_waits_ends_every_wait_now_and_later_and_no_release_fails():
    lock = Lock("l")
    raised = []

    def wait_for_it():
        try:
            lock.acquire()
        except RunStopped:
            raised.append("stopped")

    lock.acquire()
    waiters = [started(wait_for_it, f"w{i}", lock.recorder) for i in range(3)]
    wait_until(lambda: len(lock.waiters()) == 3)
    lock.stop_waits("the run was stopped")
    for t in waiters:
        t.join(WAIT_S)
    assert raised == ["stopped"] * 3 and not any(t.is_alive() for t in waiters)
    with pytest.raises(RunStopped, match="the run was stopped"):
        lock.acquire()
    lock.release()  # the owner lets go as it unwinds: quietly
    lock.release()


def test_acquire_unless_gives_up_when_asked():
    recorder = Recorder()
    lock = Lock("l", recorder=recorder)
    give_up = threading.Event()
    result = {}
    with lock:
        t = started(lambda: result.update(got=lock.acquire_unless(give_up.is_set)), "waiter", recorder)
        wait_until(lambda: lock.waiters())
        give_up.set()
        t.join(WAIT_S)
    assert result == {"got": False}
    assert kinds(recorder, "waiter")[1:4] == [rec.WAIT_LOCK, rec.GAVE_UP, rec.RUNNING]


# -- RLock ---------------------------------------------------------------------------------
def test_rlock_lets_its_owner_in_again_and_records_one_hold():
    recorder = Recorder()
    lock = RLock("r", recorder=recorder)
    with lock:
        with lock:
            assert lock.owner is not None
        assert lock.locked()
    assert not lock.locked()
    assert kinds(recorder) == [rec.HOLD, rec.RELEASE]


def test_rlock_refuses_a_release_by_another_thread():
    lock = RLock("r")
    errors = []
    with lock:
        started(lambda: errors.append(pytest.raises(RuntimeError, lock.release)), "other", lock.recorder).join(WAIT_S)
    assert len(errors) == 1


# -- Event, Condition, Thread ----------------------------------------------------------------
def test_event_wait_without_timeout_is_waiting_with_timeout_is_pacing():
    recorder = Recorder()
    ready = Event("ready", recorder=recorder)
    assert ready.wait(0.01) is False
    t = started(ready.wait, "waiter", recorder)
    wait_until(lambda: rec.WAIT_EVENT in kinds(recorder, "waiter"))
    ready.set()
    t.join(WAIT_S)
    main = threading.current_thread().name
    assert kinds(recorder, main)[:3] == [rec.PACING, rec.RUNNING, rec.SET]
    assert kinds(recorder, "waiter") == [rec.STARTED, rec.WAIT_EVENT, rec.RUNNING, rec.FINISHED]
    assert ready.wait() is True  # already set: returns at once, records nothing new
    assert kinds(recorder, main).count(rec.PACING) == 1


def test_condition_hands_over_an_item_and_records_the_wait():
    recorder = Recorder()
    cond = Condition(name="items", recorder=recorder)
    items = []

    def consume():
        with cond:
            cond.wait_for(lambda: items, timeout=WAIT_S)
            items.pop()

    t = started(consume, "consumer", recorder)
    wait_until(lambda: rec.WAIT_COND in kinds(recorder, "consumer"))
    with cond:
        items.append(1)
        cond.notify()
    t.join(WAIT_S)
    assert items == [] and not t.is_alive()
    consumer = kinds(recorder, "consumer")
    assert consumer.index(rec.WAIT_COND) < consumer.index(rec.RELEASE)  # waiting lets go of the lock
    assert rec.NOTIFY in kinds(recorder)


def test_a_failing_thread_is_recorded_kept_and_reported(monkeypatch):
    seen = []
    monkeypatch.setattr(threading, "excepthook", lambda args: seen.append(args.exc_value))
    recorder = Recorder()
    t = Thread(target=lambda: 1 / 0, name="boom", recorder=recorder)
    t.start()
    t.join(WAIT_S)
    assert isinstance(t.error, ZeroDivisionError) and seen == [t.error]
    assert kinds(recorder, "boom") == [rec.STARTED, rec.FAILED]


def test_join_is_recorded_only_when_it_waits():
    recorder = Recorder()
    gate = Event("gate", recorder=recorder)
    t = started(gate.wait, "slow", recorder)
    joiner = started(t.join, "joiner", recorder)
    wait_until(lambda: rec.JOINING in kinds(recorder, "joiner"))
    gate.set()
    joiner.join(WAIT_S)
    before = len(recorder.snapshot())
    t.join(WAIT_S)  # already ended: nothing to wait for, nothing recorded
    assert len(recorder.snapshot()) == before
    assert kinds(recorder, "joiner") == [rec.STARTED, rec.JOINING, rec.RUNNING, rec.FINISHED]


def test_the_retake_inside_condition_wait_is_never_broken():
    lock = Lock("guarded")
    cond = Condition(lock, name="c")
    result = {}

    def consumer():
        with cond:
            result["woke"] = cond.wait(timeout=WAIT_S)
            result["owns"] = lock.owner is lock.recorder.lane()

    t = started(consumer, "consumer", lock.recorder)
    wait_until(lambda: not lock.locked())  # the consumer waits, the lock is free
    with cond:
        cond.notify()
        wait_until(lambda: lock.waiters())  # the consumer takes the lock back: it waits for us
        assert lock.break_wait() == []  # that wait must come back holding the lock: unbreakable
    t.join(WAIT_S)
    assert result == {"woke": True, "owns": True} and not lock.locked()


def test_condition_over_a_plain_lock_behaves_as_threading_and_names_the_callers_line():
    lock = Lock("plain")
    cond = Condition(lock, name="c")
    with cond:
        line = inspect.currentframe().f_lineno - 1
        assert cond._is_owned()
        assert format_site(lock.owner_site).endswith(f"test_primitives.py:{line} in "
                                                     "test_condition_over_a_plain_lock_behaves_as_threading"
                                                     "_and_names_the_callers_line")
    holder = started(lock.acquire, "holder", lock.recorder)
    holder.join(WAIT_S)
    cond.notify()  # threading allows this while any thread holds a plain Lock
    lock.release()


def test_a_thread_subclass_is_recorded_and_a_direct_run_stays_on_the_callers_lane():
    recorder = Recorder()

    class Worker(Thread):
        def run(self):
            self.ran_on = threading.current_thread().name

    w = Worker(name="sub", recorder=recorder)
    w.start()
    w.join(WAIT_S)
    assert w.ran_on == "sub" and kinds(recorder, "sub") == [rec.STARTED, rec.FINISHED]
    direct = Thread(target=lambda: None, name="direct", recorder=recorder)
    direct.run()  # runs here, plainly, as threading's does
    assert kinds(recorder, "direct") == []


def test_a_failed_threads_record_keeps_words_not_the_exception(monkeypatch):
    monkeypatch.setattr(threading, "excepthook", lambda args: None)  # the test reads t.error
    recorder = Recorder()
    t = Thread(target=lambda: [][1], name="f", recorder=recorder)
    t.start()
    t.join(WAIT_S)
    (failed,) = [obj for _, lane, kind, obj in recorder.snapshot() if kind == rec.FAILED]
    assert isinstance(t.error, IndexError)
    assert failed == repr(t.error)  # words: the ring does not keep the frames (and their locals) alive


def test_rlock_owner_taking_it_again_with_acquire_unless_is_let_in():
    lock = RLock("r")
    with lock:
        assert lock.acquire_unless(lambda: True) is True
        lock.release()
    assert not lock.locked()


def test_a_release_by_another_thread_waits_for_the_new_owner_to_be_written():
    recorder = Recorder()
    lock = Lock("l", recorder=recorder)
    lock._inner.acquire()  # as if a thread had just taken it and not yet written its name
    lane = recorder.lane()
    writer = threading.Timer(0.01, lambda: setattr(lock, "owner", lane))
    writer.start()
    lock.release()  # must not free the lock before the owner is written
    writer.join(WAIT_S)
    assert not lock.locked() and lock.owner is None  # not a free lock with an owner
    assert [(kind, l) for _, l, kind, _ in recorder.snapshot()] == [(rec.RELEASE, lane)]


def test_nan_timeout_is_refused_as_by_threading():
    with pytest.raises(ValueError):
        Lock().acquire(timeout=float("nan"))


def test_a_site_is_named_from_the_working_directory_when_it_is_under_it(tmp_path, monkeypatch):
    from app.core.primitives import short_path

    inside = tmp_path / "pkg" / "mod.py"
    monkeypatch.chdir(tmp_path)
    assert short_path(str(inside)) == os.path.join("pkg", "mod.py")
    assert short_path("/elsewhere/mod.py") == "/elsewhere/mod.py"
