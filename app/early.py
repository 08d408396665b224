"""Ctrl+C and SIGTERM before the window exists: remembered, not a traceback.

Importing numpy and Qt takes a few tenths of a second; a Ctrl+C then used to stop an
import half way with a traceback. ``python main.py``, ``python -m app`` and the
installed ``threadlab`` command (:func:`main`) call :func:`install` before importing
anything else; the window's own handler (:func:`app.gui.qtenv.quit_on_sigint`) takes
over and, if a signal came early, closes the window as soon as it is up; a command
without a window calls :func:`hand_back`. Nothing but the standard library is imported
here.
"""

from __future__ import annotations

import signal

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
_seen: list[int] = []


_before: dict[int, object] = {}  # each signal's handling before install()


def install() -> None:
    """Remember SIGINT and SIGTERM from now on (until the window's handler replaces this)."""
    for number in STOP_SIGNALS:
        _before.setdefault(number, signal.getsignal(number))
        signal.signal(number, lambda signum, frame: _seen.append(signum))


def hand_back() -> bool:
    """For a command without a window: SIGINT and SIGTERM are handled again as they were
    before :func:`install` (Python's: Ctrl+C raises ``KeyboardInterrupt``). True if one
    came meanwhile (the command should end at once)."""
    for number, before in _before.items():
        signal.signal(number, before if before is not None else signal.SIG_DFL)
    _before.clear()
    return seen()


def seen() -> bool:
    """True if a stop signal came before the window's handler was in place."""
    return bool(_seen)


def main() -> int:
    """The installed ``threadlab`` command: :func:`install`, then :func:`app.cli.main`."""
    install()
    from .cli import main as cli_main

    return cli_main()
