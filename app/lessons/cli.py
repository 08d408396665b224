"""``python main.py list`` and ``python main.py run ID [--set NAME=VALUE ...] [--repeat N] [--json] [--trace FILE]``.

Exit status of ``run``: 0 when the measured outcome matches the lesson's prediction,
1 when it does not, 2 on bad arguments (one line on stderr, no traceback).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from app.core.chrometrace import save_trace, saved_note
from app.core.logbook import Entry, LogBook
from app.core.params import check_int
from app.lessons import LESSONS, get
from app.core.recorder import Recorder
from app.lessons.base import REPEAT, RunContext, run_lesson

EXIT_OK, EXIT_MISMATCH, EXIT_BAD_ARGS, EXIT_INTERRUPTED = 0, 1, 2, 130
#: Records kept for ``--trace`` (the oldest fall out beyond this; the file says so).
TRACE_CAPACITY = 500_000


class OneLineParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line on stderr and exit status 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_BAD_ARGS)


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="threadlab", description="Run threadlab's lessons without a window.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser)
    commands.add_parser("list", help="print every lesson id with its title")
    run = commands.add_parser("run", help="run one lesson headless and check its outcome")
    run.add_argument("lesson", help="lesson id (see: list)")
    run.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                     help="change a parameter (repeatable)")
    run.add_argument("--repeat", type=int, metavar="N",
                     help=f"number of runs ({REPEAT.describe()}; default: the lesson's own)")
    run.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    run.add_argument("--verbose", action="store_true", help="also print every log line as it happens")
    run.add_argument("--trace", type=Path, metavar="FILE",
                     help="save what every thread did as Chrome Trace Event JSON (open it in "
                     "https://ui.perfetto.dev or chrome://tracing)")
    return parser


def check_trace_path(path: Path) -> None:
    """``ValueError`` unless ``path`` can be written (checked before the lesson runs)."""
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise ValueError(f"--trace {path} is a folder; give a file name")
    if not folder.is_dir():
        raise ValueError(f"--trace {path}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise ValueError(f"--trace {path}: not allowed to write there")


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
    for lesson in LESSONS.values():
        print(f"{lesson.id:<{width}}  {lesson.title}")
    return EXIT_OK


def run_command(args: argparse.Namespace) -> int:
    try:
        lesson = get(args.lesson)
        params = lesson.check_params(parse_sets(args.set))
        if args.repeat is not None:
            check_int(REPEAT, args.repeat)
        if args.trace is not None:
            check_trace_path(args.trace)
    except ValueError as exc:
        print(f"threadlab run: error: {exc}", file=sys.stderr)
        return EXIT_BAD_ARGS

    echo = _print_entry if args.verbose and not args.json else None
    log = LogBook(echo=echo)
    recorder = Recorder(TRACE_CAPACITY, enabled=args.trace is not None)  # one for every run

    def on_run(i: int, values: dict[str, Any]) -> None:
        if not args.json:
            print(f"run {i + 1}: {json.dumps(values)}", flush=True)

    try:
        result = run_lesson(lesson, params, args.repeat, lambda: RunContext(log=log, recorder=recorder), on_run)
    except KeyboardInterrupt:
        print("threadlab run: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    data = result.as_json()
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
        verdict = "matches the lesson's prediction" if result.ok else "does NOT match the lesson's prediction"
        print(f"{lesson.id}: {result.summary}")
        print(f"outcome {verdict}")
    return EXIT_OK if result.ok else EXIT_MISMATCH


def _print_entry(entry: Entry) -> None:
    print(entry.format(), flush=True)


def main(argv: list[str]) -> int:
    """Entry point for the ``list`` and ``run`` commands."""
    args = build_parser().parse_args(argv)
    return list_lessons() if args.command == "list" else run_command(args)
