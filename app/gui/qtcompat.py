"""The few calls that differ between the Qt bindings pyqtgraph may pick (PyQt5, PyQt6,
PySide6). Everything else in the GUI is written once, with fully scoped enum names
(``QtCore.Qt.GlobalColor.white``), which every binding accepts."""

from __future__ import annotations

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
