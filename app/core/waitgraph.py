"""Deadlocks found in the wait-for graph of the instrumented locks, explained and breakable.

Each thread waiting for a lock points to the thread that holds it. A thread waits for
one lock at a time, so following the arrows from any thread either ends (someone is
running) or comes back round: a **cycle**, and nobody in it will ever go on. A cycle
of one is a thread waiting for a plain Lock that it holds itself; a cycle of two is
the classic lock-order inversion (A holds L1 and waits for L2, B holds L2 and waits
for L1).

Only waits with no timeout count: a wait with a timeout ends by itself, so a circle
that contains one is never reported (no false alarm from ``acquire(timeout=...)``).
The GUI's lock grab and the lab's mutators wait without a timeout but hold nothing
while they wait, so they can close no circle.

The owner fields of a lock are read without stopping anyone, so one look could
catch a state that was never real. :class:`DeadlockWatch` therefore reports a cycle
only when two looks in a row see the *same* waits (the same :class:`Waiter` objects)
and the *same* holds (the same acquisition of each lock): then every thread in it
was stuck all that time.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Callable, Iterable

from app.core.primitives import Lock, Site, Waiter, format_site
from app.core.recorder import Lane

#: How often the watch looks; a cycle is reported two looks after it formed at most.
POLL_S = 0.05


@dataclass(frozen=True)
class WaitEdge:
    """One arrow of the graph: ``waiter`` waits for ``lock``, which ``holder`` holds."""

    waiter: Waiter
    lock: Lock
    holder: Lane
    held_since: float
    taken_at: Site  # where the holder took the lock (formatted only when explained)
    hold: int  # which acquisition of the lock this hold is

    @property
    def thread(self) -> Lane:
        return self.waiter.lane

    @property
    def since(self) -> float:
        """When this arrow appeared: the later of the wait and the hold."""
        return max(self.waiter.since, self.held_since)


@dataclass(frozen=True)
class Deadlock:
    """A cycle of waits: ``edges[i]``'s holder is ``edges[i + 1]``'s waiter (and round)."""

    edges: tuple[WaitEdge, ...]
    found_at: float  # time.monotonic() when it was reported

    @property
    def is_self(self) -> bool:
        """True for one thread waiting for a lock it holds itself."""
        return len(self.edges) == 1

    @property
    def formed_at(self) -> float:
        """When the last arrow of the cycle appeared."""
        return max(edge.since for edge in self.edges)

    @property
    def detected_after(self) -> float:
        """Seconds from the cycle forming to its report."""
        return self.found_at - self.formed_at

    @property
    def threads(self) -> list[str]:
        return [edge.thread.name for edge in self.edges]

    @property
    def locks(self) -> list[str]:
        return [edge.lock.name for edge in self.edges]

    @property
    def victim(self) -> WaitEdge | None:
        """The wait to break: the breakable one that began last (it closed the cycle);
        ``None`` if none can be broken (every wait re-takes a lock inside Condition.wait)."""
        breakable = [edge for edge in self.edges if edge.waiter.breakable]
        return max(breakable, key=lambda edge: edge.waiter.since) if breakable else None

    def key(self) -> frozenset:
        """Identifies this very cycle: the same waits on the same holds."""
        return frozenset((id(edge.waiter), id(edge.lock), edge.hold) for edge in self.edges)

    def explain_lines(self) -> list[str]:
        """The finding in plain words, as a headline, one line per thread, and a moral."""
        if self.is_self:
            (e,) = self.edges
            return [
                f"Deadlock: thread {e.thread.name!r} is waiting for {e.lock.kind} {e.lock.name!r}, "
                "which it holds itself.",
                f"It took the lock at {format_site(e.taken_at)} and waits for it again at {format_site(e.waiter.site)}.",
                "A plain Lock does not know its owner, so this wait never ends. "
                "An RLock would let the owner take it again.",
            ]
        lines = [f"Deadlock: {len(self.edges)} threads wait for each other in a circle."]
        for i, e in enumerate(self.edges):
            held = self.edges[i - 1]  # this thread holds the lock that the previous one waits for
            lines.append(
                f"{e.thread.name!r} holds {held.lock.name!r} (taken at {format_site(held.taken_at)}) and waits "
                f"for {e.lock.name!r} (at {format_site(e.waiter.site)})."
            )
        lines.append("None of them can go on. If every thread took the locks in one global "
                     "order, such a circle could not form.")
        return lines

    def explain(self) -> str:
        """:meth:`explain_lines` as one paragraph."""
        return " ".join(self.explain_lines())

    def break_wait(self) -> list[str]:
        """Break the victim's wait (its acquire raises WaitBroken); return the thread's name.

        Breaking an old finding again is harmless: it names one wait, which has ended."""
        victim = self.victim
        return victim.lock.break_wait(victim.waiter) if victim is not None else []


def wait_edges(locks: Iterable[Lock]) -> list[WaitEdge]:
    """Every untimed wait for a held lock, as seen now."""
    edges = []
    for lock in locks:
        waiters = [w for w in lock.waiters() if not w.timed]
        if not waiters:
            continue
        hold, holder, since, site = lock.acquisitions, lock.owner, lock.owner_since, lock.owner_site
        if holder is None:
            continue
        for waiter in waiters:  # (an RLock's owner never waits for it: it is let in at once)
            edges.append(WaitEdge(waiter, lock, holder, since, site, hold))
    return edges


def find_cycles(edges: list[WaitEdge], found_at: float | None = None) -> list[Deadlock]:
    """Every cycle in the graph of ``edges`` (each reported once, starting anywhere)."""
    found_at = time.monotonic() if found_at is None else found_at
    out_of = {edge.thread: edge for edge in edges}  # one wait per thread at a time
    cycles, done = [], set()
    for start in out_of:
        path, on_path, lane = [], {}, start
        while lane in out_of and lane not in done and lane not in on_path:
            on_path[lane] = len(path)
            path.append(out_of[lane])
            lane = out_of[lane].holder
        if lane in on_path:  # came back round: the part of the path from there is a cycle
            cycles.append(Deadlock(tuple(path[on_path[lane]:]), found_at))
        done.update(on_path)
    return cycles


def find_deadlocks(locks: Iterable[Lock]) -> list[Deadlock]:
    """The cycles among ``locks`` now (one look; :class:`DeadlockWatch` confirms with two)."""
    return find_cycles(wait_edges(locks))


class DeadlockWatch:
    """A thread that looks for deadlocks among ``locks()`` every :data:`POLL_S` seconds.

    Each deadlock is reported once to ``on_found``, after two looks in a row agree; with
    ``auto_break`` its victim's wait is broken at once (a headless run never hangs).
    Owner: whoever calls :meth:`start` calls :meth:`stop`.
    """

    def __init__(self, locks: Callable[[], list[Lock]], on_found: Callable[[Deadlock], None],
                 auto_break: bool = False, poll: float = POLL_S, name: str = "deadlock-watch") -> None:
        self.locks = locks
        self.on_found = on_found
        self.auto_break = auto_break
        self.poll = poll
        self._candidates: dict[frozenset, Deadlock] = {}
        self._reported: set[frozenset] = set()
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

    def scan(self) -> list[Deadlock]:
        """Look once; report (and return) the deadlocks seen on this look and the one before."""
        seen = {d.key(): d for d in find_deadlocks(self.locks())}
        confirmed = {k: d for k, d in seen.items() if k in self._candidates and k not in self._reported}
        self._candidates = seen  # keeps the Waiter objects alive, so their ids stay unique
        for key, deadlock in confirmed.items():
            self._reported.add(key)
            self.on_found(deadlock)
            if self.auto_break:
                deadlock.break_wait()
        return list(confirmed.values())

    def _watch(self) -> None:
        while not self._stop.wait(self.poll):
            self.scan()
