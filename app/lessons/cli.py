"""``threadlab list``, ``threadlab code ID`` and ``threadlab run ID [--set NAME=VALUE ...]
[--repeat N] [--program FILE] [--json] [--trace FILE] [--schedule FILE|random:SEED
[--save-schedule FILE]]``.

Exit status of ``run``: 0 when the measured outcome matches the lesson's prediction,
1 when it does not (or when the runs are too few to tell: the output says which),
2 on bad arguments or a program that does not compile (one line on stderr, no traceback).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from ..cli import OneLineParser
from ..core.chrometrace import check_trace_path, save_trace, saved_note
from ..core.params import Param, check_float, check_int
from ..core.words import duration, plural
from . import LESSONS, get
from ..core.recorder import Recorder
from ..core.schedule import Schedule, compact_schedule, parse_schedule_option, save_schedule
from ..core.explore import PREEMPTIONS, Exploration, check_preemptions, explore
from ..core.stepper import StepError
from .base import REPEAT, LessonRun, long_runs_note, run_lesson
from .stepped import SteppedRun, stepped_runner

EXIT_OK, EXIT_MISMATCH, EXIT_BAD_ARGS, EXIT_INTERRUPTED = 0, 1, 2, 130
#: Bounds on ``explore --time-limit``.
TIME_LIMIT = Param("--time-limit", 60.0, 1.0, 3600.0, "s")
#: Records kept for ``--trace`` (the oldest fall out beyond this; the file says so).
TRACE_CAPACITY = 500_000


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="threadlab", description="Run threadlab's lessons without a window.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser)
    commands.add_parser("list", help="print every lesson id with its title")
    code = commands.add_parser("code", help="print a lesson's program, as the code pane shows it")
    code.add_argument("lesson", help="lesson id (see: list)")
    code.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                      help="change a constant of the program (repeatable)")
    run = commands.add_parser("run", help="run one lesson headless and check its outcome")
    run.add_argument("lesson", help="lesson id (see: list)")
    run.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                     help="change a constant of the program (repeatable)")
    run.add_argument("--program", type=Path, metavar="FILE",
                     help="run this edited version of the lesson's program instead (see: code)")
    run.add_argument("--repeat", type=int, metavar="N",
                     help=f"number of runs ({REPEAT.describe()}; default: the lesson's own)")
    run.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    run.add_argument("--verbose", action="store_true",
                     help="also print what the program printed, each run, and every deadlock found")
    run.add_argument("--schedule", metavar="FILE|random:SEED",
                     help="run once, stepping the threads line by line in this order: a schedule file "
                     "(see the README) or one drawn at random from SEED")
    run.add_argument("--save-schedule", type=Path, metavar="FILE",
                     help="with --schedule: save the steps taken to FILE (it replays to the same outcome)")
    run.add_argument("--trace", type=Path, metavar="FILE",
                     help="save what every thread did as Chrome Trace Event JSON (open it in "
                     "https://ui.perfetto.dev or chrome://tracing)")
    explore = commands.add_parser(
        "explore", help="run a lesson's program under every interleaving of its threads, line by line, and "
        "list the outcomes")
    explore.add_argument("lesson", help="lesson id (see: list)")
    explore.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                         help="change a constant of the program (repeatable; keep loops short)")
    explore.add_argument("--program", type=Path, metavar="FILE", help="explore this edited version instead")
    explore.add_argument("--preemptions", type=int, default=PREEMPTIONS, metavar="K",
                         help="at most K switches away from a thread that could have gone on (0 to 10; "
                         "default %(default)s)")
    explore.add_argument("--time-limit", type=float, default=TIME_LIMIT.default, metavar="SECONDS",
                         help=f"stop exploring after this long ({TIME_LIMIT.describe()}; default %(default)g)")
    explore.add_argument("--save-schedules", type=Path, metavar="FOLDER",
                         help="write one schedule file per outcome into FOLDER (replay one with: run ID "
                         "--schedule FILE)")
    explore.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    return parser


def parse_sets(pairs: list[str]) -> dict[str, str]:
    """``["a=1", "b=x"]`` to ``{"a": "1", "b": "x"}``; ``ValueError`` on a pair without '='."""
    values = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise ValueError(f"--set takes NAME=VALUE, got {pair!r}")
        values[name.strip()] = value.strip()
    return values


def list_lessons() -> int:
    width = max(len(lesson_id) for lesson_id in LESSONS)
    for number, lesson in enumerate(LESSONS.values(), 1):  # (in teaching order)
        print(f"{lesson.id:<{width}}  {number:>2}. {lesson.title}")
    return EXIT_OK


def code_command(args: argparse.Namespace) -> int:
    try:
        lesson = get(args.lesson)
        params = lesson.check_params(parse_sets(args.set))
    except ValueError as exc:
        print(f"threadlab code: error: {exc}", file=sys.stderr)
        return EXIT_BAD_ARGS
    sys.stdout.write(lesson.program(params))
    return EXIT_OK


def read_program(path: Path) -> str:
    """The text of an edited program; ``ValueError`` (one line) if it cannot be read or compiled."""
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"--program {path}: {exc}") from None
    try:
        compile(source, str(path), "exec", dont_inherit=True)
    except SyntaxError as exc:
        raise ValueError(f"--program {path}, line {exc.lineno}: {exc.msg}") from None
    return source


def say_how_long(note: str | None) -> None:
    """Say on stderr how long the runs will take (``note``), if they will take long."""
    if note is not None:
        print(f"threadlab run: {note} (Ctrl+C stops them)", file=sys.stderr, flush=True)


def schedule_plan(args: argparse.Namespace) -> Schedule | int | None:
    """What ``--schedule`` asks for (a schedule or a seed), checked with the options around it."""
    if args.schedule is None:
        if args.save_schedule is not None:
            raise ValueError("--save-schedule needs --schedule (a file, or random:SEED)")
        return None
    if args.repeat is not None:
        raise ValueError("--schedule runs the program once: --repeat does not go with it")
    return parse_schedule_option(args.schedule)


def report_stepped(args: argparse.Namespace, plan: Schedule | int, stepped: SteppedRun,
                   data: dict[str, Any]) -> bool:
    """Say how the stepped run went (and save its schedule); False if it could not be saved."""
    out = sys.stderr if args.json else sys.stdout
    data["schedule"] = stepped.schedule.as_json()
    print(stepped.describe(), file=out)
    if isinstance(plan, Schedule) and plan.printed is not None and plan.printed != stepped.schedule.printed:
        print("note: the program printed something else when this schedule was saved", file=out)
    if args.save_schedule is not None:
        try:
            save_schedule(stepped.schedule, args.save_schedule)
        except OSError as exc:
            print(f"threadlab run: error: could not save the schedule: {exc}", file=sys.stderr)
            return False
        print(f"schedule saved to {args.save_schedule} (replay: threadlab run {args.lesson} --schedule "
              f"{args.save_schedule})", file=out)
    return True


def run_command(args: argparse.Namespace) -> int:
    try:
        lesson = get(args.lesson)
        params = lesson.check_params(parse_sets(args.set))
        source = None
        if args.program is not None:
            if args.set:
                raise ValueError("--program runs the file as it is: change its constants there, not with --set")
            source = read_program(args.program)
            params = lesson.params_of(source)
        if args.repeat is not None:
            check_int(REPEAT, args.repeat)
        if args.trace is not None:
            check_trace_path(args.trace)
        plan = schedule_plan(args)
    except ValueError as exc:
        print(f"threadlab run: error: {exc}", file=sys.stderr)
        return EXIT_BAD_ARGS

    verbose = args.verbose and not args.json
    recorder = Recorder(TRACE_CAPACITY)  # one for every run: the checks read it, --trace saves it

    repeat = args.repeat if args.repeat is not None else lesson.repeat
    say_how_long(long_runs_note(lesson, params, repeat))
    began = time.monotonic()

    def on_run(i: int, values: dict[str, Any]) -> None:
        if not args.json:
            print(f"run {i + 1}: {json.dumps(values)}", flush=True)
        if i == 0:
            say_how_long(long_runs_note(lesson, params, repeat, first_run_s=time.monotonic() - began))

    how = LessonRun(recorder=recorder, on_run=on_run)
    if verbose:
        how.on_finding = lambda finding: print(f"found: {finding.explain()}", flush=True)
        how.on_seen = lambda seen: print(seen.output, end="" if seen.output.endswith("\n") else "\n", flush=True)
    stepped: list[SteppedRun] = []
    if plan is not None:
        how.runner = stepped_runner(plan, stepped)
    try:
        result = run_lesson(lesson, params, 1 if plan is not None else args.repeat, source, how)
    except KeyboardInterrupt:
        print("threadlab run: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except (StepError, ValueError) as exc:
        print(f"threadlab run: error: {exc}", file=sys.stderr)
        return EXIT_BAD_ARGS
    data = result.as_json()
    if stepped:
        if not report_stepped(args, plan, stepped[0], data):
            return EXIT_BAD_ARGS
    if args.trace is not None:
        try:
            save_trace(recorder, args.trace, title=f"threadlab {lesson.id}")
        except OSError as exc:
            print(f"threadlab run: error: could not save the trace: {exc}", file=sys.stderr)
            return EXIT_BAD_ARGS
        data["trace"] = str(args.trace)
        print(saved_note(recorder, args.trace), file=sys.stderr if args.json else sys.stdout)
    if args.json:
        print(json.dumps(data))
    else:
        verdict = {"matches": "matches the lesson's prediction",
                   "does not match": "does NOT match the lesson's prediction",
                   }.get(result.verdict, "cannot be told from these runs (too few, or the effect did not show)")
        print(f"{lesson.id}: {result.summary}")
        if result.errors and args.verbose:
            print("errors in the program's threads: " + "; ".join(result.errors))
        print(f"outcome {verdict}")
    return EXIT_OK if result.ok else EXIT_MISMATCH


def explore_command(args: argparse.Namespace) -> int:
    try:
        lesson = get(args.lesson)
        if args.program is not None:
            if args.set:
                raise ValueError("--program runs the file as it is: change its constants there, not with --set")
            source = read_program(args.program)
            params = lesson.params_of(source)
        else:
            params = lesson.check_params(parse_sets(args.set))
            source = lesson.program(params)
        if not lesson.steppable:
            raise ValueError(f"{lesson.id} runs its program its own way (in a child process), so it cannot be "
                             "stepped")
        check_preemptions(args.preemptions)
        check_float(TIME_LIMIT, args.time_limit)
        if args.save_schedules is not None and not args.save_schedules.is_dir():
            raise ValueError(f"--save-schedules {args.save_schedules}: no such folder")
    except ValueError as exc:
        print(f"threadlab explore: error: {exc}", file=sys.stderr)
        return EXIT_BAD_ARGS
    try:
        found = explore(source, lesson.program_name, preemptions=args.preemptions, time_limit=args.time_limit)
    except KeyboardInterrupt:
        print("threadlab explore: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except StepError as exc:
        print(f"threadlab explore: error: {exc}", file=sys.stderr)
        return EXIT_BAD_ARGS
    saved = []
    for number, outcome in enumerate(found.outcomes, 1):
        if args.save_schedules is not None:
            path = args.save_schedules / f"{lesson.id}-outcome-{number}.json"
            try:
                save_schedule(Schedule(outcome.schedule, lesson.id, printed=outcome.printed), path)
            except OSError as exc:
                print(f"threadlab explore: error: could not save a schedule: {exc}", file=sys.stderr)
                return EXIT_BAD_ARGS
            saved.append(str(path))
    changed = {name: value for name, value in params.items() if value != lesson.defaults()[name]}
    if args.json:
        print(json.dumps(exploration_json(lesson.id, params, found, saved)))
        return EXIT_OK
    print(explore_summary(lesson.id, changed, found))
    for number, outcome in enumerate(found.outcomes, 1):
        print(f"  {number}. {outcome.describe()}: {plural(outcome.schedules, 'schedule')}")
        print(f"     e.g. {compact_schedule(outcome.schedule)}")
        if saved:
            print(f"     saved: {saved[number - 1]}")
    sets = "".join(f" --set {name}={value}" for name, value in changed.items())
    print(f"replay one: threadlab run {lesson.id}{sets} --schedule FILE"
          + ("" if saved else " (--save-schedules FOLDER writes the files)"))
    return EXIT_OK


def explore_summary(lesson_id: str, changed: dict[str, Any], found: Exploration) -> str:
    """The first line of ``explore``'s report: what ran, how much of it, how long."""
    sets = ", ".join(f"{name}={value}" for name, value in changed.items())
    how_far = "every one" if found.finished else f"not all: {found.stopped_because}"
    return (f"explore {lesson_id}{f' ({sets})' if sets else ''}: {plural(found.schedules, 'schedule')} "
            f"with at most {plural(found.preemptions, 'preemption')} ({how_far}), "
            f"{duration(found.seconds)}; sleeps skipped; {plural(len(found.outcomes), 'outcome')}:")


def exploration_json(lesson_id: str, params: dict[str, Any], found: Exploration, saved: list[str]) -> dict[str, Any]:
    """``explore --json``: the documented keys."""
    outcomes = []
    for number, outcome in enumerate(found.outcomes):
        item = {"outcome": outcome.describe(), "printed": outcome.printed, "deadlock": outcome.deadlock,
                "schedules": outcome.schedules,
                "schedule": Schedule(outcome.schedule, lesson_id).as_json()["steps"]}
        if saved:
            item["saved"] = saved[number]
        outcomes.append(item)
    return {"scenario": lesson_id, "params": params, "preemptions": found.preemptions,
            "schedules": found.schedules, "finished": found.finished, "stopped_because": found.stopped_because,
            "seconds": round(found.seconds, 3), "outcomes": outcomes}


def main(argv: list[str]) -> int:
    """Entry point for the ``list`` and ``run`` commands."""
    args = build_parser().parse_args(argv)
    commands = {"list": lambda _args: list_lessons(), "code": code_command, "run": run_command,
                "explore": explore_command}
    return commands[args.command](args)
