"""The Script tab: open a Python program of your own, give it arguments, run it with the
lanes, the Locks tab, the Output tab and the deadlock banner.

The program runs in a process of its own (:mod:`app.core.scriptsession` says why); the
code pane shows the file as it was read when it was opened or started, read-only: what
runs is the file on disk, so it is edited in the user's own editor and run again here.
"""

from __future__ import annotations

import html
import os
import shlex

from pyqtgraph.Qt import QtCore, QtWidgets

from ..core.logbook import LogBook
from ..core.recorder import Recorder
from ..core.scriptsession import ScriptSession
from ..core.scripttrace import read_script
from ..core.session import Ended, Event
from .editor import CodeEditor, lay_out_code_pane
from .resources import ABOVE_PACKAGE

#: Scripts remembered in the recent list.
RECENT_KEPT = 8
RECENT_KEY = "scripts/recent"
#: Example programs shipped with threadlab (in a checkout).
EXAMPLES = ABOVE_PACKAGE / "examples"

INTRO = ("Run a Python program of your own and watch its threads: the lanes, the Locks tab, "
         "its output, and a deadlock explained with Break the wait. It runs as <code>python SCRIPT "
         "ARGS</code> would, in a process of its own (a crash or <code>os._exit</code> ends only "
         "that process), in its own folder, with an empty stdin.")


def settings() -> QtCore.QSettings:
    """threadlab's settings (an INI file in the user's configuration folder)."""
    return QtCore.QSettings(QtCore.QSettings.Format.IniFormat, QtCore.QSettings.Scope.UserScope,
                            "threadlab", "threadlab")


class ScriptPanel(QtWidgets.QWidget):
    """Open script..., the arguments, the recent scripts and examples, the last outcome."""

    chosen = QtCore.Signal(str)  # a script was opened or picked from the list
    start_asked = QtCore.Signal()  # a double click on a listed script

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        intro = QtWidgets.QLabel(INTRO)
        intro.setWordWrap(True)
        self.open_button = QtWidgets.QPushButton("Open script...")
        self.open_button.setToolTip("choose a Python program to run (Ctrl+O)")
        self.path_label = QtWidgets.QLabel("No script chosen yet.")
        self.path_label.setObjectName("script-path")
        self.path_label.setWordWrap(True)
        self.path_label.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        self.args_edit = QtWidgets.QLineEdit()
        self.args_edit.setObjectName("script-args")
        self.args_edit.setPlaceholderText("arguments, as on a command line")
        self.args_edit.setToolTip("the program's sys.argv[1:], split as a shell would ('quotes' keep spaces)")
        self.recent = QtWidgets.QListWidget()
        self.recent.setObjectName("recent-scripts")
        self.recent.setToolTip("click: open it; double click: open and start it")
        self.result = QtWidgets.QLabel()
        self.result.setObjectName("script-result")
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        form = QtWidgets.QFormLayout()
        form.addRow("Arguments", self.args_edit)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.open_button)
        layout.addWidget(self.path_label)
        layout.addLayout(form)
        layout.addWidget(QtWidgets.QLabel("Recent scripts and examples"))
        layout.addWidget(self.recent, 1)
        layout.addWidget(self.result)
        self.open_button.clicked.connect(self.ask_for_script)
        self.recent.itemClicked.connect(lambda item: self.chosen.emit(item.data(QtCore.Qt.ItemDataRole.UserRole)))
        self.recent.itemDoubleClicked.connect(self._start_item)
        self.show_recent()

    def set_running(self, running: bool) -> None:
        """While its script runs, nothing here changes what runs (the text stays readable)."""
        for widget in (self.open_button, self.args_edit, self.recent):
            widget.setEnabled(not running)

    def ask_for_script(self) -> None:
        """The file dialog; a chosen file is opened."""
        start = self.recent.item(0).data(QtCore.Qt.ItemDataRole.UserRole) if self.recent.count() else ""
        path, _filter = QtWidgets.QFileDialog.getOpenFileName(
            self, "Open a Python script", os.path.dirname(start), "Python programs (*.py *.pyw);;All files (*)")
        if path:
            self.chosen.emit(path)

    def _start_item(self, item: QtWidgets.QListWidgetItem) -> None:
        self.chosen.emit(item.data(QtCore.Qt.ItemDataRole.UserRole))
        self.start_asked.emit()

    # -- the recent list ----------------------------------------------------------------------
    def show_recent(self) -> None:
        """The recent scripts that still exist, then the examples not among them."""
        self.recent.clear()
        paths = [p for p in recent_scripts() if os.path.isfile(p)]
        if EXAMPLES.is_dir():
            paths += [str(p) for p in sorted(EXAMPLES.glob("*.py")) if str(p) not in paths]
        for path in paths:
            item = QtWidgets.QListWidgetItem(os.path.basename(path))
            item.setToolTip(path)
            item.setData(QtCore.Qt.ItemDataRole.UserRole, path)
            self.recent.addItem(item)

    def args(self) -> list[str]:
        """The arguments, split as a shell would (``ValueError`` for an unclosed quote)."""
        try:
            return shlex.split(self.args_edit.text())
        except ValueError as exc:
            raise ValueError(f"the arguments cannot be split: {exc}") from None


def recent_scripts() -> list[str]:
    """The scripts run lately, the newest first."""
    value = settings().value(RECENT_KEY, [])
    if isinstance(value, str):  # (one value comes back as a string)
        value = [value]
    return [str(v) for v in value or []]


def remember(path: str) -> None:
    """Put ``path`` first in the recent list."""
    paths = [path] + [p for p in recent_scripts() if p != path]
    store = settings()
    store.setValue(RECENT_KEY, paths[:RECENT_KEPT])
    store.sync()


class ScriptView(QtWidgets.QWidget):
    """The script as read, read-only, in the code pane's place."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.editor = CodeEditor()
        self.editor.setReadOnly(True)
        self.title = QtWidgets.QLabel("<b>no script</b>")
        self.title.setObjectName("script-title")
        self.reload_button = QtWidgets.QPushButton("Reload")
        self.reload_button.setToolTip("read the file again (edit it in your own editor; Start reads it too)")
        lay_out_code_pane(self, self.title, self.editor, (self.reload_button,))

    def show_script(self, path: str, text: str) -> None:
        self.title.setText(f"<b>{html.escape(os.path.basename(path))}</b> "
                           "<span style='color:#666'>(read-only: what runs is the file)</span>")
        self.title.setToolTip(path)
        self.editor.set_program(text)


class ScriptPage(QtCore.QObject):
    """The Script tab as the window sees it: makes :class:`ScriptSession` s."""

    can_reset = False
    can_repeat = False
    shows_array = False

    def __init__(self, panel: ScriptPanel, view: ScriptView, log: LogBook, recorder: Recorder) -> None:
        super().__init__()
        self.panel, self.view, self.log, self.recorder = panel, view, log, recorder
        self.path: str | None = None
        self.last: ScriptSession | None = None
        panel.chosen.connect(self._open_chosen)
        view.reload_button.clicked.connect(lambda: self.path and self._open_chosen(self.path))
        view.reload_button.setEnabled(False)

    def open(self, path: str) -> None:
        """Show ``path`` in the code pane (``ValueError`` in one line if it cannot run)."""
        text = read_script(path)
        self.path = os.path.abspath(path)
        self.panel.path_label.setText(self.path)
        self.panel.result.setText("Press Start to run it.")
        self.view.show_script(self.path, text)
        self.view.reload_button.setEnabled(True)

    def _open_chosen(self, path: str) -> None:
        try:
            self.open(path)
        except ValueError as exc:
            self.panel.result.setText(f"Cannot open it: {html.escape(str(exc))}")

    def activate(self, active: bool) -> None:
        self.view.setVisible(active)

    def idle_session(self) -> ScriptSession:
        """The last run (its locks stay listed), or an empty one."""
        if self.last is not None:
            return self.last
        return ScriptSession(self.path or "", recorder=self.recorder, log=self.log)

    def new_session(self, repeat: int | None = None) -> ScriptSession:
        """A run of the chosen script with the panel's arguments (read afresh)."""
        if self.path is None:
            raise ValueError("open a script first (Open script...)")
        args = self.panel.args()
        self.open(self.path)  # (read afresh: the pane shows what runs)
        remember(self.path)
        self.panel.show_recent()
        self.last = ScriptSession(self.path, args, recorder=self.recorder, log=self.log)
        self.panel.result.setText(f"{html.escape(os.path.basename(self.path))}: running...")
        return self.last

    def refused(self, session: ScriptSession | None, reason: str) -> None:
        self.panel.result.setText(f"Not started: {html.escape(reason)}")

    def show(self, session: ScriptSession, event: Event) -> None:
        if isinstance(event, Ended):
            self.panel.result.setText(html.escape(event.summary))

    def fix(self) -> bool:
        return False  # (a script's cure is the user's to write)
