"""The window's menu bar and keyboard shortcuts.

Every menu entry does what a button of the window does (through the button itself, so a
disabled button's entry does nothing either), or opens something: a script, the About box.

=====================  ==================
File: Open script...   Ctrl+O
File: Save trace...    Ctrl+S
File: Quit             Ctrl+Q
Run: Start / Stop      F5 / Shift+F5
Run: Step through      F6
Run: Explore           F7
Run: Acquire Lock      Ctrl+L
Run: Break the wait    Ctrl+B
Run: next / previous   Ctrl+PgDown / Ctrl+PgUp (lesson)
View: text size        Ctrl++ / Ctrl+- / Ctrl+0
Help: README           F1
=====================  ==================
"""

from __future__ import annotations

import html
import platform
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Callable

import numpy
import pyqtgraph
from pyqtgraph.Qt import QtCore, QtGui, QtWidgets

from .. import __version__
from ..core import logfile
from . import remember
from .qtcompat import binding
from .resources import ABOVE_PACKAGE

if TYPE_CHECKING:
    from .window import LabWindow

def build_menus(window: "LabWindow") -> dict[str, QtGui.QAction]:
    """Fill ``window``'s menu bar; the actions by their text (for tests and scripts)."""
    bar = window.menuBar()
    actions: dict[str, QtGui.QAction] = {}

    def add(menu: QtWidgets.QMenu, text: str, slot: Callable[[], object], keys: str | None = None,
            tip: str = "") -> None:
        action = menu.addAction(text)
        action.triggered.connect(lambda _checked=False: slot())
        if keys:
            action.setShortcut(QtGui.QKeySequence(keys))
        if tip:
            action.setStatusTip(tip)
        actions[text] = action

    b = window.buttons
    file = bar.addMenu("&File")
    add(file, "Open script...", lambda: open_script(window), "Ctrl+O", "run a Python program of your own")
    add(file, "Save trace...", b.trace_button.click, "Ctrl+S", "save what every thread did, for Perfetto")
    file.addSeparator()
    add(file, "Quit", window.close, "Ctrl+Q")

    run = bar.addMenu("&Run")
    add(run, "Start", b.start_button.click, "F5")
    add(run, "Stop", b.stop_button.click, "Shift+F5")
    add(run, "Step through", lambda: window.start_stepping(), "F6",
        "run the lesson's program one line at a time, choosing which thread goes next")
    add(run, "Explore every interleaving", lambda: window.explore(), "F7",
        "run the lesson's program under every interleaving of its threads and list the outcomes")
    add(run, "Acquire or release the lock", b.lock_button.click, "Ctrl+L")
    add(run, "Break the wait", lambda: window.banner.isVisible() and window.banner.break_button.click(), "Ctrl+B",
        "break a deadlock's wait (when the banner shows one)")
    run.addSeparator()
    add(run, "Next lesson", lambda: step_lesson(window, 1), "Ctrl+PgDown")
    add(run, "Previous lesson", lambda: step_lesson(window, -1), "Ctrl+PgUp")

    view = bar.addMenu("&View")
    add(view, "Larger text", lambda: window.set_text_points(window.text_points() + 1), "Ctrl++",
        "every text of the window and the code one point larger, for a projector")
    add(view, "Smaller text", lambda: window.set_text_points(window.text_points() - 1), "Ctrl+-")
    add(view, "Normal text size", window.normal_text_size, "Ctrl+0",
        "the window's text and the code at the size they opened with")
    view.addSeparator()
    add(view, "Reset layout and settings", lambda: remember.forget(window), None,
        "the window's size, splitters, tab, text size and switch interval as a first run has them, "
        "and nothing kept from the last run")
    actions["Larger text"].setShortcuts([QtGui.QKeySequence("Ctrl++"), QtGui.QKeySequence("Ctrl+=")])

    help_menu = bar.addMenu("&Help")
    add(help_menu, "README", lambda: show_readme(window), "F1", "what threadlab is, how to run it, what it measured")
    add(help_menu, "Lessons", lambda: window.tabs.setCurrentIndex(window.tabs.indexOf(window.lesson_panel)))
    add(help_menu, "About threadlab", lambda: QtWidgets.QMessageBox.about(window, "About threadlab",
                                                                         about_text()))
    return actions


def open_script(window: "LabWindow") -> None:
    """The Script tab, and its file dialog (unless a session runs: its tab stays as it is)."""
    window.tabs.setCurrentIndex(window.tabs.indexOf(window.script_panel))
    if window.script_panel.open_button.isEnabled():
        window.script_panel.ask_for_script()


def step_lesson(window: "LabWindow", step: int) -> None:
    """The next (``step`` 1) or previous (-1) lesson, on the Lessons tab."""
    panel = window.lesson_panel
    window.tabs.setCurrentIndex(window.tabs.indexOf(panel))
    if panel.isEnabled():
        rows = panel.list.count()
        panel.list.setCurrentRow((panel.list.currentRow() + step) % rows)


def show_readme(window: "LabWindow") -> QtWidgets.QDialog:
    """The README in a window of its own (not modal: the lab stays live beside it)."""
    dialog = QtWidgets.QDialog(window)
    dialog.setWindowTitle("threadlab: README")
    dialog.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose)
    view = QtWidgets.QTextBrowser(dialog)
    view.setObjectName("readme")
    view.setOpenExternalLinks(True)
    view.setSearchPaths([str(ABOVE_PACKAGE)])  # (a checkout's docs/*.png)
    view.setMarkdown(readme_text())
    layout = QtWidgets.QVBoxLayout(dialog)
    layout.addWidget(view)
    screen = window.screen().availableGeometry()
    dialog.resize(min(900, screen.width() - 40), min(700, screen.height() - 80))
    dialog.show()
    return dialog


def readme_text() -> str:
    """The README: the checkout's file, or the installed package's description (the same
    text, pictures named by their captions); a line saying where to find it if neither is there."""
    if Path(__file__).resolve().parents[1].name == "app":  # (a checkout: app/gui/menus.py beside README.md)
        try:
            return (ABOVE_PACKAGE / "README.md").read_text(encoding="utf-8")
        except OSError:
            pass
    try:
        installed = metadata.metadata("threadlab")
        description = installed.get_payload() or installed.get("Description", "")  # type: ignore[attr-defined]
    except metadata.PackageNotFoundError:
        description = ""
    return description or "The README is not installed here: see the project's source distribution."


def about_text() -> str:
    """Versions of what threadlab runs on, and where its settings are kept."""
    from .scripts import settings

    rows = [("threadlab", __version__), ("Python", f"{platform.python_version()} ({platform.system()})"),
            ("Qt binding", binding()), ("numpy", numpy.__version__), ("pyqtgraph", pyqtgraph.__version__),
            ("settings", settings().fileName()),
            ("log file", str(logfile.log_file() or "none (only the app's own launch writes one)"))]
    table = "".join(f"<tr><td><b>{html.escape(k)}</b>&nbsp;</td><td>{html.escape(v)}</td></tr>" for k, v in rows)
    return ("<p>threadlab: learn and check how Python threads behave, by running real threads "
            f"and acting on them.</p><table>{table}</table>")
