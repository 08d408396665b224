"""The Qt side of the lessons: the lesson list and text, the parameter form, the code pane
(the program, editable), the outcome panel, the Run xN histogram, the deadlock banner,
and :class:`LessonPage`, which turns what they show into a
:class:`~app.lessons.session.LessonSession` for the window to run.

The parameter form and the code pane show the same thing: a parameter is a constant at
the top of the program, and changing one changes the other.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from typing import Any

import numpy as np
import pyqtgraph as pg
from pyqtgraph.Qt import QtCore, QtWidgets

from ..core.logbook import LogBook
from ..core.params import Param
from ..core.recorder import Recorder
from ..core.session import Ended, Event, Progress
from ..core.source import constants, with_constants
from ..core.stepcontrol import StepControl
from ..core.words import duration, plural
from .editor import CodeEditor, lay_out_code_pane
from .fields import FloatField, IntField, noted
from ..lessons import LESSONS
from ..lessons.base import LONG_S, Lesson
from ..lessons.exploring import ExploreSession
from ..lessons.session import LessonSession


def lesson_html(lesson: Lesson) -> str:
    """The lesson text as simple HTML: paragraphs, with "Try:" and friends in bold."""
    parts = []
    for para in lesson.text.split("\n\n"):
        text = html.escape(" ".join(para.split()))
        text = re.sub(r"``(.+?)``", r"<code>\1</code>", text)
        text = re.sub(r"^(Try|Look for|Why):", r"<b>\1:</b>", text)
        parts.append(f"<p>{text}</p>")
    return f"<h3>{html.escape(lesson.title)}</h3>" + "".join(parts)


class ParamForm(QtWidgets.QWidget):
    """Bounded widgets for a lesson's parameters, one per constant of its program."""

    changed = QtCore.Signal()

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.form = QtWidgets.QFormLayout(self)
        self.form.setContentsMargins(0, 0, 0, 0)
        self.widgets: dict[str, QtWidgets.QWidget] = {}
        self._quiet = False

    def show_params(self, params: tuple[Param, ...]) -> None:
        while self.form.rowCount():
            self.form.removeRow(0)
        self.widgets = {}
        for p in params:
            widget = self._widget_for(p)
            widget.setObjectName(f"param-{p.name}")
            widget.setToolTip(f"{p.help} ({p.describe()})".strip())
            self.widgets[p.name] = widget
            self.form.addRow(p.name, noted(widget) if isinstance(widget, (IntField, FloatField)) else widget)

    def _widget_for(self, p: Param) -> QtWidgets.QWidget:
        if p.choices:
            box = QtWidgets.QComboBox()
            box.addItems(list(p.choices))
            box.setCurrentText(p.default)
            box.currentTextChanged.connect(self._changed)
            return box
        if isinstance(p.default, bool):
            check = QtWidgets.QCheckBox()
            check.setChecked(p.default)
            check.toggled.connect(self._changed)
            return check
        if isinstance(p.default, int):
            spin = IntField()
            spin.setRange(int(p.low), int(p.high))
            spin.setGroupSeparatorShown(True)
        else:
            spin = FloatField()
            spin.setDecimals(3)
            spin.setRange(p.low, p.high)
            spin.setSingleStep(0.05 if p.default < 1 else 0.5)
        spin.setValue(p.default)
        spin.setKeyboardTracking(False)  # one change per value typed, not per digit
        if p.unit:
            spin.setSuffix(f" {p.unit}")
        spin.valueChanged.connect(self._changed)
        return spin

    def _changed(self, *_: object) -> None:
        if not self._quiet:
            self.changed.emit()

    def values(self) -> dict[str, Any]:
        out = {}
        for name, w in self.widgets.items():
            if isinstance(w, QtWidgets.QComboBox):
                out[name] = w.currentText()
            elif isinstance(w, QtWidgets.QCheckBox):
                out[name] = w.isChecked()
            else:
                out[name] = w.value()
        return out

    def set_value(self, name: str, value: Any) -> None:
        """Show ``value`` for ``name`` (emits :attr:`changed` like a user's change)."""
        w = self.widgets[name]
        if isinstance(w, QtWidgets.QComboBox):
            w.setCurrentText(value)
        elif isinstance(w, QtWidgets.QCheckBox):
            w.setChecked(bool(value))
        else:
            w.setValue(value)

    def show_values(self, values: dict[str, Any]) -> None:
        """Show ``values`` without emitting :attr:`changed` (they came from the code)."""
        self._quiet = True
        try:
            for name, value in values.items():
                if name in self.widgets:
                    self.set_value(name, value)
        finally:
            self._quiet = False


class LessonPanel(QtWidgets.QWidget):
    """Lesson list, the chosen lesson's text, its parameters and the Run xN count."""

    lesson_changed = QtCore.Signal(str)

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QtWidgets.QVBoxLayout(self)
        self.list = QtWidgets.QListWidget()
        self.list.setObjectName("lessons")
        for number, lesson in enumerate(LESSONS.values(), 1):  # (in teaching order)
            item = QtWidgets.QListWidgetItem(f"{number}. {lesson.short_title}")
            item.setToolTip(f"{lesson.id}: {lesson.title}")
            item.setData(QtCore.Qt.ItemDataRole.UserRole, lesson.id)
            self.list.addItem(item)
        self.list.setMaximumHeight(200)
        self.text = QtWidgets.QTextBrowser()
        self.text.setObjectName("lesson-text")
        self.params = ParamForm()
        self.repeat_spin = IntField()
        self.repeat_spin.setRange(1, 200)
        self.repeat_spin.setToolTip("how many runs Run xN makes (for lessons whose outcome varies)")
        repeat_row = QtWidgets.QFormLayout()
        repeat_row.addRow("Runs for Run xN", noted(self.repeat_spin))
        layout.addWidget(self.list)
        layout.addWidget(self.text, 1)
        box = QtWidgets.QGroupBox("Constants of the program")
        inner = QtWidgets.QVBoxLayout(box)
        inner.addWidget(self.params)
        inner.addLayout(repeat_row)
        layout.addWidget(box)
        self.list.currentRowChanged.connect(self._on_row)
        self.list.setCurrentRow(0)

    def lesson(self) -> Lesson:
        return LESSONS[self.list.currentItem().data(QtCore.Qt.ItemDataRole.UserRole)]

    def select(self, lesson_id: str) -> None:
        self.list.setCurrentRow(list(LESSONS).index(lesson_id))

    def _on_row(self, row: int) -> None:
        lesson = list(LESSONS.values())[row]
        self.text.setHtml(lesson_html(lesson))
        self.params.show_params(lesson.params)
        self.repeat_spin.setValue(max(2 * lesson.repeat, 10) if lesson.varies else 1)  # (more than Start's)
        self.repeat_spin.setEnabled(lesson.varies)
        self.lesson_changed.emit(lesson.id)


class CodePane(QtWidgets.QWidget):
    """The program in an editor, with Run edited code, Revert and the font size."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.editor = CodeEditor()
        self.title = QtWidgets.QLabel()
        self.title.setObjectName("code-title")
        self.run_button = QtWidgets.QPushButton("Run edited code")
        self.run_button.setToolTip("run the program as the editor shows it, with the lanes and the check")
        self.explore_button = QtWidgets.QPushButton("Explore")
        self.explore_button.setToolTip("run the program under every interleaving of its threads (up to 2 "
                                       "preemptions, 30 s) and list the outcomes (F7)")
        self.step_button = QtWidgets.QPushButton("Step through")
        self.step_button.setToolTip("run the program one line at a time, choosing which thread goes next (F6)")
        self.revert_button = QtWidgets.QPushButton("Revert")
        self.revert_button.setToolTip("bring the lesson's program back, as it was")
        self.smaller = QtWidgets.QToolButton()
        self.smaller.setText("A-")
        self.smaller.setToolTip("smaller font (Ctrl+wheel)")
        self.larger = QtWidgets.QToolButton()
        self.larger.setText("A+")
        self.larger.setToolTip("larger font, for a projector (Ctrl+wheel)")
        self.smaller.clicked.connect(lambda: self.editor.zoom(-1))
        self.larger.clicked.connect(lambda: self.editor.zoom(1))
        lay_out_code_pane(self, self.title, self.editor,
                          (self.smaller, self.larger, self.revert_button, self.explore_button, self.step_button,
                           self.run_button))

    def show_state(self, name: str, edited: bool) -> None:
        self.title.setText(f"<b>{html.escape(name)}</b>" + (" <i>(edited)</i>" if edited else ""))
        self.run_button.setEnabled(edited)
        self.revert_button.setEnabled(edited)


class OutcomePanel(QtWidgets.QLabel):
    """One sentence on what was measured and whether it matches the lesson's prediction."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("outcome")
        self.setWordWrap(True)
        self.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setMargin(6)
        self.clear_outcome()

    def clear_outcome(self, text: str = "Choose a lesson and press Start.") -> None:
        self.setText(text)
        self.setStyleSheet("background:#f1f1ec; color:#333;")

    def show_running(self, name: str, done: int, total: int, left_s: float = 0.0) -> None:
        """Runs done so far, and about how long the rest will take when that is long."""
        left = f", about {duration(left_s)} left" if left_s >= LONG_S else ""
        self.setText(f"{name}: running ({done} of {plural(total, 'run')} done{left})...")
        self.setStyleSheet("background:#eef3fb; color:#333;")

    def show_ended(self, name: str, ended: Ended, stopped: bool, edited: bool) -> None:
        mark = {True: "matches the prediction", False: "does NOT match the prediction",
                None: "cannot tell yet"}[ended.ok]
        notes = (" (stopped early)" if stopped else "") + (" (edited program)" if edited else "")
        self.setText(f"<b>{html.escape(name)}: {mark}{notes}.</b> {html.escape(ended.summary)}")
        colours = {True: "background:#e3f4e1; color:#1b4d1b;", False: "background:#fbe3e1; color:#7a1b12;",
                   None: "background:#fff6dc; color:#5c4400;"}
        self.setStyleSheet(colours[ended.ok])


#: Lines of a deadlock's explanation shown at once (the rest scrolls).
BANNER_LINES = 7


def bin_label(edge: float, width: float) -> str:
    """A bin's left edge written to the bin width's precision: an edge that floating point
    left at 5.55e-17 instead of 0 reads "0"."""
    decimals = max(0, 1 - int(np.floor(np.log10(width)))) if width > 0 else 3
    value = round(float(edge), decimals)
    return f"{value + 0.0:.{decimals}f}".rstrip("0").rstrip(".") if decimals else f"{value:.0f}"


class RunsHistogram(QtWidgets.QWidget):
    """The distribution of one measured value over repeated runs.

    Its pyqtgraph plot is made on first use: making one costs about 25 ms of the
    window's start-up, and it is only shown after Run xN.
    """

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumHeight(100)  # room for the bars, their labels and the axis title
        self.setMaximumHeight(190)
        self._layout = QtWidgets.QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self.plot: pg.PlotWidget | None = None
        self.bars: pg.BarGraphItem | None = None
        self.counts: dict[str, int] = {}

    def _made_plot(self) -> pg.PlotWidget:
        if self.plot is None:
            self.plot = pg.PlotWidget(background="w")
            self.plot.getPlotItem().setLabel("left", "runs")
            self.plot.getAxis("bottom").enableAutoSIPrefix(False)  # the tick labels are the values themselves
            self._layout.addWidget(self.plot)
        return self.plot

    def show_values(self, key: str, values: list[Any]) -> None:
        """Bars for each distinct value (few values or words) or bins of numbers."""
        plot = self._made_plot()
        plot.clear()
        self.counts = {}
        plot.getPlotItem().setLabel("bottom", f"{key} over {len(values)} runs")
        values = [v for v in values if v is not None]
        if not values:
            return
        numeric = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)
        distinct = Counter(values)
        if numeric and len(distinct) > 12:
            heights, edges = np.histogram(np.asarray(values, dtype=float), bins=12)
            whole = all(float(v).is_integer() for v in values)
            labels = [f"{int(np.ceil(e))}" if whole else bin_label(e, edges[1] - edges[0]) for e in edges[:-1]]
        else:
            keys = sorted(distinct, key=lambda v: (str(type(v)), v))
            heights = [distinct[k] for k in keys]
            labels = [f"{k:.6g}" if isinstance(k, float) else str(k) for k in keys]
        self.counts = dict(zip(labels, (int(h) for h in heights)))
        x = np.arange(len(heights))
        self.bars = pg.BarGraphItem(x=x, height=heights, width=0.8, brush="#4c8bd6")
        plot.addItem(self.bars)
        step = 1 if len(labels) <= 8 else 2  # every other label when there are many bars
        plot.getAxis("bottom").setTicks([[(i, label) for i, label in zip(x, labels) if i % step == 0]])


class DeadlockBanner(QtWidgets.QFrame):
    """Says in plain words that threads are deadlocked; offers to break it, or re-run fixed."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("deadlock")
        self.setStyleSheet("QFrame#deadlock { background:#fff3cd; border:1px solid #d9a400; }")
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        self.label = QtWidgets.QLabel()
        self.label.setWordWrap(True)
        self.label.setAlignment(QtCore.Qt.AlignmentFlag.AlignTop)
        # a circle of many threads is a long text: it scrolls, and the lanes above keep their room
        self.scroll = QtWidgets.QScrollArea()
        self.scroll.setWidget(self.label)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
        self.scroll.setStyleSheet("background:transparent")
        self.scroll.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.break_button = QtWidgets.QPushButton("Break the wait")
        self.break_button.setToolTip("the waiting acquire raises WaitBroken inside that thread")
        self.fix_button = QtWidgets.QPushButton()
        buttons = QtWidgets.QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.break_button)
        buttons.addWidget(self.fix_button)
        layout.addWidget(self.scroll)
        layout.addLayout(buttons)
        self.hide()

    def show_finding(self, text: str, fix_label: str | None) -> None:
        """Show ``text``; offer the lesson's fix as a re-run when it has one."""
        self.label.setText(text)
        self.scroll.setMaximumHeight(self.label.fontMetrics().lineSpacing() * BANNER_LINES + 4)
        self.scroll.setMinimumHeight(min(self.label.heightForWidth(self.scroll.viewport().width()),
                                         self.scroll.maximumHeight()))
        self.fix_button.setText(fix_label or "")
        self.fix_button.setVisible(fix_label is not None)
        self.show()


class LessonPage(QtCore.QObject):
    """The Lessons tab as the window sees it: makes lesson sessions and shows their outcome.

    The window calls :meth:`new_session` on Start (or Run xN, or Run edited code) and
    hands each event of the session to :meth:`show`; everything shown only for lessons
    (the code pane, the outcome, the histogram) is this page's.
    """

    can_reset = False  # the Lab's array is not a lesson's

    def __init__(self, panel: LessonPanel, code: CodePane, outcome: OutcomePanel, histogram: RunsHistogram,
                 log: LogBook, recorder: Recorder) -> None:
        super().__init__()
        self.panel, self.code, self.outcome, self.histogram = panel, code, outcome, histogram
        self.log, self.recorder = log, recorder
        self.last: LessonSession | None = None  # the last session started here
        self._syncing = False
        self._text_seen = ""  # (Qt says "text changed" for new colours too)
        panel.lesson_changed.connect(self._on_lesson_changed)
        panel.params.changed.connect(self._form_changed)
        code.editor.textChanged.connect(self._code_changed)
        code.revert_button.clicked.connect(self.revert)
        self._on_lesson_changed(panel.lesson().id)

    @property
    def lesson(self) -> Lesson:
        return self.panel.lesson()

    @property
    def can_repeat(self) -> bool:
        return self.lesson.varies

    @property
    def shows_array(self) -> bool:
        return self.lesson.shows_array

    def activate(self, active: bool) -> None:
        """Show (or hide) what only lessons show: the code pane and the outcome."""
        self.code.setVisible(active)
        self.outcome.setVisible(active)
        if not active:
            self.histogram.hide()

    def program(self) -> str:
        """What runs: the editor's text."""
        return self.code.editor.toPlainText()

    def edited(self) -> bool:
        """True if the editor's text is not the lesson's program with the form's constants."""
        try:
            return self.program() != self.lesson.program(self.panel.params.values())
        except (KeyError, SyntaxError, ValueError):
            return True

    # -- sessions -----------------------------------------------------------------------------
    def idle_session(self) -> LessonSession:
        """What the window holds between runs: the last run's locks and array, or nothing."""
        if self.last is not None and self.last.lesson is self.lesson:
            return self.last
        return LessonSession(self.lesson, self.program(), recorder=self.recorder, log=self.log)

    def new_session(self, repeat: int | None = None, stepping: StepControl | None = None) -> LessonSession:
        """A session of the program the editor shows (``repeat`` runs; default: the lesson's;
        with ``stepping``: one run, stepped)."""
        self.code.editor.clear_marks()
        self.code.editor.set_thread_marks([])
        session = LessonSession(self.lesson, self.program(), repeat, recorder=self.recorder, log=self.log,
                                stepping=stepping)
        self.last = session
        self.histogram.setVisible(self.lesson.histogram_key is not None and repeat is not None and repeat > 1)
        self.histogram.show_values(self.lesson.histogram_key or "", [])
        self.outcome.show_running(self.lesson.id, 0, session.repeat)
        return session

    def refused(self, session: LessonSession | None, reason: str) -> None:
        """Start refused: point at the line, if the reason has one."""
        line = session.error_line if session is not None else None
        if line is not None:
            self.code.editor.mark_line(line, reason)
        self.outcome.clear_outcome(f"Not started: {reason}")

    def show(self, session: LessonSession, event: Event) -> None:
        """Show what ``session`` reported, where the lessons show it."""
        if isinstance(session, ExploreSession):  # (no verdict: what it found is listed)
            if isinstance(event, Ended):
                self.outcome.clear_outcome(f"<b>Explored.</b> {html.escape(event.summary)}. The outcomes are "
                                           "listed under the code: Step through one to see how it comes about.")
            return
        key = session.lesson.histogram_key
        if isinstance(event, Progress):
            if session.running:
                self.outcome.show_running(session.lesson.id, event.done, event.total, session.seconds_left())
            if key and self.histogram.isVisible():
                self.histogram.show_values(key, [r.get(key) for r in event.runs])
        elif isinstance(event, Ended):
            result = event.result
            self.outcome.show_ended(session.lesson.id, event, bool(result and result.stopped),
                                    bool(result and result.edited))
            if event.line is not None:
                self.code.editor.mark_line(event.line, "the program failed here (see the Output tab)")

    def fix(self) -> bool:
        """Write the lesson's cure for its deadlock into the program; False if it has none."""
        fix = self.lesson.fix
        if fix is None:
            return False
        name, value, _label = fix
        self.panel.params.set_value(name, value)  # the form writes it into the code
        return True

    def revert(self) -> None:
        """The lesson's program again, with the form's constants as the lesson has them."""
        self.panel.params.show_params(self.lesson.params)
        self._show_program(self.lesson.source)

    # -- keeping the form and the code in step ----------------------------------------------------
    def _on_lesson_changed(self, lesson_id: str) -> None:
        lesson = LESSONS[lesson_id]
        self._show_program(lesson.source)
        self.outcome.clear_outcome(f"{lesson.id}: press Start to run it"
                                   + (", or Run xN to see how its outcome varies." if lesson.varies else "."))
        self.histogram.setVisible(False)

    def _show_program(self, text: str) -> None:
        self._syncing = True
        try:
            self.code.editor.set_program(text)
        finally:
            self._syncing = False
        self.code.show_state(self.lesson.program_name, self.edited())

    def _form_changed(self) -> None:
        """A parameter changed in the form: write it into the program's constant."""
        if self._syncing:
            return
        try:
            text = with_constants(self.program(), self.panel.params.values())
        except (KeyError, SyntaxError):
            text = None  # the edited code no longer has that constant, or does not parse
        if text is not None:
            self._syncing = True
            try:
                self.code.editor.replace_text(text)
            finally:
                self._syncing = False
        self.code.show_state(self.lesson.program_name, self.edited())

    def _code_changed(self) -> None:
        """The code changed: show its constants in the form (those within bounds)."""
        text = self.program()
        if self._syncing or text == self._text_seen:
            return
        self._text_seen = text
        self.code.editor.clear_marks()
        try:
            found = constants(self.program())
        except SyntaxError:
            found = {}
        values = {}
        for p in self.lesson.params:
            if p.name in found:
                try:
                    values[p.name] = p.parse(found[p.name].value)
                except ValueError:
                    pass
        self._syncing = True
        try:
            self.panel.params.show_values(values)
        finally:
            self._syncing = False
        self.code.show_state(self.lesson.program_name, self.edited())
