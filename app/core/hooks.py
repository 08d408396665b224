"""Route uncaught exceptions (main thread and other threads) to the log, never lost.

PyQt5 aborts the whole process when an exception escapes a slot unless
``sys.excepthook`` is set; a thread's uncaught exception is only printed by
default. :func:`install` sends both to a :class:`~app.core.logbook.LogBook` (and
still to stderr), and returns a function that puts the previous hooks back.
"""

from __future__ import annotations

import sys
import threading
import traceback
from typing import Callable

from . import logbook
from .logbook import LogBook


def install(log: LogBook) -> Callable[[], None]:
    """Install ``sys.excepthook`` and ``threading.excepthook``; return an undo function."""
    previous_sys, previous_threading = sys.excepthook, threading.excepthook

    def on_main(exc_type, exc, tb) -> None:
        text = "".join(traceback.format_exception(exc_type, exc, tb)).rstrip()
        log.write(f"uncaught error: {exc!r}\n{text}", logbook.ERROR)
        _to_stderr(text)

    def on_thread(args: threading.ExceptHookArgs) -> None:
        if args.exc_type is SystemExit:
            return
        text = "".join(
            traceback.format_exception(args.exc_type, args.exc_value, args.exc_traceback)
        ).rstrip()
        name = args.thread.name if args.thread is not None else "unknown thread"
        log.write(f"uncaught error: {args.exc_value!r}\n{text}", logbook.ERROR, thread=name)
        _to_stderr(f"Exception in thread {name}:\n{text}")

    sys.excepthook, threading.excepthook = on_main, on_thread

    def undo() -> None:
        sys.excepthook, threading.excepthook = previous_sys, previous_threading

    return undo


def _to_stderr(text: str) -> None:
    stream = sys.__stderr__
    if stream is not None:
        stream.write(text + "\n")
        stream.flush()
