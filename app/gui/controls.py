"""The Lab tab: what to run, where to run it; the button bar; and :class:`LabPage`, which
turns the panel's values into a session.

The panel only collects values; it never starts anything. Every field is bounded by
the core's :mod:`~app.core.params`, so Qt clamps typed values and the range is
written next to the field.
"""

from __future__ import annotations

import math
from typing import Any, Callable

from pyqtgraph.Qt import QtCore, QtWidgets

from ..core import params
from ..core.lab import Lab
from ..core.params import Param
from ..core.session import LabSession
from ..core.workers import KINDS, Settings
from .fields import FloatField, IntField, noted

WORKER_THREADS = "threads"
GUI_THREAD = "gui"

#: Which workers a fresh window has selected: the two element-wise mutators, which
#: race over the array, and a counter whose lines show the threads interleaving.
DEFAULT_COUNTS = {"counter": 1, "add-elementwise": 1, "divide-elementwise": 1}


def _int_spin(bound: Param, value: float | None = None) -> QtWidgets.QSpinBox:
    spin = IntField()
    spin.setRange(int(bound.low), int(bound.high))
    spin.setValue(int(bound.default if value is None else value))
    spin.setGroupSeparatorShown(True)
    spin.setToolTip(f"{bound.name}: {bound.describe()}")
    return spin


def _float_spin(bound: Param, decimals: int = 3, low: float | None = None) -> QtWidgets.QDoubleSpinBox:
    spin = FloatField()
    spin.setDecimals(decimals)
    spin.setRange(bound.low if low is None else low, bound.high)
    spin.setValue(bound.default)
    spin.setSingleStep(0.01 if bound.default < 1 else 0.5)
    spin.setSuffix(f" {bound.unit}" if bound.unit else "")
    spin.setToolTip(f"{bound.name}: {bound.describe()}")
    return spin


def _whole(value: Any) -> int:
    """``value`` as a whole number (ValueError for 2.5, "x", True)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
            or value != int(value):
        raise ValueError(f"{value!r} is not a whole number")
    return int(value)


def _set_within(spin: QtWidgets.QSpinBox | QtWidgets.QDoubleSpinBox, value: float) -> None:
    """``value`` in ``spin``, brought into its range first (a Qt 6 binding refuses a whole
    number past 32 bits with OverflowError instead of clamping it)."""
    spin.setValue(type(spin.value())(min(max(value, spin.minimum()), spin.maximum())))


def _number(value: Any) -> float:
    """``value`` as a finite number (ValueError for NaN, "x", True)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{value!r} is not a finite number")
    return float(value)


class VerticalScroll(QtWidgets.QScrollArea):
    """A scroll area that scrolls up and down only: it asks its layout for the width its
    widget needs, so nothing hides behind a sideways scroll bar (a larger font gets a
    wider column, not a cut field)."""

    def __init__(self, widget: QtWidgets.QWidget, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidget(widget)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

    def minimumSizeHint(self) -> QtCore.QSize:  # noqa: N802 - Qt's name
        hint = super().minimumSizeHint()
        needed = (self.widget().minimumSizeHint().width() + self.verticalScrollBar().sizeHint().width()
                  + 2 * self.frameWidth())
        return QtCore.QSize(max(hint.width(), needed), hint.height())

    def eventFilter(self, watched: QtCore.QObject, event: QtCore.QEvent) -> bool:  # noqa: N802 - Qt's name
        if watched is self.widget() and event.type() == QtCore.QEvent.Type.LayoutRequest:
            self.updateGeometry()  # (its needs changed: a font, a longer text)
        return super().eventFilter(watched, event)


def _form(box: QtWidgets.QGroupBox | None = None) -> QtWidgets.QFormLayout:
    """A form (of ``box``, or to nest) whose fields go under their labels when the column
    is too narrow for both."""
    form = QtWidgets.QFormLayout(box) if box is not None else QtWidgets.QFormLayout()
    form.setRowWrapPolicy(QtWidgets.QFormLayout.RowWrapPolicy.WrapLongRows)
    return form


class ControlPanel(QtWidgets.QWidget):
    """Inputs for a run plus the three buttons; read with :meth:`counts` and friends."""

    mode_changed = QtCore.Signal(str)

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(self._build_workers())
        layout.addWidget(self._build_where())
        layout.addWidget(self._build_settings())
        layout.addStretch(1)
        for spin in self.findChildren(QtWidgets.QAbstractSpinBox):
            spin.setMaximumWidth(130)  # keeps the panel narrow enough to leave room for the plot
        self._on_mode_toggled()

    # -- building ----------------------------------------------------------------------
    def _build_workers(self) -> QtWidgets.QGroupBox:
        box = QtWidgets.QGroupBox("Workers (how many of each)")
        form = _form(box)
        self.count_spins: dict[str, QtWidgets.QSpinBox] = {}
        for key, kind in KINDS.items():
            spin = IntField()
            spin.setRange(0, int(params.WORKERS_PER_KIND.high))
            spin.setValue(DEFAULT_COUNTS.get(key, 0))
            spin.setToolTip(kind.description)
            spin.setObjectName(f"count-{key}")
            self.count_spins[key] = spin
            form.addRow(kind.label, noted(spin))
        # (near the top, where a small screen still shows it, and a row of its own: the
        # form's columns stay narrow)
        self.use_lock_box = QtWidgets.QCheckBox("Use lock (held for each pass)")
        self.use_lock_box.setChecked(True)
        form.addRow(self.use_lock_box)
        return box

    def _build_where(self) -> QtWidgets.QGroupBox:
        box = QtWidgets.QGroupBox("Where the work runs")
        col = QtWidgets.QVBoxLayout(box)
        self.threads_radio = QtWidgets.QRadioButton("Worker threads (window stays live)")
        self.gui_radio = QtWidgets.QRadioButton("GUI thread (window freezes)")
        self.threads_radio.setChecked(True)
        self.threads_radio.toggled.connect(self._on_mode_toggled)
        self._threads_run_for, self._gui_run_for = 0.0, params.DURATION.default  # each mode's own
        self._mode_shown = WORKER_THREADS
        self.stop_after = _float_spin(params.DURATION, decimals=1, low=0.0)
        self.stop_after.setValue(0.0)
        self.mode_hint = QtWidgets.QLabel()
        self.mode_hint.setWordWrap(True)
        self.mode_hint.setObjectName("hint")
        row = _form()
        row.addRow("Run for", noted(self.stop_after))
        for widget in (self.threads_radio, self.gui_radio):
            col.addWidget(widget)
        col.addLayout(row)
        col.addWidget(self.mode_hint)
        return box

    def _build_settings(self) -> QtWidgets.QGroupBox:
        box = QtWidgets.QGroupBox("Settings")
        form = _form(box)
        self.size_spin = _int_spin(params.ARRAY_SIZE)
        self.period_spin = _float_spin(params.PERIOD)
        self.delay_spin = _float_spin(params.COUNTER_DELAY)
        self.count_spin = _int_spin(params.COUNTER_COUNT)
        form.addRow("Array size", noted(self.size_spin))
        form.addRow("Pause between passes", noted(self.period_spin))
        form.addRow("Counter delay", noted(self.delay_spin))
        form.addRow("Counter counts to", noted(self.count_spin))
        return box

    # -- reading -----------------------------------------------------------------------
    def counts(self) -> dict[str, int]:
        """How many workers of each kind are asked for (zeros included)."""
        return {key: spin.value() for key, spin in self.count_spins.items()}

    def settings(self) -> Settings:
        """The shared job settings."""
        return Settings(
            period=self.period_spin.value(),
            counter_delay=self.delay_spin.value(),
            counter_count=self.count_spin.value(),
        )

    def mode(self) -> str:
        """:data:`WORKER_THREADS` or :data:`GUI_THREAD`."""
        return GUI_THREAD if self.gui_radio.isChecked() else WORKER_THREADS

    def duration(self) -> float | None:
        """Seconds to run, or ``None`` for "until Stop"."""
        value = self.stop_after.value()
        return None if value == 0 else value

    def values(self) -> dict[str, Any]:
        """Every choice of the panel, as plain values (kept from one run of the app to the next)."""
        return {"counts": self.counts(), "use_lock": self.use_lock_box.isChecked(), "mode": self.mode(),
                "run_for": self.stop_after.value(), "size": self.size_spin.value(),
                "period": self.period_spin.value(), "counter_delay": self.delay_spin.value(),
                "counter_count": self.count_spin.value()}

    def set_values(self, values: dict[str, Any]) -> None:
        """Put back choices from :meth:`values` (a value out of a field's range is brought
        into it; a name the panel does not know is left out). ValueError for a value of the
        wrong kind, before anything is changed."""
        counts = {key: _whole(n) for key, n in dict(values.get("counts", {})).items() if key in self.count_spins}
        mode = values.get("mode", self.mode())
        if mode not in (WORKER_THREADS, GUI_THREAD):
            raise ValueError(f"no mode {mode!r}")
        numbers = {name: _number(values[name]) for name in ("run_for", "period", "counter_delay") if name in values}
        wholes = {name: _whole(values[name]) for name in ("size", "counter_count") if name in values}
        for key, n in counts.items():
            _set_within(self.count_spins[key], n)
        if "use_lock" in values:
            self.use_lock_box.setChecked(bool(values["use_lock"]))
        (self.gui_radio if mode == GUI_THREAD else self.threads_radio).setChecked(True)
        for name, spin in (("run_for", self.stop_after), ("period", self.period_spin),
                           ("counter_delay", self.delay_spin)):
            if name in numbers:
                _set_within(spin, numbers[name])
        for name, spin in (("size", self.size_spin), ("counter_count", self.count_spin)):
            if name in wholes:
                _set_within(spin, wholes[name])

    def set_running(self, running: bool) -> None:
        """Lock the run's inputs while it runs (the Use lock box stays live)."""
        for widget in (*self.count_spins.values(), self.size_spin, self.period_spin,
                       self.delay_spin, self.count_spin, self.threads_radio, self.gui_radio,
                       self.stop_after):
            widget.setEnabled(not running)

    # -- mode --------------------------------------------------------------------------
    def _on_mode_toggled(self) -> None:
        # each mode keeps its own "Run for": back on worker threads, what the user had there
        # ("until Stop" at first), not the GUI mode's fixed time
        if self.mode() == GUI_THREAD:
            self._threads_run_for = self.stop_after.value()
            self.stop_after.setMinimum(params.DURATION.low)
            self.stop_after.setValue(self._gui_run_for)
            if self.stop_after.value() < params.DURATION.low:  # "until Stop" cannot apply
                self.stop_after.setValue(params.DURATION.default)
            self.stop_after.setSpecialValueText("")
            self.mode_hint.setText(
                "On the GUI thread the work runs for a fixed time: Stop cannot be clicked "
                "while the window is frozen. That is the lesson."
            )
        else:
            if self._mode_shown == GUI_THREAD:
                self._gui_run_for = self.stop_after.value()
            self.stop_after.setMinimum(0.0)
            self.stop_after.setValue(self._threads_run_for)
            self.stop_after.setSpecialValueText("until Stop")
            self.mode_hint.setText("Each worker gets its own thread; Stop ends them all.")
        self._mode_shown = self.mode()
        self.mode_changed.emit(self.mode())


class ButtonBar(QtWidgets.QWidget):
    """Start, Stop, Acquire Lock (Release Lock), Run xN, Reset array and Save trace...

    The labels are part of the interface: users, teachers' scripts and the tests find
    the buttons by them.
    """

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        grid = QtWidgets.QGridLayout(self)
        grid.setContentsMargins(6, 0, 6, 6)
        self.start_button = QtWidgets.QPushButton("Start")
        self.stop_button = QtWidgets.QPushButton("Stop")
        self.lock_button = QtWidgets.QPushButton("Acquire Lock")
        self.runx_button = QtWidgets.QPushButton("Run xN")
        self.runx_button.setToolTip("run the lesson's program N times (N: 'Runs for Run xN') and draw how its "
                                    "outcome varies; Start runs the lesson's own check")
        self.reset_button = QtWidgets.QPushButton("Reset array")
        self.trace_button = QtWidgets.QPushButton("Save trace...")
        self.trace_button.setToolTip("save what every thread did as Chrome Trace JSON, "
                                     "for https://ui.perfetto.dev or chrome://tracing")
        self.start_button.setObjectName("start")
        self.stop_button.setObjectName("stop")
        grid.addWidget(self.start_button, 0, 0)
        grid.addWidget(self.stop_button, 0, 1)
        grid.addWidget(self.lock_button, 1, 0)
        grid.addWidget(self.runx_button, 1, 1)
        grid.addWidget(self.reset_button, 2, 0)
        grid.addWidget(self.trace_button, 2, 1)


class LabPage:
    """The Lab tab as the window sees it: makes :class:`~app.core.session.LabSession` s
    from what the panel says (the window then runs them like any session)."""

    can_reset = True  # Reset array refills the Lab's array
    can_repeat = False  # Run xN is for lessons
    shows_array = True

    def __init__(self, controls: ControlPanel, lab: Lab, gui_holds_lock: Callable[[], bool],
                 before_freeze: Callable[[float], None]) -> None:
        self.controls = controls
        self.lab = lab
        self.gui_holds_lock = gui_holds_lock
        self.before_freeze = before_freeze

    def idle_session(self) -> LabSession:
        """The Lab between runs: its array and its lock, nothing running."""
        return LabSession(self.lab)

    def new_session(self, repeat: int | None = None) -> LabSession:
        """The workers the panel asks for; ``ValueError``/``RuntimeError`` if they cannot run."""
        c = self.controls
        if c.size_spin.value() != self.lab.shared.size:
            self.lab.resize(c.size_spin.value())
        on_gui_thread = c.mode() == GUI_THREAD
        if on_gui_thread and self.gui_holds_lock():
            raise RuntimeError("release the lock first: on the GUI thread the mutators would wait for a "
                               "lock that their own thread holds")
        return LabSession(self.lab, c.counts(), c.settings(), c.duration(), on_gui_thread, self.before_freeze)

    def refused(self, session: LabSession | None, reason: str) -> None:
        if self.controls.size_spin.value() != self.lab.shared.size and not self.lab.running:
            self.controls.size_spin.setValue(self.lab.shared.size)

    def show(self, session: LabSession, event: object) -> None:
        """The Lab shows its events in the status bar and the log (the window does that)."""

    def activate(self, active: bool) -> None:
        """The Lab tab has no widgets outside its tab."""

    def fix(self) -> bool:
        """The Lab has no deadlock to fix."""
        return False
