"""The few calls that differ between the Qt bindings pyqtgraph may pick (PyQt5, PyQt6,
PySide6). Everything else in the GUI is written once, with fully scoped enum names
(``QtCore.Qt.GlobalColor.white``), which every binding accepts."""

from __future__ import annotations

import ctypes
import sys

from pyqtgraph.Qt import QT_LIB, QtCore


def event_pos(event) -> QtCore.QPoint:
    """Where a mouse or wheel event happened, in the widget (Qt 6: ``position()``)."""
    position = getattr(event, "position", None)
    return position().toPoint() if position is not None else event.pos()


def event_global_pos(event) -> QtCore.QPoint:
    """Where a mouse event happened, on the screen (Qt 6: ``globalPosition()``)."""
    position = getattr(event, "globalPosition", None)
    return position().toPoint() if position is not None else event.globalPos()


def plugins_path() -> str:
    """Where Qt looks for its platform plugins."""
    info = QtCore.QLibraryInfo
    if hasattr(info, "path"):  # Qt 6
        return info.path(info.LibraryPath.PluginsPath)
    return info.location(info.LibraryLocation.PluginsPath)


def binding() -> str:
    """The binding in use, with its Qt version: ``"PyQt5 (Qt 5.15.14)"``."""
    return f"{QT_LIB} (Qt {QtCore.qVersion()})"


class _Probe(QtCore.QObject):
    fired = QtCore.Signal()


def leaked_singletons(calls: int = 200) -> list[str]:
    """Which of None and the bools the binding's calls lose references to: PySide6 6.12.0 on
    Python 3.10 and 3.11 loses one to None at each call of a method that returns nothing
    and one to True or False at each emit of a signal declared in Python (6.11 does not;
    from 3.12 on the three are immortal and nothing can be lost)."""
    if sys.version_info >= (3, 12):
        return []
    probe = _Probe()
    none, bools = sys.getrefcount(None), sys.getrefcount(True) + sys.getrefcount(False)
    for _ in range(calls):
        probe.setObjectName("probe")
        probe.fired.emit()
    leaked = []  # (other threads take and drop a few references meanwhile: a leak is one a call)
    if sys.getrefcount(None) < none - calls // 2:
        leaked.append("None")
    if sys.getrefcount(True) + sys.getrefcount(False) < bools - calls // 2:
        leaked.append("True and False")
    return leaked


#: How far :func:`keep_singletons_alive` raises a count: no session makes that many calls.
SINGLETON_RESERVE = 1 << 40


def keep_singletons_alive() -> list[str]:
    """If the binding loses references to None, True and False (:func:`leaked_singletons`),
    raise their counts out of reach, as Python 3.12 makes them immortal: otherwise a long
    session ends in "Fatal Python error: none_dealloc" once a count reaches zero. Those it
    found leaked (empty: nothing was done)."""
    leaked = leaked_singletons()
    if leaked:
        for singleton in (None, True, False):
            ctypes.c_ssize_t.from_address(id(singleton)).value += SINGLETON_RESERVE  # (ob_refcnt: first field)
    return leaked
