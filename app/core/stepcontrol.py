"""The window's hold on a stepped run of a lesson's program: commands in, a picture out.

The GUI thread never waits for a step: :class:`StepControl`'s commands (step a thread,
run to the end, run a random schedule, pause, undo, replay a schedule, stop) go into a
queue and return at once. The lesson's own thread (the one
:class:`~app.lessons.session.LessonSession` runs the lesson on) makes the
:class:`~app.core.stepper.Stepper` (``app.lessons.stepped.controlled_runner``) and calls
:meth:`StepControl.drive`, which takes the commands one by one and after each one
publishes a :class:`StepPicture` that the window reads at display rate. Undo runs the program again from the start and
replays the schedule but its last step. When the program has ended, the runner returns
the run, and the lesson's check judges it like any other run. No Qt here.
"""

from __future__ import annotations

import dataclasses
import queue
import random
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from .stepper import LINE, Step, StepError, Stepper, ThreadView
from .values import shown_values

#: How often the runner looks at the queue while the threads run by themselves
#: (Run to end) or by a random schedule (which takes steps between two looks).
LOOK_S = 0.05
#: Random steps taken between two looks at the queue (Pause and Stop are heard between).
RANDOM_BATCH = 50
#: How often, while the learner thinks, the runner looks whether something changed by
#: itself (a wait broken from the Deadlock banner lets a thread go on).
IDLE_LOOK_S = 0.25
STEP, FREE, PAUSE, RANDOM, UNDO, REPLAY, STOP = "step", "free", "pause", "random", "undo", "replay", "stop"


@dataclass(frozen=True)
class StepPicture:
    """What the window shows between steps (made on the lesson's thread, read on the GUI's)."""

    serial: int  # a new number for each new picture
    threads: list[ThreadView] = field(default_factory=list)
    schedule: list[Step] = field(default_factory=list)
    circle: list[str] = field(default_factory=list)  # threads waiting for each other, if any
    stuck: bool = False  # alive threads, and none can go on
    over: bool = False
    mode: str = PAUSE  # PAUSE (the learner steps), FREE or RANDOM (running by itself)
    seed: int | None = None
    exact: bool = True  # False once the real scheduler ran the threads (the schedule is not all)
    bytecode: dict[str, list[tuple[int, str, bool]]] = field(default_factory=dict)
    shared: list[tuple[str, str]] = field(default_factory=list)  # the program's globals
    locals: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # by thread
    refused: str = ""  # why the last command could not be done, if it could not
    goal: str = ""  # the lesson's challenge, if it has one
    reached: bool = False  # the challenge was reached (in this run, or one undone since)
    winning: list[Step] | None = None  # the schedule that reached it (None: not all chosen)

    @property
    def ready(self) -> list[str]:
        return [view.name for view in self.threads if view.state == "ready"]


class StepControl:
    """Commands from the GUI thread to a stepped run; pictures back (see the module)."""

    def __init__(self, challenge: Any = None) -> None:
        """``challenge``: a goal with ``goal`` (words) and ``reached(picture, globals)``
        (see :class:`~app.lessons.base.Challenge`), checked after each step."""
        self.challenge = challenge
        self._reached = False
        self._winning: list[Step] | None = None
        self._commands: queue.Queue[tuple[Any, ...]] = queue.Queue()
        self._picture = StepPicture(0)
        self._serial = 0
        self._mode = PAUSE
        self._draw: random.Random | None = None
        self._seed: int | None = None
        self._refused = ""
        self._published_at = 0.0
        self.stopped = threading.Event()

    # -- the GUI thread's side: each returns at once ------------------------------------------
    def step(self, name: str, unit: str = LINE) -> None:
        self._commands.put((STEP, name, unit))

    def run_free(self) -> None:
        """Run to end: the real scheduler takes over (Pause takes the threads back)."""
        self._commands.put((FREE,))

    def run_random(self, seed: int) -> None:
        """Step threads drawn at random (from ``seed``) until none is ready, or Pause."""
        self._commands.put((RANDOM, seed))

    def pause(self) -> None:
        self._commands.put((PAUSE,))

    def undo(self) -> None:
        """Go back one step: run the program again and replay all steps but the last."""
        self._commands.put((UNDO,))

    def replay(self, steps: list[Step]) -> None:
        """Run the program again from its start, by ``steps``."""
        self._commands.put((REPLAY, list(steps)))

    def stop(self) -> None:
        """End the stepped run: every thread is let go and stopped."""
        self.stopped.set()
        self._commands.put((STOP,))

    def picture(self) -> StepPicture:
        return self._picture

    # -- the lesson's thread's side (see app.lessons.stepped.controlled_runner) -------------
    def begin(self, stepper: Stepper, steps: list[Step]) -> None:
        """A new run of the program has started: replay ``steps`` (Undo, Load, Replay) and
        show where that leaves the threads."""
        try:
            stepper.run_schedule(steps)
        except StepError as exc:
            self._refused = f"the replay stopped at {exc}"
        self._mode = PAUSE
        self.publish(stepper)

    def drive(self, stepper: Stepper) -> list[Step] | None:
        """Take commands until the program is over or stopped (None), or until it must run
        again from its start (the steps to replay then)."""
        while not stepper.over:
            try:
                if self._mode == RANDOM:  # (steps go on at once; a command is taken between batches)
                    command = self._commands.get_nowait()
                else:
                    command = self._commands.get(timeout=LOOK_S if self._mode == FREE else IDLE_LOOK_S)
            except queue.Empty:
                command = None
            if self.stopped.is_set():
                return None
            if command is None and self._mode == PAUSE:
                if self._looks_the_same(stepper):
                    continue
            if command is not None and command[0] in (UNDO, REPLAY):
                self._seed = self._draw = None  # (the schedule is no longer the seed's alone)
                if command[0] == UNDO:
                    if not stepper.exact:
                        self._refused = "Undo replays the steps taken, and Run to end took steps no one chose"
                        self.publish(stepper)
                        continue
                    return list(stepper.schedule[:-1])
                return command[1]
            self._refused = ""
            try:
                if command is not None:
                    self._obey(stepper, command)
                self._go_on(stepper)
            except StepError as exc:
                self._refused = str(exc)
            if command is not None or self._mode != RANDOM or time.monotonic() - self._published_at >= LOOK_S:
                self.publish(stepper)  # (a random run is shown 20 times a second, not at every batch)
        return None

    def _obey(self, stepper: Stepper, command: tuple[Any, ...]) -> None:
        kind = command[0]
        if kind == STEP:
            if self._mode != PAUSE:
                self._pause(stepper)
            self._seed = self._draw = None  # (the schedule is no longer the seed's alone)
            stepper.step(command[1], command[2])
        elif kind == FREE:
            self._mode = FREE
            stepper.run_free()
        elif kind == RANDOM:
            self._pause(stepper)
            self._mode, self._seed, self._draw = RANDOM, command[1], random.Random(command[1])
        elif kind == PAUSE:
            self._pause(stepper)

    def _pause(self, stepper: Stepper) -> None:
        if self._mode == FREE:
            stepper.pause()
        self._mode = PAUSE

    def _go_on(self, stepper: Stepper) -> None:
        """Between commands: a random schedule takes its next steps; a free run is waited for."""
        if self._mode == RANDOM and self._draw is not None:
            for _ in range(RANDOM_BATCH):
                ready = stepper.ready()
                if not ready:
                    self._mode = PAUSE
                    return
                stepper.step(self._draw.choice(ready))
        elif self._mode == FREE:
            stepper.run.join(LOOK_S)

    def _looks_the_same(self, stepper: Stepper) -> bool:
        """True if no thread became ready or ended since the last picture."""
        return stepper.ready() == self._picture.ready and stepper.over == self._picture.over

    def publish(self, stepper: Stepper) -> None:
        """Make the picture of now, whole, then show it (one store: a reader sees the old
        picture or the new one, never half of one)."""
        self._published_at = time.monotonic()
        views = stepper.threads()
        locals_ = {}
        for view in views:
            names = stepper.locals_of(view.name)
            if names:
                locals_[view.name] = shown_values(names)
        over = stepper.over
        picture = StepPicture(
            serial=self._serial + 1, threads=views, schedule=list(stepper.schedule), circle=stepper.circle(),
            stuck=self._mode == PAUSE and not over and not any(v.state == "ready" for v in views), over=over,
            mode=self._mode, seed=self._seed, exact=stepper.exact,
            bytecode={view.name: stepper.bytecode(view.name) for view in views if view.state == "ready"},
            shared=shown_values(stepper.run.namespace), locals=locals_, refused=self._refused,
            goal=self.challenge.goal if self.challenge is not None else "")
        if self.challenge is not None and not self._reached:
            picture = self._check_challenge(stepper, picture)
        if self._reached:
            picture = dataclasses.replace(picture, reached=True, winning=self._winning)
        self._serial += 1
        self._picture = picture

    def _check_challenge(self, stepper: Stepper, picture: StepPicture) -> StepPicture:
        """Is the goal reached now? (A check that fails says so, as a refusal.)"""
        try:
            reached = bool(self.challenge.reached(picture, stepper.run.namespace))
        except Exception as exc:  # noqa: BLE001 - an edited program may lack what the check reads
            return dataclasses.replace(picture, refused=f"the challenge could not be checked: {exc!r}")
        if reached:
            self._reached = True
            self._winning = list(stepper.schedule) if stepper.exact else None
        return picture
