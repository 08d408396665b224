"""``threadlab trace SCRIPT [ARGS ...]``: run your own threaded program and see what its
threads and locks did.

The program runs in a child process (``python -m app.core.scripttrace``) with this
process's stdin, stdout and stderr, so it reads and writes as under ``python SCRIPT``.
Why a child: a program may crash the interpreter or call ``os._exit``; that ends the
child only, and this process still says what happened. The child sends its report
through a pipe of its own; this process prints it (in words on stderr, so that it never
mixes with the program's stdout; ``--json FILE``: one object in FILE).

Exit status: the program's own; 4 if a deadlock was found and not broken (it is
explained, and the program ended); 124 if ``--timeout`` ended it; 130 on Ctrl+C; 2 for a
script that does not exist or does not compile (one line, nothing run), or a step of
``--schedule`` that does not fit the program (the program is ended there).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from .cli import OneLineParser
from .core.chrometrace import check_trace_path
from .core.childenv import PACKAGE, ROOT, env_with_path
from .core.params import Param, check_float
from .core.schedule import parse_schedule_option
from .core.scripttrace import describe, read_script
from .core.words import signal_name

EXIT_BAD_ARGS = 2
#: How long the report is waited for once the child has ended.
REPORT_WAIT_S = 1.0
#: Bounds on ``--timeout``.
TIMEOUT = Param("--timeout", 10.0, 0.1, 86_400.0, "s")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="threadlab trace",
        description="Run a Python program as 'python SCRIPT ARGS' would and report what its threads and "
                    "locks did: time running and waiting per thread, contention per lock, deadlocks.",
        epilog="Options go before SCRIPT: what comes after it is the program's own (its sys.argv).")
    parser.add_argument("script", help="the program to run")
    parser.add_argument("args", nargs=argparse.REMAINDER, help="its arguments")
    parser.add_argument("--json", type=Path, metavar="FILE",
                        help="also write the report as one JSON object to FILE ('-': stdout, on a line "
                             "of its own after the program's output)")
    parser.add_argument("--timeout", type=float, metavar="SECONDS",
                        help=f"stop the program after this long and say what each thread was doing "
                             f"({TIMEOUT.describe()}; exit status 124)")
    parser.add_argument("--trace", type=Path, metavar="FILE",
                        help="also save what every thread did as Chrome Trace Event JSON (open it in "
                             "https://ui.perfetto.dev)")
    parser.add_argument("--schedule", metavar="FILE|random:SEED",
                        help="step the threads line by line in this order (a schedule file, see the README, or "
                             "one drawn at random from SEED), then let the real scheduler run the rest")
    parser.add_argument("--save-schedule", type=Path, metavar="FILE",
                        help="with --schedule: save the steps taken to FILE (it replays the same way)")
    parser.add_argument("--break", dest="break_deadlocks", action="store_true",
                        help="break a deadlock's wait and let the program go on (without it: the "
                             "deadlock is explained, the program ended, exit status 4)")
    return parser


def main(argv: list[str]) -> int:
    """``threadlab trace``: the exit status (see the module's docstring)."""
    parser = build_parser()
    options = parser.parse_args(argv)
    try:
        if options.timeout is not None:
            check_float(TIMEOUT, options.timeout)
        for option, path in (("--trace", options.trace), ("--json", options.json)):
            if path is not None and str(path) != "-":
                check_trace_path(path, option)
        read_script(options.script)
        if options.schedule is not None:
            parse_schedule_option(options.schedule)  # (a bad file is said here, before anything runs)
        elif options.save_schedule is not None:
            raise ValueError("--save-schedule needs --schedule (a file, or random:SEED)")
    except ValueError as exc:
        print(f"threadlab trace: error: {exc}", file=sys.stderr)
        return EXIT_BAD_ARGS
    report, status = run_child(options)
    if report is None:
        print(f"threadlab trace: {options.script} ended without a report ({_died(status)}): it took the "
              "interpreter down with it", file=sys.stderr)
        return status if status > 0 else 128 - status
    print(describe(report), file=sys.stderr, flush=True)
    if options.json is not None:
        write_json(report, options.json)
    return status


def write_json(report: dict[str, Any], path: Path) -> None:
    """The report as one JSON object in ``path`` (``-``: a line of stdout of its own)."""
    text = json.dumps(report)
    if str(path) == "-":
        print("\n" + text, flush=True)  # (the program's last line may lack its line break)
        return
    try:
        path.write_text(text + "\n", encoding="utf-8")
    except OSError as exc:
        print(f"threadlab trace: could not write {path}: {exc}", file=sys.stderr)


def run_child(options: argparse.Namespace) -> tuple[dict[str, Any] | None, int]:
    """Run the script in a child process; its report (None if it sent none) and status."""
    read_fd, write_fd = os.pipe()
    command = [sys.executable, "-m", f"{PACKAGE}.core.scripttrace", "--report-fd", str(write_fd)]
    if options.timeout is not None:
        command += ["--timeout", str(options.timeout)]
    if options.break_deadlocks:
        command.append("--break")
    if options.trace is not None:
        command += ["--trace", str(options.trace)]
    if options.schedule is not None:
        command += ["--schedule", options.schedule]
        if options.save_schedule is not None:
            command += ["--save-schedule", str(options.save_schedule)]
    command += ["--", options.script, *options.args]
    received: list[str] = []
    pipe = os.fdopen(read_fd, encoding="utf-8")
    # read beside the wait: a long report must not fill the pipe while the child waits for room
    reader = threading.Thread(target=lambda: received.append(pipe.read()), name="report reader", daemon=True)
    child = subprocess.Popen(command, pass_fds=(write_fd,), env=env_with_path(ROOT))
    # Ctrl+C reaches the child too (it reports and ends); SIGTERM is passed on to it
    before = signal.signal(signal.SIGINT, signal.SIG_IGN)
    before_term = signal.signal(signal.SIGTERM, lambda _n, _f: child.send_signal(signal.SIGTERM))
    try:
        os.close(write_fd)
        reader.start()
        status = child.wait()
        reader.join(REPORT_WAIT_S)  # (a process the program forked may hold the pipe open)
    finally:
        signal.signal(signal.SIGINT, before)
        signal.signal(signal.SIGTERM, before_term)
    line = "".join(received).strip().splitlines()[:1]
    return (json.loads(line[0]) if line else None), status


def _died(status: int) -> str:
    return f"killed by {signal_name(-status)}" if status < 0 else f"exit status {status}"
