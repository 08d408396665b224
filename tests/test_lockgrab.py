import threading

from app.core.lockgrab import HELD, IDLE, WAITING, LockGrab


def test_free_lock_is_taken_at_once_and_released():
    lock = threading.Lock()
    grab = LockGrab(lock)
    assert grab.request() == HELD
    assert lock.locked()
    grab.release()
    assert grab.state == IDLE and not lock.locked()


def test_held_lock_makes_the_grab_wait_without_blocking_then_take_it():
    lock = threading.Lock()
    lock.acquire()
    grab = LockGrab(lock)
    assert grab.request() == WAITING
    assert grab.poll() == WAITING
    lock.release()
    assert grab.poll() == HELD
    assert grab.waited >= 0
    grab.release()
    assert not lock.locked()


def test_cancel_while_waiting_leaves_the_lock_to_its_owner():
    lock = threading.Lock()
    lock.acquire()
    grab = LockGrab(lock)
    grab.request()
    grab.cancel()
    assert grab.state == IDLE and lock.locked()
    lock.release()
    assert grab.poll() == IDLE and not lock.locked()
