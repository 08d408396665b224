"""Run a small program under every distinct interleaving of its threads, line by line,
and say which outcomes there are, how many schedules reach each, and one schedule for each.

The search is the one CHESS made known (iterative context bounding): a *preemption* is a
switch away from a thread that could have gone on; schedules are tried with 0
preemptions first, then 1, and so on up to a bound, because most concurrency bugs need
only one or two. Each schedule is a fresh run of the program under a
:class:`~app.core.stepper.Stepper`: the schedule so far is replayed, then the threads are
stepped without preempting (the thread that ran last goes on while it can, else the first
ready one) to the end. Every point where another ready thread could have run instead is
a new schedule to try, if it stays within the bound. Each schedule is run once.

The program's ``time.sleep`` returns at once here: only one thread runs at a time, so a
sleep lets nothing else happen, and what it would cost is time (timed waits still wait).
A time limit and a bound on the steps of one schedule keep it from running on; the
result says how many schedules ran and whether every one within the bound was tried.
No Qt here.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Callable

from .stepper import Step, StepError, Stepper

#: Defaults: preemptions per schedule, seconds in all, steps in one schedule.
PREEMPTIONS, TIME_LIMIT_S, MAX_STEPS = 2, 60.0, 5_000


@dataclass
class Outcome:
    """One distinct end of the program: what it printed, or the deadlock it ran into."""

    printed: str
    deadlock: list[str] = field(default_factory=list)  # the threads of the circle, if it deadlocked
    stuck: list[str] = field(default_factory=list)  # threads waiting with no way on (no circle)
    failed: str = ""  # a step that could not be taken (it ran past the stepper's time limit)
    schedules: int = 0
    schedule: list[Step] = field(default_factory=list)  # the first schedule that reached it

    def key(self) -> tuple[Any, ...]:
        return self.printed, tuple(self.deadlock), tuple(self.stuck), self.failed

    def describe(self) -> str:
        if self.failed:
            return f"could not be stepped: {self.failed}"
        if len(self.deadlock) == 1:
            return f"deadlock: {self.deadlock[0]} waits for a lock it holds itself"
        if self.deadlock:
            return "deadlock: " + " -> ".join(self.deadlock + self.deadlock[:1])
        if self.stuck:
            return "stuck: " + "; ".join(self.stuck)
        return "printed " + (repr(self.printed) if self.printed else "nothing")


@dataclass
class Exploration:
    """What :func:`explore` found."""

    outcomes: list[Outcome] = field(default_factory=list)  # in the order they were first reached
    schedules: int = 0
    finished: bool = False  # True if every schedule within the bound was run
    stopped_because: str = ""  # why it did not finish
    preemptions: int = PREEMPTIONS
    seconds: float = 0.0


def explore(source: str, filename: str = "program.py", *, preemptions: int = PREEMPTIONS,
            time_limit: float = TIME_LIMIT_S, max_steps: int = MAX_STEPS,
            on_schedule: Callable[[Exploration], None] | None = None,
            should_stop: Callable[[], bool] | None = None) -> Exploration:
    """Run ``source`` under every schedule with at most ``preemptions`` preemptions (see
    the module's docstring), within ``time_limit`` seconds; ``on_schedule`` is called after
    each schedule, ``should_stop`` before each (True: stop there). ``StepError`` if the
    program cannot even be started."""
    found = Exploration(preemptions=preemptions)
    by_key: dict[tuple[Any, ...], Outcome] = {}
    to_try: list[deque[list[Step]]] = [deque() for _ in range(preemptions + 1)]
    to_try[0].append([])
    began = time.monotonic()
    while True:
        bucket = next((b for b in to_try if b), None)
        if bucket is None:
            found.finished = True
            break
        if should_stop is not None and should_stop():
            found.stopped_because = "it was stopped"
            break
        if found.schedules and time.monotonic() - began > time_limit:  # (one at least)
            found.stopped_because = f"the time limit ({time_limit:g} s) was reached"
            break
        prefix = bucket.popleft()
        trail, outcome = _one_schedule(source, filename, prefix, max_steps)
        found.schedules += 1
        if outcome is None:
            found.stopped_because = (f"a schedule ran past {max_steps} steps: explore is for small programs "
                                     "(make its loops shorter)")
            break
        same = by_key.setdefault(outcome.key(), outcome)
        if same is outcome:
            outcome.schedule = [step for _, step in trail]
            found.outcomes.append(outcome)
        same.schedules += 1
        _branch(trail, len(prefix), to_try)
        if on_schedule is not None:
            on_schedule(found)
    found.seconds = time.monotonic() - began
    return found


def _one_schedule(source: str, filename: str, prefix: list[Step],
                  max_steps: int) -> tuple[list[tuple[list[str], Step]], Outcome | None]:
    """Run ``prefix``, then the threads without preempting, to the end: each step with the
    threads that were ready before it, and the outcome (None if it ran past ``max_steps``)."""
    stepper = Stepper(source, filename)
    stepper.run.instrument.skip_sleeps = True
    stepper.start()
    trail: list[tuple[list[str], Step]] = []
    try:
        return _take(stepper, prefix, max_steps, trail)
    except StepError as exc:  # (this schedule only: the others are still worth running)
        return trail, Outcome(stepper.run.output.text(), failed=str(exc))
    finally:
        stepper.close()


def _take(stepper: Stepper, prefix: list[Step], max_steps: int,
          trail: list[tuple[list[str], Step]]) -> tuple[list[tuple[list[str], Step]], Outcome | None]:
    """Take ``prefix``'s steps, then go on without preempting; each step is added to
    ``trail`` (with the threads ready before it) as it is taken."""
    for step in prefix:
        trail.append((stepper.ready(), step))
        stepper.step(step.thread)
    while len(trail) < max_steps:
        ready = stepper.ready()
        if not ready:
            return trail, _outcome(stepper)
        last = trail[-1][1].thread if trail else None
        step = Step(last if last in ready else ready[0])
        trail.append((ready, step))
        stepper.step(step.thread)
    return trail, None


def _outcome(stepper: Stepper) -> Outcome:
    circle = stepper.circle()
    if circle:
        return Outcome(stepper.run.output.text(), deadlock=circle)
    if not stepper.over:
        waiting = [f"{view.name} {view.reason}" for view in stepper.threads() if view.reason]
        return Outcome(stepper.run.output.text(), stuck=waiting or ["every thread waits"])
    return Outcome(stepper.output())


def _branch(trail: list[tuple[list[str], Step]], start: int, to_try: list[deque[list[Step]]]) -> None:
    """Queue each schedule that leaves ``trail`` at one step from ``start`` on, by its preemptions."""
    spent = 0  # preemptions in trail[:i]
    for i, (ready, step) in enumerate(trail):
        previous = trail[i - 1][1].thread if i else None
        if i >= start:
            for other in ready:
                if other == step.thread:
                    continue
                cost = spent + (previous in ready and other != previous)
                if cost < len(to_try):
                    to_try[cost].append([s for _, s in trail[:i]] + [Step(other)])
        spent += previous in ready and step.thread != previous


def check_preemptions(value: int) -> int:
    """``ValueError`` unless 0 <= ``value`` <= 10."""
    if not 0 <= value <= 10:
        raise ValueError(f"--preemptions must be 0 to 10, got {value}")
    return value
