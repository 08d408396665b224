"""The Qt side of the lessons: the lesson panel, the code view, the outcome panel, the
Run xN histogram, the deadlock banner, and the thread that runs a lesson for the window.

The lessons themselves (:mod:`app.lessons`) know nothing of Qt. A lesson run here gets a
:class:`~app.lessons.base.RunContext` wired to the window's log and to :class:`QtLoop`,
which lets a lesson put work on the real GUI thread (to freeze it, on purpose).
"""

from __future__ import annotations

import html
import re
import threading
import time
import traceback
from collections import Counter
from typing import Any, Callable

import numpy as np
import pyqtgraph as pg
from pyqtgraph.Qt import QtCore, QtGui, QtWidgets

from app.core.latency import LatencyMeter
from app.core import primitives
from app.core.logbook import LogBook
from app.core.recorder import Recorder
from app.core.watchdog import Watchdog
from app.lessons import LESSONS
from app.lessons.base import Lesson, Param, Result, RunContext, Stopper, run_lesson


class QtLoop(QtCore.QObject):
    """The window's event loop as a lesson sees it: ``call(fn)`` runs ``fn`` on the GUI thread."""

    _invoke = QtCore.Signal(object)

    def __init__(self, latency: LatencyMeter, watchdog: Watchdog, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self.latency = latency
        self.watchdog = watchdog
        self.closed = threading.Event()
        self._invoke.connect(self._run)  # queued: emitted from a lesson thread

    def call(self, fn: Callable[[], Any], timeout: float = 60.0) -> Any:
        """Run ``fn`` on the GUI thread; block the calling (lesson) thread until it returns.

        Gives up with ``RuntimeError`` once the window has closed (:attr:`closed`), so a
        lesson thread never waits for a loop that will not run again.
        """
        if threading.current_thread() is threading.main_thread():
            raise RuntimeError("QtLoop.call is for lesson threads; the GUI thread would wait for itself")
        done, box = threading.Event(), {}
        self._invoke.emit((fn, box, done))
        waited = 0.0
        while not done.wait(0.05):
            waited += 0.05
            if self.closed.is_set():
                raise RuntimeError("the window closed before it could run the job")
            if waited >= timeout:
                raise TimeoutError(f"the GUI thread did not run the job within {timeout:g} s")
        if "error" in box:
            raise box["error"]
        return box.get("result")

    def _run(self, job: tuple) -> None:
        fn, box, done = job
        try:
            box["result"] = fn()
        except Exception as exc:  # noqa: BLE001 - handed back to the lesson thread
            box["error"] = exc
        finally:
            done.set()


class LessonRunner:
    """Runs one lesson (N times) on a ``lesson-main`` thread; the window polls it.

    Owner of that thread: :meth:`stop` asks it to end, :meth:`join` waits with a bound.
    """

    def __init__(self, lesson: Lesson, params: dict[str, Any], repeat: int, log: LogBook, loop: QtLoop,
                 recorder: Recorder) -> None:
        self.lesson = lesson
        self.params = params
        self.repeat = repeat
        self.stopper = Stopper()
        self.runs: list[dict[str, Any]] = []
        self.result: Result | None = None
        self.error: str = ""
        self.ctx: RunContext | None = None
        self._log, self._loop, self._recorder = log, loop, recorder
        # recorded like the lesson's own threads: its lane starts and ends with each Start
        self._thread = primitives.Thread(target=self._main, name="lesson-main", daemon=True, recorder=recorder)

    def start(self) -> None:
        self._thread.start()

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def stop(self) -> None:
        """Stop the current run and the repeats after it."""
        self.stopper.request()

    def join(self, timeout: float) -> bool:
        """Wait up to ``timeout`` s; True if the lesson thread ended."""
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _context(self) -> RunContext:
        self.ctx = RunContext(log=self._log, loop=self._loop, auto_break=False, recorder=self._recorder)
        return self.ctx

    def _main(self) -> None:
        try:
            self.result = run_lesson(self.lesson, self.params, self.repeat, self._context,
                                     lambda i, values: self.runs.append(values), self.stopper)
        except Exception as exc:  # noqa: BLE001 - shown in the outcome panel
            self.error = f"{exc!r}"
            self._log.write(f"lesson failed: {exc!r}\n{traceback.format_exc().rstrip()}", "error")


# -- widgets -------------------------------------------------------------------------------
class PythonHighlighter(QtGui.QSyntaxHighlighter):
    """Small Python highlighter: keywords, strings, comments, numbers, definitions."""

    KEYWORDS = (
        "and as assert break class continue def del elif else except finally for from global if "
        "import in is lambda nonlocal not or pass raise return try while with yield None True False"
    ).split()

    def __init__(self, document: QtGui.QTextDocument) -> None:
        super().__init__(document)
        self.rules = [
            (re.compile(r"\b(" + "|".join(self.KEYWORDS) + r")\b"), self._fmt("#7b2fa8", bold=True)),
            (re.compile(r"\b\d[\d_]*(\.\d+)?\b"), self._fmt("#b35900")),
            (re.compile(r"(?<=\bdef )\w+|(?<=\bclass )\w+"), self._fmt("#1f5fbf", bold=True)),
            (re.compile(r"\bctx\.\w+|\bthreading\.\w+"), self._fmt("#0b7a5a")),
            (re.compile(r"(f?\"[^\"\n]*\"|f?'[^'\n]*')"), self._fmt("#a31515")),
            (re.compile(r"#[^\n]*"), self._fmt("#6a737d", italic=True)),
        ]

    @staticmethod
    def _fmt(color: str, bold: bool = False, italic: bool = False) -> QtGui.QTextCharFormat:
        fmt = QtGui.QTextCharFormat()
        fmt.setForeground(QtGui.QColor(color))
        if bold:
            fmt.setFontWeight(QtGui.QFont.Bold)
        fmt.setFontItalic(italic)
        return fmt

    def highlightBlock(self, text: str) -> None:  # noqa: N802 - Qt's name
        for pattern, fmt in self.rules:
            for match in pattern.finditer(text):
                self.setFormat(match.start(), match.end() - match.start(), fmt)


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
    """Editable, bounded widgets for a lesson's parameters."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.form = QtWidgets.QFormLayout(self)
        self.form.setContentsMargins(0, 0, 0, 0)
        self.widgets: dict[str, QtWidgets.QWidget] = {}

    def show_params(self, params: tuple[Param, ...]) -> None:
        while self.form.rowCount():
            self.form.removeRow(0)
        self.widgets = {}
        for p in params:
            widget = self._widget_for(p)
            widget.setObjectName(f"param-{p.name}")
            widget.setToolTip(f"{p.help} ({p.describe()})".strip())
            self.widgets[p.name] = widget
            self.form.addRow(p.name, widget)

    @staticmethod
    def _widget_for(p: Param) -> QtWidgets.QWidget:
        if p.choices:
            box = QtWidgets.QComboBox()
            box.addItems(list(p.choices))
            box.setCurrentText(p.default)
            return box
        if isinstance(p.default, int):
            spin = QtWidgets.QSpinBox()
            spin.setRange(int(p.low), int(p.high))
            spin.setGroupSeparatorShown(True)
        else:
            spin = QtWidgets.QDoubleSpinBox()
            spin.setDecimals(3)
            spin.setRange(p.low, p.high)
            spin.setSingleStep(0.05 if p.default < 1 else 0.5)
        spin.setValue(p.default)
        if p.unit:
            spin.setSuffix(f" {p.unit}")
        return spin

    def values(self) -> dict[str, Any]:
        out = {}
        for name, w in self.widgets.items():
            out[name] = w.currentText() if isinstance(w, QtWidgets.QComboBox) else w.value()
        return out

    def set_value(self, name: str, value: Any) -> None:
        w = self.widgets[name]
        if isinstance(w, QtWidgets.QComboBox):
            w.setCurrentText(value)
        else:
            w.setValue(value)


class LessonPanel(QtWidgets.QWidget):
    """Lesson list, the chosen lesson's text, its parameters and the Run xN count."""

    lesson_changed = QtCore.Signal(str)

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QtWidgets.QVBoxLayout(self)
        self.list = QtWidgets.QListWidget()
        self.list.setObjectName("lessons")
        for lesson in LESSONS.values():
            item = QtWidgets.QListWidgetItem(f"{lesson.id}")
            item.setToolTip(lesson.title)
            item.setData(QtCore.Qt.UserRole, lesson.id)
            self.list.addItem(item)
        self.list.setMaximumHeight(200)
        self.text = QtWidgets.QTextBrowser()
        self.text.setObjectName("lesson-text")
        self.params = ParamForm()
        self.repeat_spin = QtWidgets.QSpinBox()
        self.repeat_spin.setRange(1, 200)
        self.repeat_spin.setToolTip("how many runs Run xN makes (for lessons whose outcome varies)")
        repeat_row = QtWidgets.QFormLayout()
        repeat_row.addRow("Runs for Run xN", self.repeat_spin)
        layout.addWidget(self.list)
        layout.addWidget(self.text, 1)
        box = QtWidgets.QGroupBox("Parameters")
        inner = QtWidgets.QVBoxLayout(box)
        inner.addWidget(self.params)
        inner.addLayout(repeat_row)
        layout.addWidget(box)
        self.list.currentRowChanged.connect(self._on_row)
        self.list.setCurrentRow(0)

    def lesson(self) -> Lesson:
        return LESSONS[self.list.currentItem().data(QtCore.Qt.UserRole)]

    def select(self, lesson_id: str) -> None:
        self.list.setCurrentRow(list(LESSONS).index(lesson_id))

    def _on_row(self, row: int) -> None:
        lesson = list(LESSONS.values())[row]
        self.text.setHtml(lesson_html(lesson))
        self.params.show_params(lesson.params)
        self.repeat_spin.setValue(max(lesson.repeat, 10) if lesson.varies else 1)
        self.repeat_spin.setEnabled(lesson.varies)
        self.lesson_changed.emit(lesson.id)


class CodeView(QtWidgets.QPlainTextEdit):
    """The chosen lesson's source, read-only and highlighted."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setObjectName("code")
        self.setLineWrapMode(QtWidgets.QPlainTextEdit.NoWrap)
        self.setFont(QtGui.QFontDatabase.systemFont(QtGui.QFontDatabase.FixedFont))
        self.highlighter = PythonHighlighter(self.document())

    def show_lesson(self, lesson: Lesson) -> None:
        self.setPlainText(lesson.source)


class OutcomePanel(QtWidgets.QLabel):
    """One sentence on what was measured and whether it matches the lesson's prediction."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("outcome")
        self.setWordWrap(True)
        self.setTextInteractionFlags(QtCore.Qt.TextSelectableByMouse)
        self.setMargin(6)
        self.clear_outcome()

    def clear_outcome(self, text: str = "Choose a lesson and press Start.") -> None:
        self.setText(text)
        self.setStyleSheet("background:#f1f1ec; color:#333;")

    def show_running(self, lesson: Lesson, done: int, total: int) -> None:
        self.setText(f"{lesson.id}: running ({done} of {total} runs done)...")
        self.setStyleSheet("background:#eef3fb; color:#333;")

    def show_result(self, result: Result) -> None:
        mark = "matches the prediction" if result.ok else "does NOT match the prediction"
        stopped = " (stopped early)" if result.stopped else ""
        self.setText(f"<b>{result.scenario}: {mark}{stopped}.</b> {html.escape(result.summary)}")
        self.setStyleSheet("background:#e3f4e1; color:#1b4d1b;" if result.ok else "background:#fbe3e1; color:#7a1b12;")


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
        if not values:
            return
        numeric = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)
        distinct = Counter(values)
        if numeric and len(distinct) > 12:
            heights, edges = np.histogram(np.asarray(values, dtype=float), bins=12)
            whole = all(float(v).is_integer() for v in values)
            labels = [f"{int(np.ceil(e))}" if whole else f"{e:.3g}" for e in edges[:-1]]
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
    """Says in plain words that lesson threads are deadlocked; offers to break it, or re-run fixed."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("deadlock")
        self.setStyleSheet("QFrame#deadlock { background:#fff3cd; border:1px solid #d9a400; }")
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        self.label = QtWidgets.QLabel()
        self.label.setWordWrap(True)
        self.break_button = QtWidgets.QPushButton("Break the wait")
        self.break_button.setToolTip("the waiting acquire raises WaitBroken inside that thread; "
                                     "the lesson reports it")
        self.fix_button = QtWidgets.QPushButton()
        buttons = QtWidgets.QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.break_button)
        buttons.addWidget(self.fix_button)
        layout.addWidget(self.label)
        layout.addLayout(buttons)
        self.hide()

    def show_finding(self, text: str, fix_label: str | None) -> None:
        """Show ``text``; offer the lesson's fix as a re-run when it has one."""
        self.label.setText(text)
        self.fix_button.setText(fix_label or "")
        self.fix_button.setVisible(fix_label is not None)
        self.show()


class LessonController:
    """Start / Stop / Acquire Lock / Run xN for the chosen lesson, and what the window shows.

    The window calls :meth:`tick` from its display timer; everything here runs on the GUI
    thread, and reads the lesson thread's state (runs so far, its context) without waiting.
    """

    def __init__(self, panel: LessonPanel, code: CodeView, outcome: OutcomePanel,
                 histogram: RunsHistogram, banner: DeadlockBanner, log: LogBook, loop: QtLoop,
                 recorder: Recorder, show_message: Callable[[str, int], None]) -> None:
        self.panel, self.code, self.outcome = panel, code, outcome
        self.histogram, self.banner, self.log, self.loop = histogram, banner, log, loop
        self.recorder = recorder
        self.show_message = show_message
        self.runner: LessonRunner | None = None
        self.started_at = 0.0  # time.monotonic() of the last Start
        self.last_result: Result | None = None  # of the last run that ended
        self._last_ctx: RunContext | None = None
        self.last_array: np.ndarray | None = None
        self._shown_findings = 0
        self._rerun_fixed = False
        panel.lesson_changed.connect(self._on_lesson_changed)
        banner.break_button.clicked.connect(self.break_deadlock)
        banner.fix_button.clicked.connect(self.rerun_fixed)
        self._on_lesson_changed(panel.lesson().id)

    @property
    def running(self) -> bool:
        return self.runner is not None and self.runner.running

    def start(self, repeat: int | None = None) -> bool:
        """Run the chosen lesson (``repeat`` times; default: the lesson's own count)."""
        if self.running:
            return False
        lesson = self.panel.lesson()
        try:
            params = lesson.check_params(self.panel.params.values())
        except ValueError as exc:
            self.show_message(f"Not started: {exc}", 10000)
            return False
        repeat = lesson.repeat if repeat is None else repeat
        self.runner = LessonRunner(lesson, params, repeat, self.log, self.loop, self.recorder)
        self._shown_findings = 0
        self.banner.hide()
        self.histogram.setVisible(lesson.histogram_key is not None and repeat > 1)
        self.histogram.show_values(lesson.histogram_key or "", [])
        self.outcome.show_running(lesson, 0, repeat)
        self.log.write(f"lesson {lesson.id}: {repeat} run(s) with {params}", "note", thread="GUI")
        self.started_at = time.monotonic()
        self.runner.start()
        return True

    def stop(self) -> None:
        if self.runner is not None:
            self.runner.stop()

    def lock_target(self):
        """The lock the GUI may take in this lesson: its first plain lock, if it made one."""
        ctx = self.runner.ctx if self.running else None
        plain = [lock for lock in (ctx.locks if ctx else []) if not lock.reentrant]
        return plain[0] if plain else None

    def locks(self) -> list:
        """The locks of the running (or last) run, for the lock panel."""
        ctx = self.runner.ctx if self.runner is not None else self._last_ctx
        return list(ctx.locks) if ctx is not None else []

    def array(self) -> np.ndarray | None:
        """What the plot should show: the running (or last) lesson's array."""
        ctx = self.runner.ctx if self.runner is not None else None
        if ctx is not None and ctx.array is not None:
            self.last_array = ctx.array
        return self.last_array

    def tick(self) -> bool:
        """Update from the lesson thread; return True when a run has just ended."""
        runner = self.runner
        if runner is None:
            return False
        lesson = runner.lesson
        self._update_histogram(lesson, list(runner.runs))
        ctx = runner.ctx
        if ctx is not None and len(ctx.findings) > self._shown_findings:
            self._shown_findings = len(ctx.findings)
            finding = ctx.findings[-1]
            headline, *details = finding.explain_lines()
            text = (f"<b>{html.escape(headline)}</b> (found {finding.detected_after:.2f} s after it formed)"
                    + "".join(f"<br>{html.escape(line)}" for line in details))
            self.banner.show_finding(text, lesson.fix[2] if lesson.fix else None)
        if runner.running:
            self.outcome.show_running(lesson, len(runner.runs), runner.repeat)
            return False
        if runner.result is not None:
            self._update_histogram(lesson, runner.result.runs)  # runs that ended since the last look
            self.outcome.show_result(runner.result)
        else:
            self.outcome.clear_outcome(f"{lesson.id}: the lesson failed: {runner.error}")
        self.banner.hide()
        self._last_ctx = runner.ctx
        self.last_result = runner.result
        self.runner = None
        if self._rerun_fixed and lesson.fix:
            self._rerun_fixed = False
            name, value, _label = lesson.fix
            self.panel.params.set_value(name, value)
            QtCore.QTimer.singleShot(0, self.start)
        return True

    def _update_histogram(self, lesson: Lesson, runs: list[dict[str, Any]]) -> None:
        """Redraw the histogram if it is shown and runs were added since it was drawn."""
        if lesson.histogram_key and self.histogram.isVisible() and len(runs) != sum(self.histogram.counts.values()):
            self.histogram.show_values(lesson.histogram_key, [r.get(lesson.histogram_key) for r in runs])

    def break_deadlock(self) -> None:
        """Make the stuck acquire raise inside the lesson thread."""
        if self.runner is not None and self.runner.ctx is not None:
            names = self.runner.ctx.break_waits()
            self.log.write(f"GUI broke the wait of: {', '.join(names) or 'nobody'}", "note", thread="GUI")

    def rerun_fixed(self) -> None:
        """Break the wait, then run the same lesson again with its fix (an RLock, one lock order)."""
        self._rerun_fixed = True
        self.break_deadlock()

    def shutdown(self, timeout: float) -> bool:
        """Stop the lesson and wait for its thread (bounded); True if it ended."""
        if self.runner is None:
            return True
        self.runner.stop()
        return self.runner.join(timeout)

    def _on_lesson_changed(self, lesson_id: str) -> None:
        lesson = LESSONS[lesson_id]
        self.code.show_lesson(lesson)
        if not self.running:
            self.outcome.clear_outcome(f"{lesson.id}: press Start to run it"
                                       + (", or Run xN to see how its outcome varies." if lesson.varies else "."))
            self.histogram.setVisible(False)
            self.last_array = None
