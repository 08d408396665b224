"""Drop-in ``Thread``, ``Lock``, ``RLock``, ``Event`` and ``Condition`` that record what threads do.

Each has ``threading``'s API and behaves like it; code uses them exactly as it would
use ``threading``. Each also takes an optional ``name`` (shown in the lanes, the lock
panel and the trace) and a ``recorder`` (:class:`~app.core.recorder.Recorder`; by
default the module-wide :data:`DEFAULT_RECORDER`). What they add:

* every change of the calling thread's state goes to the recorder: running, pacing,
  waiting for a lock / an event / a condition / a thread, holding a lock, finished,
  failed;
* a lock knows its owner, where the owner took it (file and line), who waits for it
  and where, how often it was taken and how often someone had to wait;
* a blocking ``acquire`` waits in short timed attempts, so the wait can be *broken*
  from outside (:meth:`Lock.break_wait` makes it raise :class:`WaitBroken` inside the
  waiting thread) or *abandoned* when an ``abandon`` Event is set. That is how the
  window ends a deadlock without a restart (:mod:`app.core.waitgraph` finds them).

Nothing here changes what the threads do apart from the cost of recording, which
``python -m bench.primitives`` measures against plain ``threading``.
"""

from __future__ import annotations

import itertools
import math
import os
import sys
import threading
import time
from dataclasses import dataclass
from types import CodeType
from typing import Any, Callable

from app.core import recorder as rec
from app.core.recorder import HOLD, RELEASE, Lane, Recorder

#: Records of primitives made without a ``recorder=`` argument go here.
DEFAULT_RECORDER = Recorder()
#: How long one attempt of a blocking acquire waits before it looks for a broken wait.
ATTEMPT_S = 0.05

_now = time.monotonic
_frame = sys._getframe
_serials = itertools.count(1)


class WaitBroken(RuntimeError):
    """Raised inside a thread whose wait for a lock was broken (or abandoned) from outside."""


# -- call sites ------------------------------------------------------------------------------
#: (code object, offset of the calling instruction): the caller, kept cheaply on the hot
#: path (reading ``f_lineno`` costs more than the rest of an acquire); formatted when shown.
Site = tuple


_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def short_path(path: str) -> str:
    """``deadlock.py`` for files of this package (lessons are shown by file name), the full
    path otherwise."""
    inside = os.path.abspath(path).startswith(_PACKAGE_DIR + os.sep)
    return os.path.basename(path) if inside else path


def line_of(code: CodeType, lasti: int) -> int:
    """The source line of the instruction at byte offset ``lasti`` in ``code``."""
    for start, end, line in code.co_lines():
        if start <= lasti < end and line is not None:
            return line
    return code.co_firstlineno


def format_site(site: Site | None) -> str:
    """``app/lessons/lock.py:31 in add``; ``"?"`` when unknown."""
    if not site:
        return "?"
    code, lasti = site
    return f"{short_path(code.co_filename)}:{line_of(code, lasti)} in {code.co_name}"


_THREADING_FILE = threading.__file__
_SKIPPED = (__file__, _THREADING_FILE)


def _site_outside() -> Site:
    """The nearest caller outside this module and ``threading`` (for Condition.wait)."""
    frame = _frame(1)
    while frame.f_back is not None and frame.f_code.co_filename in _SKIPPED:
        frame = frame.f_back
    return (frame.f_code, frame.f_lasti)


@dataclass(frozen=True, eq=False)
class Waiter:
    """A thread waiting in a lock's ``acquire``: who, where, since when, for how long at most."""

    lane: Lane
    site: Site
    since: float  # time.monotonic() when the wait began
    timeout: float  # -1: no timeout
    breakable: bool = True  # False for the re-take inside Condition.wait (see _acquire_restore)

    @property
    def timed(self) -> bool:
        return self.timeout >= 0


def _check_acquire_args(blocking: bool, timeout: float) -> None:
    if not blocking and timeout != -1:
        raise ValueError("can't specify a timeout for a non-blocking call")
    if math.isnan(timeout) or (timeout < 0 and timeout != -1):
        raise ValueError("timeout value must be a non-negative number")


class Lock:
    """``threading.Lock`` that records, knows its owner and waiters, and can break a wait.

    Like ``threading.Lock``, any thread may release it. ``abandon``: an Event that,
    once set, ends every wait for this lock with :class:`WaitBroken` (a lesson's stop).
    The owner fields are written only by the thread that holds the lock; readers on
    other threads (the panel, the detector) read them without waiting.
    """

    __slots__ = ("name", "recorder", "abandon", "owner", "owner_since", "owner_site", "acquisitions",
                 "contended", "_inner", "_meta", "_depth", "_append", "_local",
                 "_waiters", "_broken", "__weakref__")
    reentrant = False

    def __init__(self, name: str | None = None, *, recorder: Recorder | None = None,
                 abandon: threading.Event | None = None) -> None:
        self.name = name if name is not None else f"{type(self).__name__}-{next(_serials)}"
        self.recorder = recorder if recorder is not None else DEFAULT_RECORDER
        self.abandon = abandon
        self.owner: Lane | None = None
        self.owner_since = 0.0
        self.owner_site: Site | None = None
        self.acquisitions = 0  # also tells one hold from the next: the detector compares it
        self.contended = 0  # acquisitions that had to wait
        self._inner = threading.Lock()
        self._meta = threading.Lock()  # guards _waiters and _broken
        self._depth = 0
        self._append = self.recorder.records.append if self.recorder.enabled else None
        self._local = self.recorder._local  # .lane: the calling thread's Lane
        self._waiters: dict[Lane, Waiter] = {}
        self._broken: set[Waiter] = set()

    @property
    def kind(self) -> str:
        """``"Lock"`` or ``"RLock"``."""
        return "RLock" if self.reentrant else "Lock"

    # -- the threading API -----------------------------------------------------------------
    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        """Like ``threading.Lock.acquire``; a blocking wait may raise :class:`WaitBroken`.

        This is the hot path; its cost against plain ``threading`` is measured in
        ``bench/primitives.py``.
        """
        if timeout != -1:
            _check_acquire_args(blocking, timeout)
        try:
            lane = self._local.lane
        except AttributeError:
            lane = self.recorder.new_lane()
        if self.owner is lane and self.reentrant:
            self._depth += 1
            return True
        caller = _frame(1)
        site = (caller.f_code, caller.f_lasti) if caller.f_code.co_filename != _THREADING_FILE \
            else _site_outside()  # ``with cond:`` comes through threading.Condition.__enter__
        if self._inner.acquire(False):
            self._took(lane, site)
            return True
        if not blocking or timeout == 0:
            return False
        return self._wait(lane, timeout, site)

    __enter__ = acquire  # ``with lock:`` is acquire() with the defaults; it returns True

    def release(self) -> None:
        """Release; ``RuntimeError`` if it is not held (or, for an RLock, not by the caller)."""
        owner = self.owner
        if self.reentrant:
            if owner is None or owner is not getattr(self._local, "lane", None):
                raise RuntimeError("cannot release un-acquired lock")
            if self._depth > 1:
                self._depth -= 1
                return
        if owner is None and self._inner.locked():
            owner = self._owner_published()
        if owner is None:  # threading's own error if the lock is free
            self._inner.release()
            return
        self.owner = None
        self._depth = 0
        if self._append is not None:  # recorded before the next owner can take it
            self._append((_now(), owner, RELEASE, self))
        self._inner.release()

    def __exit__(self, *exc: object) -> None:
        self.release()

    def _owner_published(self) -> Lane | None:
        """The owner of a lock that is held but shows none: a thread took it a moment ago
        and is about to write its name. Let it (a release from another thread must not
        free the lock before that, or the lock would end up free with an owner)."""
        for _ in range(1000):
            if self.owner is not None or not self._inner.locked():
                break
            time.sleep(0)  # lets the taker run to its next line
        return self.owner

    def acquire_unless(self, give_up: Callable[[], bool]) -> bool:
        """Wait for the lock until it is taken (True) or ``give_up()`` is true (False).

        Not in ``threading``'s API: for owners that must stay stoppable (the lab's
        mutators look at their stop flag, the GUI's lock grab at its cancel Event).
        The wait is one *waiting for lock* segment however long it lasts;
        ``give_up`` is asked every :data:`ATTEMPT_S` seconds.
        """
        lane = self.recorder.lane()
        if self.owner is lane and self.reentrant:
            self._depth += 1
            return True
        caller = _frame(1)
        site = (caller.f_code, caller.f_lasti)
        if self._inner.acquire(False):
            self._took(lane, site)
            return True
        return self._wait(lane, -1, site, give_up)

    def locked(self) -> bool:
        """True while some thread holds it."""
        return self._inner.locked()

    def __repr__(self) -> str:
        state = f"locked by {self.owner.name!r}" if self.owner is not None else "unlocked"
        return f"<{type(self).__name__} {self.name!r} {state}>"

    # -- what the panel, the detector and the window use -----------------------------------
    def waiters(self) -> list[Waiter]:
        """The threads waiting for this lock now."""
        with self._meta:
            return list(self._waiters.values())

    def break_wait(self, waiter: Waiter | None = None) -> list[str]:
        """Make this very wait (or every breakable one) raise WaitBroken; return the names.

        A wait is named by its :class:`Waiter`, not its thread, so a later wait of the
        same thread is never broken by mistake. Unbreakable waits are left alone.
        """
        with self._meta:
            chosen = [w for w in self._waiters.values()
                      if w.breakable and (waiter is None or w is waiter)]
            self._broken.update(chosen)
        return [w.lane.name for w in chosen]

    def held_for(self) -> float:
        """Seconds the current owner has held it (0.0 when free)."""
        return _now() - self.owner_since if self.owner is not None else 0.0

    # -- Condition support (threading.Condition uses these when the lock has them) -----------
    def _is_owned(self) -> bool:
        if self.reentrant:
            return self.owner is self.recorder.lane()
        return self._inner.locked()  # what threading.Condition assumes for a plain Lock

    def _release_save(self) -> int:
        depth = self._depth
        self._depth = 1
        self.release()
        return depth

    def _acquire_restore(self, depth: int) -> None:
        """Take the lock back after a Condition wait; the site is whoever called ``wait``."""
        lane = self.recorder.lane()
        site = _site_outside()
        if self._inner.acquire(False):
            self._took(lane, site)
        else:  # unbreakable: Condition.wait must come back holding the lock, whatever happens
            self._wait(lane, -1, site, breakable=False)
        self._depth = depth

    # -- inside --------------------------------------------------------------------------
    def _took(self, lane: Lane, site: Site) -> None:
        """The inner lock was just taken: the caller is the owner now."""
        self.acquisitions += 1
        self._depth = 1
        self.owner_site = site
        self.owner_since = t = _now()
        self.owner = lane
        if self._append is not None:
            self._append((t, lane, HOLD, self))

    def _wait(self, lane: Lane, timeout: float, site: Site,
              give_up: Callable[[], bool] | None = None, breakable: bool = True) -> bool:
        recorder = self.recorder
        began = _now()
        waiter = Waiter(lane, site, began, timeout, breakable)
        with self._meta:
            self._waiters[lane] = waiter
        recorder.record(rec.WAIT_LOCK, self, lane)
        deadline = None if timeout < 0 else began + timeout
        got, ending = False, ""
        try:
            while True:
                attempt = ATTEMPT_S if deadline is None else min(ATTEMPT_S, deadline - _now())
                if attempt <= 0:
                    ending = rec.TIMED_OUT
                    return False
                if self._inner.acquire(timeout=attempt):
                    got = True
                    with self._meta:  # stop waiting *before* owning: the detector never sees both
                        self._waiters.pop(lane, None)
                    self.contended += 1
                    recorder.record(rec.RUNNING, None, lane)
                    self._took(lane, site)
                    return True
                if breakable:
                    self._raise_if_broken(waiter)
                if give_up is not None and give_up():
                    ending = rec.GAVE_UP
                    return False
        except WaitBroken:
            ending = rec.BROKEN
            raise
        finally:
            with self._meta:
                self._waiters.pop(lane, None)
                self._broken.discard(waiter)
            if not got:
                if ending:
                    recorder.record(ending, self, lane)
                recorder.record(rec.RUNNING, None, lane)

    def _raise_if_broken(self, waiter: Waiter) -> None:
        with self._meta:
            broken = waiter in self._broken
        if broken:
            raise WaitBroken(f"the wait for {self.kind} {self.name!r} was broken from outside")
        if self.abandon is not None and self.abandon.is_set():
            raise WaitBroken(f"the wait for {self.kind} {self.name!r} was abandoned: stop requested")


class RLock(Lock):
    """``threading.RLock`` that records like :class:`Lock`: the owner may take it again."""

    __slots__ = ()
    reentrant = True


class Event(threading.Event):
    """``threading.Event`` whose waits and sets are recorded.

    ``wait()`` with no timeout is recorded as *waiting for event*; ``wait(timeout)`` as
    *pacing* (the way a loop paces itself on a stop Event). A wait on an Event that is
    already set returns at once and records nothing.
    """

    def __init__(self, name: str | None = None, *, recorder: Recorder | None = None) -> None:
        super().__init__()
        self.name = name if name is not None else f"Event-{next(_serials)}"
        self.recorder = recorder if recorder is not None else DEFAULT_RECORDER

    def wait(self, timeout: float | None = None) -> bool:
        if self.is_set() or timeout == 0:  # set, or a mere look: no change of state
            return super().wait(timeout)
        recorder = self.recorder
        recorder.record(rec.WAIT_EVENT if timeout is None else rec.PACING, self)
        try:
            return super().wait(timeout)
        finally:
            recorder.record(rec.RUNNING)

    def set(self) -> None:
        self.recorder.record(rec.SET, self)  # before the waiters wake, so it comes first
        super().set()

    def __repr__(self) -> str:
        return f"<Event {self.name!r} {'set' if self.is_set() else 'unset'}>"


class Condition(threading.Condition):
    """``threading.Condition`` over an instrumented lock (a new :class:`RLock` by default)."""

    def __init__(self, lock: Lock | None = None, name: str | None = None, *,
                 recorder: Recorder | None = None) -> None:
        self.name = name if name is not None else f"Condition-{next(_serials)}"
        self.recorder = recorder if recorder is not None else (
            lock.recorder if isinstance(lock, Lock) else DEFAULT_RECORDER)
        super().__init__(lock if lock is not None else RLock(f"{self.name} lock", recorder=self.recorder))

    def wait(self, timeout: float | None = None) -> bool:
        self.recorder.record(rec.WAIT_COND, self)
        try:
            return super().wait(timeout)
        finally:
            self.recorder.record(rec.RUNNING)

    def notify(self, n: int = 1) -> None:
        self.recorder.record(rec.NOTIFY, self)
        super().notify(n)

    def notify_all(self) -> None:
        self.recorder.record(rec.NOTIFY, self)
        super().notify_all()

    notifyAll = notify_all  # noqa: N815 - threading's old name


class Thread(threading.Thread):
    """``threading.Thread`` whose life is recorded: started, its states, finished or failed.

    The recording wraps whatever :meth:`run` the thread has when :meth:`start` is called
    (a subclass's own ``run`` included) and happens on the new thread only; calling
    ``run()`` directly runs it plainly, as ``threading`` does. An exception that ends
    ``run`` is kept in :attr:`error`, recorded as *failed* and raised on, so
    ``threading.excepthook`` sees it as it would for any thread. Code that catches a
    job's exception itself may set :attr:`error` so that the thread is recorded as
    failed all the same.
    """

    def __init__(self, group: None = None, target: Callable[..., Any] | None = None,
                 name: str | None = None, args: tuple = (), kwargs: dict | None = None, *,
                 daemon: bool | None = None, recorder: Recorder | None = None) -> None:
        super().__init__(group, target, name, args, kwargs, daemon=daemon)
        self.recorder = recorder if recorder is not None else DEFAULT_RECORDER
        self.error: BaseException | None = None

    def start(self) -> None:
        body = self.run  # the subclass's run, if it has one

        def run() -> None:  # what threading's bootstrap calls on the new thread
            if threading.current_thread() is self:
                self._recorded(body)
            else:  # a direct call from elsewhere runs plainly, as with threading
                body()

        self.run = run
        super().start()

    def _recorded(self, body: Callable[[], None]) -> None:
        recorder = self.recorder
        lane = recorder.new_lane(self.name)
        recorder.record(rec.STARTED, None, lane)
        try:
            body()
        except BaseException as exc:
            self.error = exc
            raise
        finally:
            failed = self.error is not None
            # the record keeps the words, not the exception (whose frames hold their locals)
            recorder.record(rec.FAILED if failed else rec.FINISHED, repr(self.error) if failed else None, lane)

    def join(self, timeout: float | None = None) -> None:
        if not self.is_alive() or self is threading.current_thread():
            return super().join(timeout)  # nothing to wait for, or threading's own error
        self.recorder.record(rec.JOINING, self)
        try:
            super().join(timeout)
        finally:
            self.recorder.record(rec.RUNNING)
