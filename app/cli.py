"""Command line: ``python main.py``, ``python -m app`` and ``threadlab`` all land here."""

from __future__ import annotations

import argparse
import importlib.util
import os
import shlex
import sys
from pathlib import Path

from . import __version__
from .core.params import ARRAY_SIZE, DURATION, check_fits_in_memory, check_float, check_int

#: Exit status when Qt cannot open a window here (missing display or libraries).
EXIT_NO_DISPLAY = 3


class OneLineParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line on stderr and exit status 2 (the usage
    is one ``--help`` away)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (kept separate so the tests can read it)."""
    parser = OneLineParser(
        prog="threadlab",
        description="Watch real Python threads share an array, take a lock and freeze a window.",
        epilog="Without a window: 'threadlab list', 'threadlab code ID', 'threadlab run ID --help', "
               "'threadlab explore ID --help'; your own "
               "program: 'threadlab trace SCRIPT [ARGS]' (see 'threadlab trace --help').",
    )
    parser.add_argument("--version", action="version", version=f"threadlab {__version__}")
    parser.add_argument(
        "--size", type=int,
        help=f"elements in the shared array ({ARRAY_SIZE.describe()}; default {int(ARRAY_SIZE.default)}, "
             "or the size the Lab had last time)",
    )
    parser.add_argument("--start", action="store_true", help="click Start as soon as the window opens")
    parser.add_argument("--lesson", metavar="ID", help="open on this lesson (see 'threadlab list')")
    parser.add_argument("--script", metavar="SCRIPT", help="open on the Script tab with this Python program")
    parser.add_argument("--script-args", metavar="ARGS", default="",
                        help="the script's arguments, in one string split as a shell would")
    parser.add_argument("--qt", choices=QT_BINDINGS, metavar="BINDING",
                        help=f"the Qt binding to use ({', '.join(QT_BINDINGS)}; default: the first installed "
                             "of PyQt6, PySide6, PyQt5, as pyqtgraph picks; also PYQTGRAPH_QT_LIB)")
    parser.add_argument(
        "--no-lock", action="store_true",
        help="open with 'Use lock' unticked, so the mutators race over the array",
    )
    parser.add_argument(
        "--quit-after", type=float, metavar="SECONDS",
        help=f"close the window after this many seconds ({DURATION.describe()})",
    )
    parser.add_argument(
        "--screenshot", type=Path, metavar="PNG",
        help="start the default workers, save a picture of the window after 2 s, and quit "
        "(renders offscreen when there is no display)",
    )
    return parser


#: The Qt bindings threadlab runs on (through pyqtgraph's shim).
QT_BINDINGS = ("PyQt5", "PyQt6", "PySide6")

#: Words that select the headless lesson commands instead of the window.
LESSON_COMMANDS = ("list", "run", "code", "explore")
#: The word that selects ``threadlab trace SCRIPT`` (your own program).
TRACE_COMMAND = "trace"
EXIT_INTERRUPTED = 130


def main(argv: list[str] | None = None) -> int:
    """Parse ``argv``; open the window, or run a command without one; the exit status."""
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in LESSON_COMMANDS + (TRACE_COMMAND,):
        from . import early

        if early.hand_back():  # (Ctrl+C while starting up)
            return EXIT_INTERRUPTED
        try:
            if argv[0] == TRACE_COMMAND:
                from .tracecli import main as trace_main

                return trace_main(argv[1:])
            from .lessons.cli import main as lessons_main

            return lessons_main(argv)
        except KeyboardInterrupt:  # (wherever it lands: one word, no traceback)
            print(f"threadlab {argv[0]}: interrupted", file=sys.stderr)
            return EXIT_INTERRUPTED
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.size is not None:
            check_int(ARRAY_SIZE, args.size)
            check_fits_in_memory(args.size * 8 * 2, f"an array of {args.size} elements")
        if args.quit_after is not None:
            check_float(DURATION, args.quit_after)
        if args.lesson is not None:
            from .lessons import get

            get(args.lesson)
        if args.script is not None:
            from .core.scripttrace import read_script

            read_script(args.script)
            try:
                shlex.split(args.script_args)
            except ValueError as exc:
                raise ValueError(f"--script-args cannot be split: {exc}") from None
        elif args.script_args:
            raise ValueError("--script-args needs --script")
        if args.qt is not None:
            if importlib.util.find_spec(args.qt) is None:
                raise ValueError(f"--qt {args.qt}: it is not installed (pip install {args.qt})")
            os.environ["PYQTGRAPH_QT_LIB"] = args.qt  # (read when pyqtgraph is first imported)
    except ValueError as exc:
        parser.error(str(exc))
    if args.screenshot is not None and not os.environ.get("DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    return run_window(args)


def run_window(args: argparse.Namespace) -> int:
    """Open the lab window with ``args`` and run Qt's event loop until it closes."""
    from .display import system_problem, wayland_only

    if wayland_only(os.environ):  # (no X server to fall back to)
        os.environ["QT_QPA_PLATFORM"] = "wayland"
        print("threadlab: no X display, a Wayland compositor: Qt's Wayland platform is used", flush=True)
    problem = system_problem()  # (before Qt is imported: without these libraries its import fails)
    if problem:
        print(problem, file=sys.stderr)
        return EXIT_NO_DISPLAY

    from .gui.qtenv import platform_problem  # Qt is imported only when a window is wanted

    problem = platform_problem()
    if problem:
        print(problem, file=sys.stderr)
        return EXIT_NO_DISPLAY

    from .gui.launch import launch

    return launch(
        size=args.size,
        start=args.start or args.screenshot is not None,
        use_lock=False if args.no_lock else None,
        lesson=args.lesson,
        script=(args.script, args.script_args) if args.script is not None else None,
        quit_after=args.quit_after,
        screenshot=args.screenshot,
    )
