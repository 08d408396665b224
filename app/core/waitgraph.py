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

import dataclasses
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterable

from .owned import OwnedThread
from .primitives import Lock, Site, Waiter, format_site
from .recorder import Lane

#: How often the watch looks; a cycle is reported two looks after it formed at most.
POLL_S = 0.05


@dataclass(frozen=True)
class WaitEdge:
    """One arrow of the graph: ``waiter`` waits for ``lock`` (a lock it wants, or a
    thread it joins), which ``holder`` holds (or is)."""

    waiter: Waiter
    lock: Any  # a Lock, or the Thread being joined
    holder: Lane
    held_since: float
    taken_at: Site | None  # where the holder took the lock (formatted only when explained)
    hold: int  # which acquisition of the lock this hold is (0 for a join)

    @property
    def thread(self) -> Lane:
        return self.waiter.lane

    @property
    def is_join(self) -> bool:
        """True if the waiter waits in ``join()`` for the holder to end."""
        return isinstance(self.lock, threading.Thread)

    @property
    def since(self) -> float:
        """When this arrow appeared: the later of the wait and the hold."""
        return max(self.waiter.since, self.held_since)

    def wanted(self) -> str:
        """What the waiter waits for, in words: ``Lock 'data lock'`` or ``thread 'T' to end``."""
        if self.is_join:
            return f"thread {self.holder.name!r} to end"
        return f"{self.lock.kind} {self.lock.name!r}"


@dataclass(frozen=True)
class Deadlock:
    """A cycle of waits: ``edges[i]``'s holder is ``edges[i + 1]``'s waiter (and round).

    Also used for waits that can never end without a cycle: a lock whose holder has
    ended without letting go (``abandoned``), where every edge waits for that one lock.
    """

    edges: tuple[WaitEdge, ...]
    found_at: float  # time.monotonic() when it was reported
    abandoned: bool = False
    #: False when some thread of the program could still run and let go of a plain Lock
    #: in the circle (any thread may release one): it looks stuck, but may yet resolve.
    certain: bool = True

    @property
    def sure_by_itself(self) -> bool:
        """True if nothing outside the circle could end it: only RLocks (which only their
        owner may release) and joins, and no abandoned plain Lock."""
        return all(edge.is_join or getattr(edge.lock, "reentrant", False) for edge in self.edges)

    @property
    def is_self(self) -> bool:
        """True for one thread waiting for a lock it holds itself."""
        return len(self.edges) == 1 and not self.abandoned

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
        """The names of the locks in the circle (the joined threads are not locks)."""
        return [edge.lock.name for edge in self.edges if not edge.is_join]

    @property
    def victim(self) -> WaitEdge | None:
        """The wait to break: the breakable one that began last (it closed the cycle);
        ``None`` if none can be broken (joins, and the re-take inside Condition.wait)."""
        breakable = [edge for edge in self.edges if edge.waiter.breakable and not edge.is_join]
        return max(breakable, key=lambda edge: edge.waiter.since) if breakable else None

    def key(self) -> frozenset:
        """Identifies this very cycle: the same waits on the same holds."""
        return frozenset((id(edge.waiter), id(edge.lock), edge.hold) for edge in self.edges)

    def explain_lines(self) -> list[str]:
        """The finding in plain words, as a headline, one line per thread, and a moral."""
        lines = self._lines()
        if not self.certain:
            lines[0] = "Perhaps a " + lines[0][0].lower() + lines[0][1:]
        return lines + self.maybe_lines()

    def _lines(self) -> list[str]:
        if self.abandoned:
            e = self.edges[0]
            names = " and ".join(repr(name) for name in self.threads)
            return [
                f"Stuck: {names} wait{'s' if len(self.edges) == 1 else ''} for {e.wanted()}, which "
                f"{e.holder.name!r} still holds although it has ended.",
                f"{e.holder.name!r} took it at {format_site(e.taken_at)} and never let go.",
                "Nobody can release it now, so these waits never end. A `with lock:` block lets go "
                "even when the code inside it fails.",
            ]
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
        for e in self.edges:
            if e.is_join:
                lines.append(f"{e.thread.name!r} waits for {e.wanted()} (join at {format_site(e.waiter.site)}).")
            else:
                lines.append(f"{e.thread.name!r} waits for {e.wanted()} (at {format_site(e.waiter.site)}), "
                             f"which {e.holder.name!r} holds (taken at {format_site(e.taken_at)}).")
        if any(e.is_join for e in self.edges):
            lines.append("None of them can go on. A thread that waits for another to end must not "
                         "hold a lock that the other one needs.")
        else:
            lines.append("None of them can go on. If every thread took the locks in one global "
                         "order, such a circle could not form.")
        return lines

    def explain(self) -> str:
        """:meth:`explain_lines` as one paragraph."""
        return " ".join(self.explain_lines())

    def maybe_lines(self) -> list[str]:
        """What to add when the finding is not certain."""
        if self.certain:
            return []
        return [f"It has lasted {time.monotonic() - self.formed_at:.1f} s, but another thread of the program "
                "is still running and may yet release the lock (any thread may release a plain Lock), "
                "so nothing is broken unless you ask."]

    def break_wait(self) -> list[str]:
        """Break the victim's wait (its acquire raises WaitBroken); return the thread's name.
        A lock whose holder has ended: break every wait for it.

        Breaking an old finding again is harmless: it names waits that have ended."""
        if self.abandoned:
            return [name for e in self.edges for name in e.lock.break_wait(e.waiter, hold=e.hold)]
        victim = self.victim
        return victim.lock.break_wait(victim.waiter, hold=victim.hold) if victim is not None else []


def wait_edges(locks: Iterable[Lock], threads: Iterable[threading.Thread] = ()) -> list[WaitEdge]:
    """Every untimed wait for a held lock, and every untimed join, as seen now."""
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
    for thread in threads:
        lane = getattr(thread, "lane", None)
        if lane is None or not thread.is_alive():
            continue
        for waiter in thread.joiners():
            if not waiter.timed:
                edges.append(WaitEdge(waiter, thread, lane, 0.0, None, 0))
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


def find_abandoned(edges: list[WaitEdge], found_at: float | None = None) -> list[Deadlock]:
    """Waits for locks whose holder has ended (one finding per lock)."""
    found_at = time.monotonic() if found_at is None else found_at
    by_lock: dict[int, list[WaitEdge]] = {}
    for edge in edges:
        if not edge.is_join and not edge.holder.alive and edge.holder is not edge.thread:
            by_lock.setdefault(id(edge.lock), []).append(edge)
    return [Deadlock(tuple(group), found_at, abandoned=True) for group in by_lock.values()]


def find_deadlocks(locks: Iterable[Lock], threads: Iterable[threading.Thread] = ()) -> list[Deadlock]:
    """The cycles (and abandoned locks) now (one look; :class:`DeadlockWatch` confirms with two)."""
    edges = wait_edges(locks, threads)
    return find_cycles(edges) + find_abandoned(edges)


#: A circle through a plain Lock, seen while some thread of the program can still run, is
#: reported (as not certain, and never broken by itself) once it has lasted this long.
SUSPECT_AFTER_S = 2.0


class DeadlockWatch(OwnedThread):
    """A thread that looks for deadlocks among ``locks()`` every :data:`POLL_S` seconds.

    Each deadlock is reported once to ``on_found``, after two looks in a row agree; with
    ``auto_break`` its victim's wait is broken at once (a headless run never hangs).
    Owner: whoever calls :meth:`start` calls :meth:`stop`.
    """

    def __init__(self, locks: Callable[[], list[Lock]], on_found: Callable[[Deadlock], None],
                 auto_break: bool = False, poll: float = POLL_S, name: str = "deadlock-watch",
                 threads: Callable[[], list[threading.Thread]] = list,
                 stalled: Callable[[], bool] | None = None, suspect_after: float = SUSPECT_AFTER_S) -> None:
        super().__init__(name, period=poll)
        self.locks = locks
        self.threads = threads
        self.stalled = stalled  # None: every circle counts as certain (nothing else can run)
        self.suspect_after = suspect_after
        self.on_found = on_found
        self.auto_break = auto_break
        self._candidates: dict[frozenset, Deadlock] = {}
        self._first_seen: dict[frozenset, float] = {}
        self._reported: set[frozenset] = set()

    def scan(self) -> list[Deadlock]:
        """Look once; report (and return) the deadlocks seen on this look and the one before.

        A circle that something outside it could still end (a plain Lock, while another
        thread of the program runs) waits: it is reported when nothing else can run, or,
        as not certain, once it has lasted :attr:`suspect_after` seconds."""
        now = time.monotonic()
        seen = {d.key(): d for d in find_deadlocks(self.locks(), self.threads())}
        self._first_seen = {k: self._first_seen.get(k, now) for k in seen}
        stalled = None
        reported = []
        for key, deadlock in seen.items():
            if key not in self._candidates or key in self._reported:
                continue
            if not deadlock.sure_by_itself and self.stalled is not None:
                if stalled is None:
                    stalled = self.stalled()
                if not stalled:
                    if now - self._first_seen[key] < self.suspect_after:
                        continue
                    deadlock = dataclasses.replace(deadlock, certain=False)
            self._reported.add(key)
            reported.append(deadlock)
            self.on_found(deadlock)
            if self.auto_break and deadlock.certain:
                deadlock.break_wait()
        self._candidates = seen  # keeps the Waiter objects alive, so their ids stay unique
        return reported

    def step(self) -> None:
        self.scan()
