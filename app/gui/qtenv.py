"""Getting Qt up cleanly: platform-plugin check, the QApplication, and Ctrl+C.

Qt aborts the process with a long message when it cannot load its platform plugin
(no display, or the xcb libraries missing). :func:`platform_problem` looks first
and returns one sentence that says what to install or to set.
"""

from __future__ import annotations

import ctypes
import os
import re
import signal
import sys
from pathlib import Path
from typing import Callable, Mapping

from pyqtgraph.Qt import QtCore, QtWidgets

from .. import early
from .qtcompat import plugins_path

#: Shared libraries that Qt 5's xcb plugin needs, and the Debian package of each.
XCB_PACKAGES = {
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-xinerama.so.0": "libxcb-xinerama0",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libGL.so.1": "libgl1",
    "libEGL.so.1": "libegl1",
    "libfontconfig.so.1": "libfontconfig1",
    "libdbus-1.so.3": "libdbus-1-3",
    "libX11-xcb.so.1": "libx11-xcb1",
}
ALL_XCB_PACKAGES = " ".join(sorted(set(XCB_PACKAGES.values())))
OFFSCREEN_HINT = "To run without a screen, set QT_QPA_PLATFORM=offscreen."


def platform_problem(environ: Mapping[str, str] | None = None) -> str | None:
    """Return why Qt could not open a window here, in one line, or ``None`` if it can.

    Only Linux's default ``xcb`` platform is checked: another platform chosen
    with ``QT_QPA_PLATFORM`` (``offscreen``, ``wayland``, ...) is trusted.
    """
    env = os.environ if environ is None else environ
    if not sys.platform.startswith("linux"):
        return None
    platform = env.get("QT_QPA_PLATFORM", "")
    if platform and not platform.startswith("xcb"):
        return None
    if not env.get("DISPLAY"):
        return f"threadlab: no X display found (DISPLAY is not set). {OFFSCREEN_HINT}"
    missing = missing_xcb_library()
    if not missing and not can_connect_to_x(env["DISPLAY"]):
        return (
            f"threadlab: cannot connect to the X display {env['DISPLAY']!r} (is an X server "
            f"running there, and may this user use it?). {OFFSCREEN_HINT}"
        )
    if missing:
        package = XCB_PACKAGES.get(missing, "the package that provides it")
        return (
            f"threadlab: Qt cannot load its xcb platform plugin: {missing} is missing. "
            f"Install it (Debian/Ubuntu: apt-get install {package}; all that Qt needs: "
            f"{ALL_XCB_PACKAGES}). {OFFSCREEN_HINT}"
        )
    return None


def missing_xcb_library() -> str | None:
    """Load Qt's xcb plugin with ctypes; return the first missing library's name, if any."""
    plugins = plugins_path()
    plugin = Path(plugins) / "platforms" / "libqxcb.so"
    if not plugin.exists():
        return None  # a Qt build without this file: let Qt speak for itself
    try:
        ctypes.CDLL(str(plugin))
    except OSError as exc:
        found = re.search(r"([\w.+-]+\.so[.\d]*): cannot open shared object file", str(exc))
        return found.group(1) if found else f"a library of libqxcb.so ({exc})"
    return None


def can_connect_to_x(display: str) -> bool:
    """Open and close an xcb connection to ``display``; False if the server is unreachable."""
    try:
        xcb = ctypes.CDLL("libxcb.so.1")
    except OSError:
        return True  # cannot tell; the plugin check names missing libraries
    xcb.xcb_connect.restype = ctypes.c_void_p
    xcb.xcb_connect.argtypes = [ctypes.c_char_p, ctypes.c_void_p]
    xcb.xcb_connection_has_error.argtypes = [ctypes.c_void_p]
    xcb.xcb_disconnect.argtypes = [ctypes.c_void_p]
    connection = xcb.xcb_connect(display.encode(), None)
    try:
        return xcb.xcb_connection_has_error(connection) == 0
    finally:
        xcb.xcb_disconnect(connection)


class ShownTexts:
    """Sets a widget's text only when it changes.

    The window's timers would otherwise set the same texts 30 times a second: each a
    call into Qt, and Python time on the GUI thread that busy workers stretch.
    """

    def __init__(self) -> None:
        self._texts: dict[int, str] = {}

    def set(self, widget: QtWidgets.QWidget, text: str) -> bool:
        """``widget.setText(text)`` unless ``text`` is already shown; True if it was set."""
        if self._texts.get(id(widget)) == text:
            return False
        self._texts[id(widget)] = text
        widget.setText(text)
        return True


def make_application(argv: list[str]) -> QtWidgets.QApplication:
    """Return the QApplication (creating it once), named for the window manager."""
    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(argv)
    app.setApplicationName("threadlab")
    app.setOrganizationName("threadlab")
    return app


def quit_on_sigint(
    on_interrupt: Callable[[], None], parent: QtCore.QObject, signal_safe: Callable[[], None] = lambda: None
) -> Callable[[], None]:
    """Call ``on_interrupt`` from the event loop soon after Ctrl+C or SIGTERM; return an
    undo function.

    Python runs a signal handler only between bytecodes, and while ``exec()`` waits in
    C++ that never happens: a 100 ms timer hands control back to Python so the handler
    runs promptly. The handler itself may interrupt the main thread anywhere, even
    while it holds a lock, so it only sets a flag and calls ``signal_safe`` (which must
    take no lock either); the timer then calls ``on_interrupt`` as an ordinary slot.
    """
    pending = [early.seen()]  # a signal before the window existed: close as soon as it is up
    received = [pending[0]]

    def handler(signum, frame) -> None:
        received[0] = True
        pending[0] = True
        signal_safe()

    def poll() -> None:
        if pending[0]:
            pending[0] = False
            on_interrupt()

    previous = {number: signal.signal(number, handler) for number in early.STOP_SIGNALS}  # SIGTERM too
    timer = QtCore.QTimer(parent)
    timer.setInterval(100)
    timer.timeout.connect(poll)
    timer.start()

    def undo() -> None:
        timer.stop()
        for number, before in previous.items():
            # after a stop signal the process is on its way out: a second Ctrl+C (or a
            # SIGTERM) now would only cut the exit short with a traceback and status 130
            signal.signal(number, signal.SIG_IGN if received[0] else before)

    return undo


class FirstPaint(QtCore.QObject):
    """Calls ``then`` once, from the event loop, after ``window``'s first paint event, or
    after ``fallback_s`` if no paint came (a window started minimised is never painted)."""

    def __init__(self, window: QtWidgets.QWidget, then, fallback_s: float = 2.0) -> None:
        super().__init__(window)
        self._window, self._then, self._called = window, then, False
        window.installEventFilter(self)
        QtCore.QTimer.singleShot(int(fallback_s * 1000), self._call)

    def eventFilter(self, watched: QtCore.QObject, event: QtCore.QEvent) -> bool:  # noqa: N802 - Qt's name
        if watched is self._window and event.type() == QtCore.QEvent.Type.Paint:
            self._window.removeEventFilter(self)
            QtCore.QTimer.singleShot(0, self._call)
        return False

    def _call(self) -> None:
        if not self._called:
            self._called = True
            self._then()
