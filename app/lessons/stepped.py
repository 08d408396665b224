"""A lesson's program run once by a schedule: which thread runs each step is given (a
schedule file) or drawn from a seed, and the lesson's check judges the run as usual.

(:func:`controlled_runner`: the same, with the steps given one by one by the window.)

After the schedule's last step the real scheduler runs whatever is left; a deadlock the
schedule led to is found by the run's watch, explained, and broken (as in any headless
run: once the threads still able to run have run into it too), and the program goes on
to its end.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..core.schedule import Schedule
from ..core.stepcontrol import StepControl
from ..core.stepper import Step, StepError, Stepper
from .base import STOP_JOIN_S, Lesson, LessonRun, Observation

#: Steps a random schedule may take before the program is called too long to step.
MAX_STEPS = 200_000


@dataclass
class SteppedRun:
    """How one stepped run went, besides what the lesson's check measured."""

    schedule: Schedule
    deadlocked: list[str] = field(default_factory=list)  # the threads of the circle it ended in
    ran_free: bool = False  # threads were left when the schedule ended: the real scheduler ran them

    def describe(self) -> str:
        how = f"seed {self.schedule.seed}" if self.schedule.seed is not None else "a schedule"
        words = f"stepped by {how}: {len(self.schedule.steps)} steps"
        if self.deadlocked:
            words += f"; they ended in a deadlock ({', '.join(self.deadlocked)})"
        if self.ran_free:
            words += "; then the real scheduler ran the rest"
        return words


def stepped_runner(plan: Schedule | int, made: list[SteppedRun], program: str = "") -> Any:
    """A runner for :class:`~app.lessons.base.LessonRun` that steps the program by ``plan``
    (a schedule, or a seed to draw one from); each run's :class:`SteppedRun` is appended to
    ``made``. A step that cannot be taken raises ``StepError`` naming the step."""

    def run(lesson: Lesson, source: str, params: dict[str, Any], how: LessonRun) -> Observation:
        stepper = Stepper(source, lesson.program_name, recorder=how.recorder, auto_break=how.auto_break,
                          on_finding=how.on_finding)
        how.stopper.attach(stepper.run)
        seed = plan if isinstance(plan, int) else None
        outcome = SteppedRun(Schedule(program=program or lesson.id, seed=seed))
        stepper.start()
        try:
            _take_steps(stepper, plan)
            outcome.schedule.steps = list(stepper.schedule)
            outcome.deadlocked = stepper.circle() or _found_circle(stepper)
            outcome.ran_free = not stepper.over
            if not stepper.finish_free(lesson.timeout):
                stepper.run.request_stop(f"timed out after {lesson.timeout:g} s")
            stepper.run.join(STOP_JOIN_S)
        finally:
            outcome.schedule.steps = list(stepper.schedule)
            stepper.close(STOP_JOIN_S)
        seen = Observation(params, stepper.run)
        outcome.schedule.printed = seen.output
        made.append(outcome)
        return seen

    return run


def _take_steps(stepper: Stepper, plan: Schedule | int) -> None:
    if isinstance(plan, int):
        try:
            stepper.run_random(plan, max_steps=MAX_STEPS)
        except StepError as exc:
            raise StepError(f"{exc}: too long to step; make the program smaller (its constants)") from None
        return
    stepper.run_schedule(plan.steps)


def _found_circle(stepper: Stepper) -> list[str]:
    """The threads of the first deadlock the run's watch found (and may have broken already)."""
    findings = stepper.run.findings
    return [edge.thread.name for edge in findings[0].edges] if findings else []


def controlled_runner(control: StepControl) -> Any:
    """A runner for :class:`~app.lessons.base.LessonRun` whose steps the window gives, through
    ``control`` (Step through): one run, which starts again from the beginning when Undo,
    Load or Replay asks for it, and which the lesson's check judges once it has ended."""

    def run(lesson: Lesson, source: str, params: dict[str, Any], how: LessonRun) -> Observation:
        steps: list[Step] = []
        while True:
            stepper = Stepper(source, lesson.program_name, recorder=how.recorder, auto_break=how.auto_break,
                              on_finding=how.on_finding)
            how.stopper.attach(stepper.run)
            if how.on_start is not None:
                how.on_start(stepper.run)
            again = None
            try:
                stepper.start()
                control.begin(stepper, steps)
                again = control.drive(stepper)
            finally:
                if not stepper.over or control.stopped.is_set():
                    stepper.close(STOP_JOIN_S)
                stepper.run.join(STOP_JOIN_S)
            if again is None:
                break
            steps = again
        control.publish(stepper)
        return Observation(params, stepper.run)

    return run
