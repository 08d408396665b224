"""Schedule files: which thread ran at each step of a stepped run, saved as a small JSON file
that replays to the same outcome.

The file (documented in the README)::

    {"format": "threadlab-schedule", "version": 1,
     "program": "elementwise-race",          # what it was made for (for the reader)
     "seed": 7,                              # when it was drawn at random (else absent)
     "steps": ["MainThread", "MainThread", "A", {"thread": "A", "unit": "instruction"}, "B"],
     "printed": "2.0\\n"}                     # what the program printed under it (else absent)

A step is a thread's name (it runs one line) or an object with ``"unit": "instruction"``
(it runs one bytecode instruction). ``--schedule`` takes such a file, or ``random:SEED``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .stepper import INSTRUCTION, LINE, Step

FORMAT, VERSION = "threadlab-schedule", 1
RANDOM_PREFIX = "random:"


@dataclass
class Schedule:
    """The steps of a stepped run, with what they are for."""

    steps: list[Step] = field(default_factory=list)
    program: str = ""
    seed: int | None = None
    printed: str | None = None

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"format": FORMAT, "version": VERSION, "program": self.program}
        if self.seed is not None:
            data["seed"] = self.seed
        data["steps"] = [step.thread if step.unit == LINE else {"thread": step.thread, "unit": step.unit}
                         for step in self.steps]
        if self.printed is not None:
            data["printed"] = self.printed
        return data


def save_schedule(schedule: Schedule, path: Path) -> None:
    """Write ``schedule`` to ``path`` (``OSError`` if it cannot be written)."""
    path.write_text(json.dumps(schedule.as_json(), indent=1) + "\n", encoding="utf-8")


def load_schedule(path: Path) -> Schedule:
    """Read a schedule file; ``ValueError`` with one line that says what is wrong with it."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"schedule {path}: {exc}") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"schedule {path}: not JSON (line {exc.lineno}: {exc.msg})") from None
    return schedule_from_json(data, str(path))


def schedule_from_json(data: Any, where: str = "schedule") -> Schedule:
    """A :class:`Schedule` from its JSON form; ``ValueError`` naming the first fault."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError(f"{where}: not a threadlab schedule (it needs \"format\": \"{FORMAT}\")")
    if data.get("version") != VERSION:
        raise ValueError(f"{where}: version {data.get('version')!r} is not one this threadlab reads ({VERSION})")
    steps = data.get("steps")
    if not isinstance(steps, list):
        raise ValueError(f"{where}: \"steps\" must be a list")
    seed = data.get("seed")
    if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool)):
        raise ValueError(f"{where}: \"seed\" must be a whole number")
    printed = data.get("printed")
    return Schedule([_step(each, i, where) for i, each in enumerate(steps, 1)], str(data.get("program", "")),
                    seed, printed if isinstance(printed, str) else None)


def _step(each: Any, number: int, where: str) -> Step:
    if isinstance(each, str) and each:
        return Step(each)
    if isinstance(each, dict) and isinstance(each.get("thread"), str) and each["thread"]:
        unit = each.get("unit", LINE)
        if unit in (LINE, INSTRUCTION):
            return Step(each["thread"], unit)
        raise ValueError(f"{where}: step {number}: \"unit\" must be \"{LINE}\" or \"{INSTRUCTION}\", got {unit!r}")
    raise ValueError(f"{where}: step {number} must be a thread's name or "
                     f"{{\"thread\": NAME, \"unit\": \"{INSTRUCTION}\"}}, got {each!r}")


def parse_schedule_option(text: str) -> Schedule | int:
    """``--schedule``'s value: a seed (``random:SEED``) or a loaded schedule file."""
    if text.startswith(RANDOM_PREFIX):
        seed = text[len(RANDOM_PREFIX):]
        try:
            return int(seed)
        except ValueError:
            raise ValueError(f"--schedule random:SEED takes a whole number, got {seed!r}") from None
    return load_schedule(Path(text))


def compact_schedule(steps: list[Step]) -> str:
    """``MainThread x12, pay A->B x4, A (one instruction)``: a schedule, repeats counted."""
    parts: list[list[Any]] = []
    for step in steps:
        if parts and parts[-1][0] == step:
            parts[-1][1] += 1
        else:
            parts.append([step, 1])
    return ", ".join(f"{step} x{count}" if count > 1 else str(step) for step, count in parts) or "(no steps)"
