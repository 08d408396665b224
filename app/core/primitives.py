"""Drop-in ``Thread``, ``Lock``, ``RLock``, ``Event``, ``Condition``, ``Semaphore``,
``BoundedSemaphore`` and ``Barrier`` that record what threads do.

Each has ``threading``'s API and behaves like it; code uses them exactly as it would
use ``threading`` (a program gets them through :mod:`app.core.instrument`). Each also
takes an optional ``name`` (shown in the lanes, the lock panel and the trace) and a
``recorder`` (:class:`~app.core.recorder.Recorder`; by default the module-wide
:data:`DEFAULT_RECORDER`). What they add:

* every change of the calling thread's state goes to the recorder: running, pacing,
  waiting for a lock / an event / a condition / a thread, holding a lock, finished,
  failed;
* a lock knows its owner, where the owner took it (file and line), who waits for it
  and where, how often it was taken and how often someone had to wait; a thread knows
  who joins it; a thread in an untimed wait says so (:func:`blocked`), so the deadlock
  watch can tell a stuck program from one that may still go on;
* a blocking wait blocks in the real primitive, so who goes next is decided as without
  this module. A lock wait can still be *broken* from outside (:meth:`Lock.break_wait`:
  the lock is handed to the waiter and straight back, and the waiter raises
  :class:`WaitBroken`), and every wait of a stopped run ends (:meth:`Lock.stop_waits`,
  :meth:`StoppableCondition.stop`: :class:`RunStopped`). That is how the window ends a
  deadlock, or a program, without a restart.

What recording costs against plain ``threading`` is measured by ``python -m
bench.primitives``; ``python -m bench.fidelity`` compares whole programs.
"""

from __future__ import annotations

import _thread
import itertools
import math
import os
import sys
import threading
import time
from types import CodeType
from typing import Any, Callable

from . import recorder as rec
from .recorder import HOLD, RELEASE, Lane, Recorder

#: Records of primitives made without a ``recorder=`` argument go here.
DEFAULT_RECORDER = Recorder()
#: How often ``acquire_unless`` asks whether to give up.
ATTEMPT_S = 0.05
#: How long a release by another thread waits for a new owner to write its name.
OWNER_WRITE_S = 0.5

_now = time.monotonic
_frame = sys._getframe
_serials = itertools.count(1)


class WaitBroken(RuntimeError):
    """Raised inside a thread whose wait for a lock was broken from outside."""

    __module__ = "threadlab"  # what a program's traceback calls it


class RunStopped(BaseException):
    """Raised inside a program's thread when its run is stopped (Stop in the window).

    A ``BaseException``, like ``KeyboardInterrupt``, so that a program's own
    ``except Exception:`` does not swallow it."""

    __module__ = "threadlab"


# -- untimed waits ---------------------------------------------------------------------------
def blocked(thread: threading.Thread) -> bool:
    """True while ``thread`` is in an untimed wait of this module (a lock, a join, an Event,
    a Condition, a Semaphore, a Barrier, a queue): it cannot go on by itself."""
    return bool(getattr(thread, "_untimed_wait", False))


def could_go_on(thread: threading.Thread) -> bool:
    """True if ``thread`` is in an untimed wait that has just been given what it waits for
    (the lock is free, the thread it joins has ended, it was notified), so that it is
    about to go on: the stepper waits for it before it calls a step over."""
    wait = getattr(thread, "_untimed_wait", False)
    return callable(wait) and wait()


def _waited() -> None:
    """A wait of this thread has just ended: tell the stepper, if one steps this thread (it
    stops the thread here until its turn, so that the rest of its line does not run beside
    the line of the thread being stepped)."""
    hook = getattr(threading.current_thread(), "_after_wait", None)
    if hook is not None:
        hook()


def _enter_untimed(ended: Callable[[], bool] | bool = True) -> tuple[threading.Thread, Any]:
    """Mark this thread as in an untimed wait (``ended``: a test of whether the wait has
    been given what it waits for); returns it and what to put back afterwards."""
    me = threading.current_thread()
    before = getattr(me, "_untimed_wait", False)
    me._untimed_wait = ended
    return me, before


# -- call sites ------------------------------------------------------------------------------
#: (code object, offset of the calling instruction): the caller, kept cheaply on the hot
#: path (reading ``f_lineno`` costs more than the rest of an acquire); formatted when shown.
Site = tuple


_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def short_path(path: str) -> str:
    """``deadlock.py`` for files of this package (lessons are shown by file name), a path
    from the working directory for files under it (a script's own folder, where
    ``threadlab trace`` and the Script tab run it), the full path otherwise."""
    full = os.path.abspath(path)
    if full.startswith(_PACKAGE_DIR + os.sep):
        return os.path.basename(path)
    try:
        here = os.getcwd() + os.sep
    except OSError:  # (the working directory was removed)
        return path
    return full[len(here):] if full.startswith(here) else path


def line_of(code: CodeType, lasti: int) -> int:
    """The source line of the instruction at byte offset ``lasti`` in ``code``."""
    for start, end, line in code.co_lines():
        if start <= lasti < end and line is not None:
            return line
    return code.co_firstlineno


def format_site(site: Site | str | None) -> str:
    """``app/lessons/lock.py:31 in add``; ``"?"`` when unknown; a site given in words as is."""
    if not site:
        return "?"
    if isinstance(site, str):
        return site
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


class Waiter:
    """A thread waiting in a lock's ``acquire`` (or in a join): who, where, since when, for
    how long at most. Compared by identity: one object per wait."""

    __slots__ = ("lane", "site", "since", "timeout", "breakable")

    def __init__(self, lane: Lane, site: Site | str, since: float, timeout: float,
                 breakable: bool = True) -> None:
        self.lane = lane
        self.site = site
        self.since = since  # time.monotonic() when the wait began
        self.timeout = timeout  # -1: no timeout
        self.breakable = breakable  # False for the re-take inside Condition.wait, and joins

    @property
    def timed(self) -> bool:
        return self.timeout >= 0

    def __repr__(self) -> str:
        return f"Waiter({self.lane!r}, since={self.since:.3f}, timeout={self.timeout})"


def _check_acquire_args(blocking: bool, timeout: float) -> None:
    if not blocking and timeout != -1:
        raise ValueError("can't specify a timeout for a non-blocking call")
    if math.isnan(timeout) or (timeout < 0 and timeout != -1):
        raise ValueError("timeout value must be a non-negative number")


class _Handoff:
    """A broken wait in flight: the lock's inner lock was let go on its owner's behalf so
    that the broken waiters wake inside their real ``acquire``; each takes it in turn,
    raises :class:`WaitBroken`, and the last one keeps it locked for the owner."""

    __slots__ = ("done", "owner_let_go", "stopped")

    def __init__(self, stopped: str = "") -> None:
        self.done = threading.Event()  # set when the last broken waiter went through
        self.owner_let_go = False  # the owner released while the handoff was under way
        #: Not a handoff but the end of the lock's run (see :meth:`Lock.stop_waits`):
        #: every wait raises :class:`RunStopped` with these words.
        self.stopped = stopped


class Lock:
    """``threading.Lock`` that records, knows its owner and waiters, and can break a wait.

    Like ``threading.Lock``, any thread may release it. A blocking ``acquire`` blocks in
    a real ``threading.Lock``: the waiters are woken by the interpreter and the OS in
    the order they would be without this class. A wait can still be broken from
    outside (:meth:`break_wait`): the lock is let go on its owner's behalf, the broken
    waiter wakes, takes it, hands it straight back (the owner never stops owning it)
    and raises :class:`WaitBroken`. That is how a deadlock ends without a restart.
    The owner fields are written only by the thread that holds the lock; readers on
    other threads (the panel, the detector) read them without waiting.
    """

    __slots__ = ("name", "recorder", "owner", "owner_since", "owner_site", "acquisitions",
                 "contended", "sites", "_inner", "_meta", "_depth", "_append", "_local",
                 "_waiters", "_broken", "_handoff", "__weakref__")
    reentrant = False

    def __init__(self, name: str | None = None, *, recorder: Recorder | None = None) -> None:
        self.name = name if name is not None else f"{type(self).__name__}-{next(_serials)}"
        self.recorder = recorder if recorder is not None else DEFAULT_RECORDER
        self.owner: Lane | None = None
        self.owner_since = 0.0
        self.owner_site: Site | None = None
        self.acquisitions = 0  # also tells one hold from the next: the detector compares it
        self.contended = 0  # acquisitions that had to wait
        self.sites: dict[Site, int] = {}  # where it was taken, and how often
        self._inner = threading.Lock()
        self._meta = threading.Lock()  # guards _waiters, _broken and _handoff's changes
        self._depth = 0
        self._append = self.recorder.records.append if self.recorder.enabled else None
        self._local = self.recorder._local  # .lane: the calling thread's Lane
        self._waiters: dict[Lane, Waiter] = {}
        self._broken: dict[Waiter, str] = {}  # waits to break, with the words they raise
        self._handoff: _Handoff | None = None

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
            lane = self.recorder.lane()  # (a thread started with the real threading: its first record)
        if self.owner is lane and self.reentrant:
            self._depth += 1
            return True
        caller = _frame(1)
        site = (caller.f_code, caller.f_lasti) if caller.f_code.co_filename != _THREADING_FILE \
            else _site_outside()  # ``with cond:`` comes through threading.Condition.__enter__
        if self._inner.acquire(False):
            if self._handoff is None:
                self._took(lane, site)
                return True
            self._inner.release()  # a broken wait's turn, not ours: wait behind it
        if not blocking or timeout == 0:
            return False
        return self._wait(lane, timeout, site)

    __enter__ = acquire  # ``with lock:`` is acquire() with the defaults; it returns True

    def release(self) -> None:
        """Release; ``RuntimeError`` if it is not held (or, for an RLock, not by the caller)."""
        owner = self.owner
        handoff = self._handoff
        if handoff is not None and handoff.stopped:  # the run is over: no release fails
            self._let_go_during_handoff()
            return
        if self.reentrant:
            if owner is None or owner is not getattr(self._local, "lane", None):
                raise RuntimeError("cannot release un-acquired lock")
            if self._depth > 1:
                self._depth -= 1
                return
        if handoff is not None and self._let_go_during_handoff():
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
        give_up = _now() + OWNER_WRITE_S
        while self.owner is None and self._inner.locked() and _now() < give_up:
            time.sleep(0.0001)  # lets the taker run to its next line
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
            if self._handoff is None:
                self._took(lane, site)
                return True
            self._inner.release()
        return self._wait(lane, -1, site, give_up)

    def locked(self) -> bool:
        """True while some thread holds it."""
        handoff = self._handoff
        return self._inner.locked() if handoff is None else not handoff.owner_let_go

    def __repr__(self) -> str:
        state = f"locked by {self.owner.name!r}" if self.owner is not None else "unlocked"
        return f"<{type(self).__name__} {self.name!r} {state}>"

    # -- what the panel, the detector and the window use -----------------------------------
    def waiters(self) -> list[Waiter]:
        """The threads waiting for this lock now."""
        with self._meta:
            return list(self._waiters.values())

    def break_wait(self, waiter: Waiter | None = None, reason: str = "", hold: int | None = None) -> list[str]:
        """Make this very wait (or every breakable one) raise WaitBroken; return the names.

        A wait is named by its :class:`Waiter`, not its thread, so a later wait of the
        same thread is never broken by mistake. Unbreakable waits are left alone. Call it
        only while the owner cannot let go itself (it waits in a deadlock, or it has
        ended): the lock is let go on its behalf so that the waiter wakes. ``hold``: the
        acquisition the caller saw stuck; if the lock has changed hands since, nothing
        is broken.
        """
        reason = reason or f"the wait for {self.kind} {self.name!r} was broken from outside"
        with self._meta:
            if hold is not None and (self.acquisitions != hold or self.owner is None):
                return []
            chosen = [w for w in self._waiters.values()
                      if w.breakable and w not in self._broken and (waiter is None or w is waiter)]
            if not chosen:
                return []
            self._broken.update((w, reason) for w in chosen)
            start = self._handoff is None and self._inner.locked()
            if start:
                self._handoff = _Handoff()
        if start:
            self._inner.release()  # on the owner's behalf: the first broken waiter wakes
        return [w.lane.name for w in chosen]

    def kick(self) -> None:
        """After :meth:`stop_waits`: let go once more, so that a waiter still blocked wakes
        (a thread stopped right after it woke may have left without passing it on)."""
        with self._meta:
            if self._handoff is not None and self._handoff.stopped and self._waiters:
                try:
                    self._inner.release()
                except RuntimeError:
                    pass

    def stop_waits(self, reason: str) -> None:
        """The run this lock belongs to is over: every wait for it, now and later, raises
        :class:`RunStopped` with ``reason``; releases no longer fail. For good."""
        with self._meta:
            old, self._handoff = self._handoff, _Handoff(stopped=reason)
        if old is not None:
            old.done.set()  # whoever waited behind a handoff looks again, and stops
        try:
            self._inner.release()  # wakes one waiter, which wakes the next as it stops
        except RuntimeError:
            pass  # it was free

    def _at_fork_reinit(self) -> None:
        """As ``threading.Lock``'s (``os.register_at_fork`` callers use it): in a forked
        child, a free lock with no owner and no one waiting."""
        self._inner._at_fork_reinit()
        self._meta._at_fork_reinit()
        self.owner, self.owner_site, self._depth = None, None, 0
        self._waiters, self._broken, self._handoff = {}, {}, None

    def held_for(self) -> float:
        """Seconds the current owner has held it (0.0 when free)."""
        return _now() - self.owner_since if self.owner is not None else 0.0

    # -- Condition support (threading.Condition uses these when the lock has them) -----------
    def _is_owned(self) -> bool:
        if self.reentrant:
            return self.owner is self.recorder.lane()
        return self.locked()  # what threading.Condition assumes for a plain Lock

    def _release_save(self) -> int:
        depth = self._depth
        self._depth = 1
        self.release()
        return depth

    def _acquire_restore(self, depth: int) -> None:
        """Take the lock back after a Condition wait; the site is whoever called ``wait``."""
        lane = self.recorder.lane()
        site = _site_outside()
        got = self._inner.acquire(False)
        if got and self._handoff is None:
            self._took(lane, site)
        else:  # unbreakable: Condition.wait must come back holding the lock, whatever happens
            if got:
                self._inner.release()  # a broken wait's turn
            self._wait(lane, -1, site, breakable=False)
        self._depth = depth

    # -- inside --------------------------------------------------------------------------
    def _took(self, lane: Lane, site: Site) -> None:
        """The inner lock was just taken: the caller is the owner now."""
        self.acquisitions += 1
        self._depth = 1
        self.owner_site = site
        sites = self.sites
        sites[site] = sites.get(site, 0) + 1
        self.owner_since = t = _now()
        self.owner = lane
        if self._append is not None:
            self._append((t, lane, HOLD, self))

    def _wait(self, lane: Lane, timeout: float, site: Site,
              give_up: Callable[[], bool] | None = None, breakable: bool = True) -> bool:
        """Block in the real lock until it is ours, the timeout passes, the wait is broken
        (:class:`WaitBroken`) or ``give_up()`` says so (asked every :data:`ATTEMPT_S`)."""
        recorder = self.recorder
        began = _now()
        waiter = Waiter(lane, site, began, timeout, breakable)
        self._waiters[lane] = waiter  # (one dict store: atomic under the GIL; readers copy under _meta)
        if self._append is not None:
            self._append((began, lane, rec.WAIT_LOCK, self))
        deadline = None if timeout < 0 else began + timeout
        got, ending = False, ""
        me, before = None, False
        taken = [False]  # (set once the real lock is this thread's)
        if deadline is None and give_up is None:  # an untimed wait: the program may be stuck
            me = lane.thread
            if me is not None:
                # it could go on once the lock is free, and goes on while it takes it (the
                # real lock is taken before its owner is written) and once it has it
                inner = self._inner
                before, me._untimed_wait = (getattr(me, "_untimed_wait", False),
                                            lambda: taken[0] or not inner.locked() or self.owner is None)
        # The usual case goes straight into the real wait, with no look around first: a
        # thread's way from its acquire() to the real one must stay as short as it can
        # (a longer one lets a thread that asks later get the lock first).
        quick = give_up is None and self._handoff is None
        try:
            while True:
                if quick:
                    quick, left = False, -1.0 if deadline is None else timeout
                else:
                    handoff = self._handoff
                    if handoff is not None and handoff.stopped:
                        raise RunStopped(handoff.stopped)
                    broken = waiter in self._broken
                    if give_up is not None and not broken and give_up():
                        ending = rec.GAVE_UP
                        return False
                    if deadline is None or (broken and self._handoff is not None):
                        left = -1.0  # (a broken wait waits for its turn however long it takes)
                    else:
                        left = deadline - _now()
                        if left <= 0:
                            ending = rec.TIMED_OUT
                            return False
                    if give_up is not None and not broken:
                        left = ATTEMPT_S if left < 0 else min(left, ATTEMPT_S)
                    handoff = self._handoff
                    if handoff is not None and not broken:
                        # a broken wait is being let through: stay out of its way (and look
                        # again soon, in case this wait is broken too meanwhile)
                        handoff.done.wait(ATTEMPT_S if left < 0 else min(left, ATTEMPT_S))
                        continue
                if not self._inner.acquire(True, left):
                    continue  # the top of the loop says: timed out, gave up, or again
                taken[0] = True
                if self._handoff is not None:
                    reason = self._through_handoff(waiter)
                    if reason is None:
                        taken[0] = False
                        continue  # not ours: given back, wait behind the broken ones
                    if reason:
                        raise WaitBroken(reason)
                got = True
                with self._meta:  # stop waiting *before* owning: the detector never sees both
                    self._waiters.pop(lane, None)
                self.contended += 1
                recorder.record(rec.RUNNING, None, lane)
                self._took(lane, site)
                return True
        except (WaitBroken, RunStopped):
            ending = rec.BROKEN
            raise
        finally:
            if me is not None:
                me._untimed_wait = before
            with self._meta:
                if self._waiters.get(lane) is waiter:
                    del self._waiters[lane]
                self._broken.pop(waiter, None)
            if not got:
                if ending:
                    recorder.record(ending, self, lane)
                recorder.record(rec.RUNNING, None, lane)
            if ending != rec.BROKEN:
                _waited()

    def _through_handoff(self, waiter: Waiter) -> str | None:
        """We hold the inner lock while a handoff is under way. A broken waiter gets the
        words to raise (and passes the lock on, or keeps it for the owner); anyone else
        gives it back and gets ``None``."""
        with self._meta:
            handoff = self._handoff
            if handoff is None:  # (it ended while we took the lock: take it as usual)
                return ""
            if handoff.stopped:
                try:
                    self._inner.release()  # wake the next waiter: it stops too
                except RuntimeError:
                    pass  # a kick let it go already
                raise RunStopped(handoff.stopped)
            reason = self._broken.pop(waiter, None)
            if reason is None:
                self._inner.release()
                return None
            if self._waiters.get(waiter.lane) is waiter:
                del self._waiters[waiter.lane]
            still = [w for w in self._broken if self._waiters.get(w.lane) is w]
            if still:
                self._inner.release()  # the next broken waiter's turn
            else:
                self._handoff = None
                if handoff.owner_let_go:  # the owner let go meanwhile: the lock is free now
                    self._inner.release()
                handoff.done.set()
            return reason

    def _let_go_during_handoff(self) -> bool:
        """A release while a handoff is under way: the owner lets go of a lock whose inner
        lock is passing between broken waiters; the last of them frees it."""
        with self._meta:
            handoff = self._handoff
            if handoff is None:
                return False
            owner = self.owner
            if handoff.stopped:  # the run is over: let every release through quietly
                if owner is not None and self._append is not None:
                    self._append((_now(), owner, RELEASE, self))
                self.owner = None
                return True
            if owner is None or handoff.owner_let_go:
                raise RuntimeError("release unlocked lock")
            handoff.owner_let_go = True
            self.owner = None
            self._depth = 0
            if self._append is not None:
                self._append((_now(), owner, RELEASE, self))
            return True


class RLock(Lock):
    """``threading.RLock`` that records like :class:`Lock`: the owner may take it again."""

    __slots__ = ()
    reentrant = True


class StoppableCondition(threading.Condition):
    """A ``threading.Condition`` whose waits end with :class:`RunStopped` once
    :meth:`stop` is called (the instrumented Event, Semaphore, Barrier and queues wait on
    one, so that Stop wakes them from the real wait they are in)."""

    _stopped = ""

    def wait(self, timeout: float | None = None) -> bool:
        if self._stopped:
            raise RunStopped(self._stopped)
        got = super().wait(timeout) if timeout is not None else self._wait_untimed()
        if self._stopped:
            raise RunStopped(self._stopped)
        _waited()
        return got

    def _wait_untimed(self) -> bool:
        """``threading.Condition.wait()`` with no timeout, as CPython writes it, with its
        waiter lock in view: a notified waiter says it could go on (see :func:`could_go_on`)."""
        if not self._is_owned():
            raise RuntimeError("cannot wait on un-acquired lock")
        waiter = _thread.allocate_lock()
        waiter.acquire()
        self._waiters.append(waiter)
        saved = self._release_save()
        # notified: taken out of the waiters and let go (the wait then takes it again)
        me, before = _enter_untimed(lambda: waiter not in self._waiters or not waiter.locked())
        gotit = False
        try:
            waiter.acquire()
            gotit = True
            return True
        finally:
            me._untimed_wait = before
            self._acquire_restore(saved)
            if not gotit:  # (an exception in the wait: a later notify must not be spent on it)
                try:
                    self._waiters.remove(waiter)
                except ValueError:
                    pass

    def stop(self, reason: str) -> None:
        """Wake every waiter now (without the lock, which a stuck thread may hold) and make
        every wait from now on raise :class:`RunStopped` with ``reason``."""
        self._stopped = reason
        for waiter in list(self._waiters):  # what notify_all does, minus taking the lock
            try:
                waiter.release()
            except RuntimeError:
                pass  # already woken


class Event(threading.Event):
    """``threading.Event`` whose waits and sets are recorded.

    ``wait()`` with no timeout is recorded as *waiting for event*; ``wait(timeout)`` as
    *pacing* (the way a loop paces itself on a stop Event). A wait on an Event that is
    already set returns at once and records nothing.
    """

    def __init__(self, name: str | None = None, *, recorder: Recorder | None = None) -> None:
        super().__init__()
        self._cond = StoppableCondition(threading.Lock())  # (made by threading.Event, unused yet)
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

    def stop(self, reason: str) -> None:
        """End every wait on this Event with :class:`RunStopped` (see StoppableCondition)."""
        self._cond.stop(reason)

    def __repr__(self) -> str:
        return f"<Event {self.name!r} {'set' if self.is_set() else 'unset'}>"


class Condition(StoppableCondition):
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


class Semaphore(threading.Semaphore):
    """``threading.Semaphore`` whose blocking waits are recorded (*waiting on* it)."""

    kind = "Semaphore"

    def __init__(self, value: int = 1, name: str | None = None, *, recorder: Recorder | None = None) -> None:
        super().__init__(value)
        self._cond = StoppableCondition(threading.Lock())
        self.name = name if name is not None else f"{self.kind}-{next(_serials)}"
        self.recorder = recorder if recorder is not None else DEFAULT_RECORDER

    def acquire(self, blocking: bool = True, timeout: float | None = None) -> bool:
        if not blocking or self._value > 0:  # (taken at once, or a mere try)
            return super().acquire(blocking, timeout)
        self.recorder.record(rec.WAIT_COND, self)
        try:
            got = super().acquire(blocking, timeout)
        finally:
            self.recorder.record(rec.RUNNING)
        if not got:
            self.recorder.record(rec.TIMED_OUT, self)
        return got

    __enter__ = acquire

    def stop(self, reason: str) -> None:
        self._cond.stop(reason)


class BoundedSemaphore(Semaphore, threading.BoundedSemaphore):
    """``threading.BoundedSemaphore``, recorded like :class:`Semaphore`."""

    kind = "BoundedSemaphore"

    def __init__(self, value: int = 1, name: str | None = None, *, recorder: Recorder | None = None) -> None:
        Semaphore.__init__(self, value, name, recorder=recorder)
        self._initial_value = value


class Barrier(threading.Barrier):
    """``threading.Barrier`` whose waits are recorded (*waiting on* it)."""

    kind = "Barrier"

    def __init__(self, parties: int, action: Callable[[], Any] | None = None, timeout: float | None = None,
                 name: str | None = None, *, recorder: Recorder | None = None) -> None:
        super().__init__(parties, action, timeout)
        self._cond = StoppableCondition(threading.Lock())
        self.name = name if name is not None else f"{self.kind}-{next(_serials)}"
        self.recorder = recorder if recorder is not None else DEFAULT_RECORDER

    def wait(self, timeout: float | None = None) -> int:
        self.recorder.record(rec.WAIT_COND, self)
        try:
            return super().wait(timeout)
        finally:
            self.recorder.record(rec.RUNNING)

    def stop(self, reason: str) -> None:
        self._cond.stop(reason)


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
        self.stopped = False  # True if a run's Stop ended it (RunStopped)
        self.lane: Lane | None = None  # its row in the recorder, once it runs
        self._joiners: dict[Lane, Waiter] = {}  # threads in join() on this one (the wait-for graph)

    def start(self) -> None:
        body = self.run  # the subclass's run, if it has one

        def run() -> None:  # what threading's bootstrap calls on the new thread
            if threading.current_thread() is self:
                self._recorded(body)
            else:  # a direct call from elsewhere runs plainly, as with threading
                body()

        self.run = run
        self.lane = self.recorder.lane_for(self)  # made here, so the new thread starts lean
        super().start()

    def _recorded(self, body: Callable[[], None]) -> None:
        recorder = self.recorder
        lane = self.lane
        recorder.adopt(lane)
        recorder.record(rec.STARTED, None, lane)
        try:
            self._run_body(body)
        finally:
            failed = self.error is not None
            # the record keeps the words, not the exception (whose frames hold their locals)
            recorder.record(rec.FAILED if failed else rec.FINISHED, repr(self.error) if failed else None, lane)
            lane.ended = True

    def _run_body(self, body: Callable[[], None]) -> None:
        """Run the thread's work; an exception is kept in :attr:`error` and raised on, so
        ``threading.excepthook`` sees it as for any thread (a program's thread says it
        as Python does instead: see :mod:`app.core.instrument`)."""
        try:
            body()
        except BaseException as exc:
            self.error = exc
            raise

    def join(self, timeout: float | None = None, *, site: str | None = None) -> None:
        """``threading.Thread.join``, recorded. ``site``: where the join is, in words, when
        it is not a line of code (a program's end, where Python joins its threads)."""
        if not self.is_alive() or self is threading.current_thread():
            return super().join(timeout)  # nothing to wait for, or threading's own error
        recorder = self.recorder
        lane = recorder.lane()
        waiter = Waiter(lane, site or _site_outside(), _now(), -1 if timeout is None else timeout,
                        breakable=False)
        self._joiners[lane] = waiter  # (one dict store: atomic under the GIL)
        recorder.record(rec.JOINING, self, lane)
        me, before = _enter_untimed(lambda: not self.is_alive()) if timeout is None else (None, False)
        try:
            super().join(timeout)
        finally:
            if me is not None:
                me._untimed_wait = before
            self._joiners.pop(lane, None)
            recorder.record(rec.RUNNING, None, lane)
        _waited()

    def join_until(self, give_up: Callable[[], bool], site: str) -> None:
        """Join, as one untimed wait in the graph, but look at ``give_up`` every 0.1 s (a
        run's own join at a program's end, which Stop must be able to end)."""
        if not self.is_alive() or self is threading.current_thread():
            return
        recorder = self.recorder
        lane = recorder.lane()
        self._joiners[lane] = Waiter(lane, site, _now(), -1, breakable=False)
        recorder.record(rec.JOINING, self, lane)
        me, before = _enter_untimed(lambda: not self.is_alive())
        try:
            while self.is_alive() and not give_up():
                threading.Thread.join(self, 0.1)
        finally:
            me._untimed_wait = before
            self._joiners.pop(lane, None)
            recorder.record(rec.RUNNING, None, lane)

    def joiners(self) -> list[Waiter]:
        """The threads waiting in ``join()`` for this one now."""
        return list(self._joiners.copy().values())

