"""The log, also in a file: every line of the window's Log, through Python's ``logging``.

The file is ``threadlab.log`` in the user's state folder (``$XDG_STATE_HOME/threadlab``,
by default ``~/.local/state/threadlab``; ``%LOCALAPPDATA%\\threadlab`` on Windows,
``~/Library/Logs/threadlab`` on macOS), kept to 1 MB plus three older files. The About
box names it. Only the app's own launch writes it; tests and benchmarks do not.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import sys
from pathlib import Path

from . import logbook
from .logbook import Entry

LOGGER = logging.getLogger("threadlab")
LOGGER.propagate = False  # (never to the root logger, whose last resort prints to stderr)
LOGGER.addHandler(logging.NullHandler())
MAX_BYTES, BACKUPS = 1_000_000, 3
LEVELS = {logbook.ERROR: logging.ERROR, logbook.NOTE: logging.INFO}

_path: Path | None = None


def log_folder() -> Path:
    """Where the log file goes on this system."""
    if sys.platform.startswith("win"):
        return Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local")) / "threadlab"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Logs" / "threadlab"
    return Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state") / "threadlab"


def open_log_file(folder: Path | None = None) -> Path | None:
    """Write the log to ``threadlab.log`` in ``folder`` (default :func:`log_folder`) from
    now on; its path, or None if it cannot be written there (then it is not written)."""
    global _path
    path = (folder if folder is not None else log_folder()) / "threadlab.log"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS,
                                                       encoding="utf-8")
    except OSError:
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    LOGGER.addHandler(handler)
    LOGGER.setLevel(logging.DEBUG)
    _path = path
    return path


def close_log_file() -> None:
    """Stop writing the file (its handlers are closed)."""
    global _path
    for handler in [h for h in LOGGER.handlers if isinstance(h, logging.FileHandler)]:
        LOGGER.removeHandler(handler)
        handler.close()
    _path = None


def log_file() -> Path | None:
    """The file being written, if any."""
    return _path


def echo(entry: Entry) -> None:
    """A :class:`~app.core.logbook.LogBook` echo: the entry into the log file."""
    LOGGER.log(LEVELS.get(entry.kind, logging.DEBUG if entry.kind == logbook.LINE else logging.INFO),
               "[%s] %s", entry.thread, entry.text)
