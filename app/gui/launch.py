"""Create the application and the window, route errors to the log, and run the loop."""

from __future__ import annotations

import platform
import sys
import time
from pathlib import Path

from pyqtgraph.Qt import QtCore, QtWidgets

from .. import __version__
from ..core import hooks, logbook, logfile
from ..core.lab import Lab
from ..core.logbook import LogBook
from ..core.params import ARRAY_SIZE
from ..core.shared import SharedArray
from ..core.words import plural
from . import remember, resources
from .qtenv import FirstPaint, make_application, quit_on_sigint
from .qtcompat import binding, keep_singletons_alive
from .window import LabWindow

SCREENSHOT_AFTER_S = 2.0
#: How much longer a screenshot waits for a running lesson to end before it is taken anyway.
SCREENSHOT_WAIT_S = 20.0
#: The window sets Python's thread switch interval to this while it runs (Python's
#: default is 5 ms). Every time Qt calls into Python (a timer's slot, a paint method)
#: and every numpy loop over more than 500 elements, the GUI thread must get the GIL
#: back, and with CPU-bound Python workers it waits about an interval per worker each
#: time, several times per frame; ``python -m bench`` measures the effect (figures in
#: the README).
GUI_SWITCH_INTERVAL_S = 0.0005
#: --start starts after the window's first paint, or this long after launch without one.
FIRST_PAINT_FALLBACK_S = 2.0
#: Printed once the event loop runs (scripts and the smoke tests wait for it).
READY_LINE = "threadlab: window open"


def launch(
    size: int | None = None,
    start: bool = False,
    use_lock: bool | None = None,
    lesson: str | None = None,
    script: tuple[str, str] | None = None,
    quit_after: float | None = None,
    screenshot: Path | None = None,
) -> int:
    """Show the lab window over a new :class:`Lab`; return Qt's exit status.

    ``size`` and ``use_lock``: None keeps what the last run had (or the defaults); a value
    given wins over it, as do ``lesson`` and ``script`` over the last lesson and tab."""
    qapp = make_application(sys.argv[:1])
    qapp.setStyle("Fusion")  # the same look on every platform, and in screenshots
    qapp.setStyleSheet(resources.stylesheet())
    log_path = logfile.open_log_file() if screenshot is None else None
    log = LogBook(echo=logfile.echo if log_path is not None else None)
    log.write(f"threadlab {__version__} on Python {platform.python_version()}, {binding()}"
              + (f"; this log is also in {log_path}" if log_path is not None else ""), logbook.NOTE, thread="GUI")
    leaked = keep_singletons_alive()
    if leaked:
        log.write(f"{binding()} on Python {platform.python_version()} loses a reference to {' and to '.join(leaked)} "
                  "at each of many calls (a bug of that release, not of Python 3.12 or later, nor of PySide6 6.11): "
                  "threadlab keeps them alive, as Python 3.12 does, so a long session does not end in a fatal error",
                  logbook.NOTE, thread="GUI")
    undo_hooks = hooks.install(log)  # an exception in a slot is logged, never an abort
    python_default = sys.getswitchinterval()
    window: LabWindow | None = None
    try:
        window = LabWindow(Lab(SharedArray(int(ARRAY_SIZE.default) if size is None else size), log))
        window.set_switch_interval(GUI_SWITCH_INTERVAL_S)  # the window puts Python's back on close
        if use_lock is not None:
            window.controls.use_lock_box.setChecked(use_lock)
        if lesson is not None:
            window.open_lesson(lesson)
        if script is not None:
            window.open_script(*script)
        window.default_switch_s = GUI_SWITCH_INTERVAL_S
        window.show()
        if screenshot is None:  # (pictures for the README show the window as it first opens)
            # once shown: splitter sizes set before the first layout are only proportions
            given = tuple(name for name, value in (("size", size), ("use_lock", use_lock)) if value is not None)
            remember.restore(window, lesson_given=lesson is not None, tab_given=script is not None, lab_given=given)
            window.remembers = True

        def close_after_interrupt() -> None:
            log.write("Ctrl+C: stopping the workers and closing", thread="signal")
            window.close()

        def interrupted() -> None:  # in the signal handler: a plain attribute, no lock
            window.lab.interrupted = True  # ends a GUI-thread run at its next step

        undo_sigint = quit_on_sigint(close_after_interrupt, window, interrupted)
        def ready() -> None:
            if start:
                _start_and_report(window)
            # after Start: scripts may signal a running window
            print(f"{READY_LINE} ({binding()}); close it or press Ctrl+C to quit", flush=True)

        # Start once the window is on screen: painted with workers already busy, the
        # first paint took 0.1 s, which the watchdog reported as a freeze.
        FirstPaint(window, ready, FIRST_PAINT_FALLBACK_S)
        saved = [True]
        if screenshot is not None:
            shot_timer = QtCore.QTimer(window)  # after 2 s, once a lesson run has ended
            give_up_at = time.monotonic() + SCREENSHOT_AFTER_S + SCREENSHOT_WAIT_S

            idle_looks = [0]

            def shoot_when_idle() -> None:
                stuck = window.banner.isVisible()  # a deadlocked lesson waits to be broken
                waits = window.busy and not stuck and not window.session.endless  # (workers run until Stop)
                idle_looks[0] = 0 if waits else idle_looks[0] + 1
                # two looks 100 ms apart: the display timer has shown how the run ended
                if idle_looks[0] < 2 and time.monotonic() < give_up_at:
                    return
                shot_timer.stop()
                saved[0] = _save_and_close(window, screenshot)

            shot_timer.timeout.connect(shoot_when_idle)
            QtCore.QTimer.singleShot(int(SCREENSHOT_AFTER_S * 1000), lambda: shot_timer.start(100))
        if quit_after is not None:
            QtCore.QTimer.singleShot(int(quit_after * 1000), window.close)
        status = qapp.exec()
        undo_sigint()
        return status if saved[0] else 1
    finally:
        sys.setswitchinterval(python_default)  # also if the window never got to close
        if window is not None:
            window.collector.stop()  # (idem: automatic garbage collection back on)
        undo_hooks()
        logfile.close_log_file()


def _start_and_report(window: LabWindow) -> None:
    """Click Start, and say on stdout what started (scripts and the smoke tests read it)."""
    window.start()
    if window.page is window.lesson_page:
        print(f"threadlab: started lesson {window.session.title}", flush=True)
    elif window.page is window.script_page:
        print(f"threadlab: started script {window.session.title}", flush=True)
    else:
        print(f"threadlab: started {plural(len(window.lab.alive()), 'worker thread')}", flush=True)


def _save_and_close(window: LabWindow, path: Path) -> bool:
    """Save a picture of the window to ``path``, close it; False if it could not be written."""
    saved = window.grab().save(str(path))
    if saved:
        print(f"threadlab: screenshot saved to {path}")
    else:
        print(f"threadlab: could not write the screenshot to {path}", file=sys.stderr)
    window.close()
    return saved
