"""Locks that know who holds them and who waits for them, so a deadlock can be seen and broken.

:class:`TrackedLock` has the API of ``threading.Lock`` (or ``RLock`` with
``reentrant=True``). It records its owner and where the owner took it (file and
line), and every waiter with where it waits. A blocking ``acquire`` waits in short
timed attempts, so the wait can be *broken*: :meth:`TrackedLock.break_waits` makes
the waiting ``acquire`` raise :class:`WaitBroken` inside the waiting thread.

:func:`find_self_deadlocks` finds a thread waiting for a non-reentrant lock it
already holds: it would wait forever.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from dataclasses import dataclass

ATTEMPT_S = 0.05


class WaitBroken(RuntimeError):
    """Raised inside a thread whose wait for a lock was broken from outside."""


def _call_site(depth: int = 2) -> str:
    """``file:line`` of the code that called the lock method (skipping this module)."""
    frame = sys._getframe(depth)
    while frame is not None and frame.f_code.co_filename == __file__:
        frame = frame.f_back
    if frame is None:
        return "?"
    return f"{short_path(frame.f_code.co_filename)}:{frame.f_lineno} in {frame.f_code.co_name}"


def short_path(path: str) -> str:
    """``.../app/lessons/deadlock.py`` for files of this package, the full path otherwise."""
    marker = f"{os.sep}app{os.sep}"
    return "app" + os.sep + path.rsplit(marker, 1)[1] if marker in path else path


@dataclass(frozen=True)
class Waiter:
    """A thread waiting in :meth:`TrackedLock.acquire`."""

    ident: int
    name: str
    site: str
    since: float  # time.monotonic() when the wait began


class TrackedLock:
    """A Lock (or RLock) that records owner, owner's call site and waiters."""

    def __init__(self, name: str, reentrant: bool = False, abandon: threading.Event | None = None) -> None:
        self.name = name
        self.reentrant = reentrant
        self.abandon = abandon  # when set, every wait ends with WaitBroken
        self._inner = threading.RLock() if reentrant else threading.Lock()
        self._meta = threading.Lock()
        self.owner: tuple[int, str] | None = None
        self.owner_site = ""
        self._depth = 0
        self.waiters: dict[int, Waiter] = {}
        self._broken: set[int] = set()

    @property
    def kind(self) -> str:
        """``"RLock"`` or ``"Lock"``."""
        return "RLock" if self.reentrant else "Lock"

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        """Like ``threading.Lock.acquire``; a blocking wait can be broken (:class:`WaitBroken`)."""
        if self._inner.acquire(blocking=False):
            self._took(_call_site())
            return True
        if not blocking:
            return False
        me = threading.current_thread()
        began = time.monotonic()
        with self._meta:
            self.waiters[me.ident] = Waiter(me.ident, me.name, _call_site(), began)
        try:
            while True:
                left = None if timeout < 0 else timeout - (time.monotonic() - began)
                if left is not None and left <= 0:
                    return False
                attempt = ATTEMPT_S if left is None else min(ATTEMPT_S, left)
                if self._inner.acquire(timeout=attempt):
                    self._took(_call_site())
                    return True
                self._raise_if_broken(me.ident)
        finally:
            with self._meta:
                self.waiters.pop(me.ident, None)
                self._broken.discard(me.ident)

    def release(self) -> None:
        """Release; the owner record is cleared when the last level is released."""
        with self._meta:
            self._depth -= 1
            if self._depth <= 0:
                self._depth = 0
                self.owner, self.owner_site = None, ""
        self._inner.release()

    def __enter__(self) -> bool:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()

    def locked(self) -> bool:
        """True while some thread holds it."""
        return self.owner is not None

    def break_waits(self, ident: int | None = None) -> list[str]:
        """Make the wait of thread ``ident`` (or of every waiter) raise WaitBroken; return names."""
        with self._meta:
            chosen = [w for w in self.waiters.values() if ident is None or w.ident == ident]
            self._broken.update(w.ident for w in chosen)
        return [w.name for w in chosen]

    def _took(self, site: str) -> None:
        me = threading.current_thread()
        with self._meta:
            self._depth += 1
            if self._depth == 1:
                self.owner, self.owner_site = (me.ident, me.name), site

    def _raise_if_broken(self, ident: int) -> None:
        with self._meta:
            broken = ident in self._broken
        if broken:
            raise WaitBroken(f"the wait for {self.kind} {self.name!r} was broken from outside")
        if self.abandon is not None and self.abandon.is_set():
            raise WaitBroken(f"the wait for {self.kind} {self.name!r} was abandoned: stop requested")


@dataclass(frozen=True)
class SelfDeadlock:
    """A thread waiting for a non-reentrant lock that it holds itself."""

    lock: TrackedLock
    thread: str
    ident: int
    taken_at: str
    waiting_at: str
    waiting_for: float  # seconds the wait has lasted when found

    def explain(self) -> str:
        """The finding in plain words."""
        return (
            f"Deadlock: thread {self.thread!r} is waiting for {self.lock.kind} {self.lock.name!r}, "
            f"which it holds itself (taken at {self.taken_at}). A plain Lock does not know its "
            f"owner, so it will wait forever (waiting at {self.waiting_at}, for "
            f"{self.waiting_for:.2f} s now). An RLock would let the owner take it again."
        )


def find_self_deadlocks(locks: list[TrackedLock]) -> list[SelfDeadlock]:
    """Every thread that waits for a plain lock it already holds."""
    found = []
    now = time.monotonic()
    for lock in locks:
        if lock.reentrant:
            continue
        with lock._meta:
            owner, site = lock.owner, lock.owner_site
            waiters = list(lock.waiters.values())
        for waiter in waiters:
            if owner is not None and waiter.ident == owner[0]:
                found.append(
                    SelfDeadlock(lock, waiter.name, waiter.ident, site, waiter.site, now - waiter.since)
                )
    return found


class DeadlockWatch:
    """A thread that looks for self-deadlocks among ``locks`` every ``poll`` s.

    Each finding is reported once to ``on_found``; with ``auto_break`` the stuck wait is
    broken at once (what a headless run wants, so that it never hangs).
    """

    def __init__(self, locks: list[TrackedLock], on_found, auto_break: bool = False,
                 poll: float = 0.02, name: str = "deadlock-watch") -> None:
        self.locks = locks  # read live: locks created later are watched too
        self.on_found = on_found
        self.auto_break = auto_break
        self.poll = poll
        self._seen: set[tuple[int, int]] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name=name, daemon=True)

    def start(self) -> "DeadlockWatch":
        self._thread.start()
        return self

    def stop(self, timeout: float = 1.0) -> bool:
        """Stop watching; True if the thread ended within ``timeout``."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)
        return not self._thread.is_alive()

    def scan(self) -> list[SelfDeadlock]:
        """Look once; report and return the findings not reported before."""
        new = []
        for finding in find_self_deadlocks(list(self.locks)):
            key = (id(finding.lock), finding.ident)
            if key in self._seen:
                continue
            self._seen.add(key)
            new.append(finding)
            self.on_found(finding)
            if self.auto_break:
                finding.lock.break_waits(finding.ident)
        return new

    def _watch(self) -> None:
        while not self._stop.wait(self.poll):
            self.scan()
