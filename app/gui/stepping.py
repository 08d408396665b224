"""The Step panel: be the scheduler of a lesson's real threads.

Under the code pane while a lesson is stepped: a row per thread (its colour, the line it
stops at, why it cannot go on, a Step button), Expand (a step runs one bytecode
instruction), Run to end, Random (a seed to type), Pause, Undo, Save and Load a schedule,
and the values the program shares and each thread holds. Every button sends a command
to the session's :class:`~app.core.stepcontrol.StepControl` and returns at once; the
window's display tick hands the newest picture to :meth:`StepPanel.show_picture`.
"""

from __future__ import annotations

import html
import sys
from pathlib import Path

from pyqtgraph.Qt import QtCore, QtGui, QtWidgets

from ..core.explore import Exploration
from ..core.schedule import Schedule, compact_schedule, load_schedule, save_schedule
from ..core.stepcontrol import PAUSE, StepControl, StepPicture
from ..core.stepper import BLOCKED, FINISHED, INSTRUCTION, LINE, READY, instructions_can_be_stepped
from .editor import fixed_pitch_font

#: One colour per thread, in the order they started (the code marks use the same).
THREAD_COLOURS = ("#1f6fb2", "#c0392b", "#2e8b57", "#8e44ad", "#b9770e", "#16a085", "#6d4c41", "#c2185b")
#: Rows of the tables shown before they scroll.
THREAD_ROWS, WATCH_ROWS, BYTECODE_ROWS = 4, 4, 6


def colour_of(index: int) -> str:
    return THREAD_COLOURS[index % len(THREAD_COLOURS)]


class StepPanel(QtWidgets.QFrame):
    """The stepping controls and what they show (see the module)."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("step-panel")
        self.setFrameShape(QtWidgets.QFrame.Shape.StyledPanel)
        self.control: StepControl | None = None
        self.program_name = ""
        self.picture = StepPicture(0)
        self.live = False
        self.expand_box = QtWidgets.QCheckBox("Expand")
        self.expand_box.setToolTip("a step runs one bytecode instruction of the line, not the whole line: stop a "
                                   "thread between its read and its write")
        if not instructions_can_be_stepped():  # (3.12.0 and 3.12.1: no opcode events for a trace function)
            self.expand_box.setEnabled(False)
            self.expand_box.setToolTip(f"this Python ({sys.version.split()[0]}) does not report single "
                                       "instructions to a trace function: lines only (3.10, 3.11, 3.13 do)")
        self.run_button = self._button("Run to end", "let the real scheduler run the threads (Pause takes them back)")
        self.random_button = self._button("Random", "step threads drawn at random from the seed, to the end")
        self.seed_spin = QtWidgets.QSpinBox()
        self.seed_spin.setRange(0, 999_999)
        self.seed_spin.setToolTip("the seed of Random: the same seed draws the same schedule")
        self.pause_button = self._button("Pause", "stop the threads again, each before its next line")
        self.undo_button = self._button("Undo", "go back one step (the program runs again, all steps but the last)")
        self.save_button = self._button("Save...", "save the schedule so far as a JSON file")
        self.load_button = self._button("Load...", "run the program again by a saved schedule")
        self.bytecode_view = QtWidgets.QTextBrowser()
        self.bytecode_view.setObjectName("bytecode")
        self.bytecode_view.setToolTip("each ready thread's line as the interpreter runs it: the arrow is the "
                                      "instruction its next step runs")
        self.bytecode_view.setFont(fixed_pitch_font())
        self.bytecode_view.setFixedHeight(self.bytecode_view.fontMetrics().height() * BYTECODE_ROWS + 10)
        self.bytecode_view.hide()
        self.status = QtWidgets.QLabel()
        self.status.setWordWrap(True)
        self.goal = QtWidgets.QLabel()
        self.goal.setObjectName("step-goal")
        self.goal.setWordWrap(True)
        self.replay_button = self._button("Replay the winning schedule",
                                          "run the program again by the schedule that reached the goal")
        self.threads_table = _table(("", "Thread", "At", "Why"), THREAD_ROWS)
        self.watch_table = _table(("Name", "Value"), WATCH_ROWS)
        self._lay_out()
        self.run_button.clicked.connect(lambda: self._send(lambda c: c.run_free()))
        self.random_button.clicked.connect(lambda: self._send(lambda c: c.run_random(self.seed_spin.value())))
        self.pause_button.clicked.connect(lambda: self._send(lambda c: c.pause()))
        self.undo_button.clicked.connect(lambda: self._send(lambda c: c.undo()))
        self.save_button.clicked.connect(self._ask_where_to_save)
        self.load_button.clicked.connect(self._ask_what_to_load)
        self.replay_button.clicked.connect(self._replay_winning)
        self.expand_box.toggled.connect(lambda _on: self._show_bytecode(self.picture))
        self.show_picture(self.picture, False)

    def _button(self, text: str, tip: str) -> QtWidgets.QPushButton:
        button = QtWidgets.QPushButton(text)
        button.setToolTip(tip)
        return button

    def _lay_out(self) -> None:
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.setSpacing(3)
        first = QtWidgets.QHBoxLayout()
        for widget in (self.run_button, self.random_button, self.seed_spin, self.pause_button, self.undo_button):
            first.addWidget(widget)
        first.addStretch(1)
        second = QtWidgets.QHBoxLayout()
        for widget in (self.expand_box, self.save_button, self.load_button):
            second.addWidget(widget)
        second.addStretch(1)
        layout.addLayout(first)
        layout.addLayout(second)
        goal = QtWidgets.QHBoxLayout()
        goal.addWidget(self.goal, 1)
        goal.addWidget(self.replay_button)
        layout.addLayout(goal)
        layout.addWidget(self.threads_table)
        layout.addWidget(self.bytecode_view)
        layout.addWidget(self.status)
        layout.addWidget(self.watch_table)

    # -- commands -------------------------------------------------------------------------------
    def attach(self, control: StepControl, program_name: str) -> None:
        """Drive ``control`` from now on (a new stepped run)."""
        self.control, self.program_name = control, program_name
        self.picture = StepPicture(0)

    def step(self, name: str) -> None:
        """Step thread ``name``: a line, or one instruction when Expand is ticked."""
        unit = INSTRUCTION if self.expand_box.isChecked() else LINE
        self._send(lambda c: c.step(name, unit))

    def _send(self, command) -> None:
        if self.control is not None and self.live:
            command(self.control)

    def _replay_winning(self) -> None:
        winning = self.picture.winning
        if winning:
            self._send(lambda c: c.replay(winning))

    def save_schedule(self, path: Path) -> None:
        """Write the schedule so far to ``path`` (``OSError`` if it cannot be written)."""
        save_schedule(Schedule(list(self.picture.schedule), self.program_name, self.picture.seed), path)

    def load_schedule(self, path: Path) -> None:
        """Run the program again by the schedule in ``path`` (``ValueError`` if it is not one)."""
        schedule = load_schedule(path)
        self._send(lambda c: c.replay(schedule.steps))

    def _ask_where_to_save(self) -> None:
        name, _ = QtWidgets.QFileDialog.getSaveFileName(self, "Save the schedule", "schedule.json",
                                                        "Schedules (*.json)")
        if name:
            try:
                self.save_schedule(Path(name))
            except OSError as exc:
                QtWidgets.QMessageBox.warning(self, "Save the schedule", f"Could not save it: {exc}")

    def _ask_what_to_load(self) -> None:
        name, _ = QtWidgets.QFileDialog.getOpenFileName(self, "Load a schedule", "", "Schedules (*.json)")
        if name:
            try:
                self.load_schedule(Path(name))
            except ValueError as exc:
                QtWidgets.QMessageBox.warning(self, "Load a schedule", str(exc))

    # -- what it shows ----------------------------------------------------------------------------
    def marks(self) -> list[tuple[int, str, str]]:
        """(line, thread, colour) of each thread that stops at a line or waits in one."""
        return [(view.line, view.name, colour_of(i)) for i, view in enumerate(self.picture.threads)
                if view.line is not None and view.state != FINISHED]

    def show_picture(self, picture: StepPicture, live: bool) -> None:
        """Show ``picture``; ``live``: the run goes on (the buttons work)."""
        self.picture, self.live = picture, live
        paused = live and picture.mode == PAUSE
        for button in (self.run_button, self.random_button):
            button.setEnabled(paused)
        self.seed_spin.setEnabled(paused)
        self.pause_button.setEnabled(live and picture.mode != PAUSE)
        self.undo_button.setEnabled(paused and bool(picture.schedule) and picture.exact)
        self.save_button.setEnabled(bool(picture.schedule) and picture.exact)
        self.load_button.setEnabled(paused)
        self._show_threads(picture, paused)
        self._show_bytecode(picture)
        self._show_status(picture, live)
        self._show_goal(picture, paused)
        _fill(self.watch_table, watch_rows(picture))

    def _show_bytecode(self, picture: StepPicture) -> None:
        """With Expand: each ready thread's line, instruction by instruction, the next marked."""
        self.bytecode_view.setVisible(self.expand_box.isChecked())
        if not self.expand_box.isChecked():
            return
        self.bytecode_view.setHtml(bytecode_html(picture))

    def _show_threads(self, picture: StepPicture, paused: bool) -> None:
        table = self.threads_table
        table.setRowCount(len(picture.threads))
        for row, view in enumerate(picture.threads):
            button = table.cellWidget(row, 0)
            if not isinstance(button, QtWidgets.QToolButton):
                button = QtWidgets.QToolButton()
                button.setText("Step")
                button.clicked.connect(lambda _checked=False, b=button: self.step(b.property("thread")))
                table.setCellWidget(row, 0, button)
            button.setProperty("thread", view.name)
            button.setToolTip(f"run {view.name} to its next line (or instruction, with Expand)")
            button.setEnabled(paused and view.state == READY)
            name = _item(view.name)
            name.setForeground(_brush("white"))
            name.setBackground(_brush(colour_of(row)))
            table.setItem(row, 1, name)
            at = f"line {view.line}" if view.line is not None else ""
            if view.instruction:
                at += f": {view.instruction}"
            table.setItem(row, 2, _item(at))
            why = {READY: "ready", FINISHED: "finished"}.get(view.state, view.reason or view.state)
            item = _item(why)
            item.setToolTip(why)
            if view.state == BLOCKED:
                item.setForeground(_brush("#b03a2e"))
            table.setItem(row, 3, item)
        for column in range(3):
            table.resizeColumnToContents(column)

    def _show_status(self, picture: StepPicture, live: bool) -> None:
        words = [f"{len(picture.schedule)} steps"]
        if picture.seed is not None:
            words.append(f"seed {picture.seed}")
        if not picture.exact:
            words.append("the real scheduler ran some of them")
        if picture.mode != PAUSE and live:
            words.append("running by itself")
        text = html.escape(", ".join(words))
        if picture.circle:
            circle = " \u2192 ".join(picture.circle + picture.circle[:1])
            text += f"<br><b style='color:#b03a2e'>Deadlock: {html.escape(circle)}</b>: each waits for a lock the " \
                    "next one holds"
        elif picture.stuck and live:
            text += "<br><b style='color:#b03a2e'>No thread can go on</b>"
        elif picture.over:
            text += "<br>The program has ended."
        if picture.refused:
            text += f"<br><span style='color:#b03a2e'>{html.escape(picture.refused)}</span>"
        self.status.setText(text)


    def _show_goal(self, picture: StepPicture, paused: bool) -> None:
        self.goal.setVisible(bool(picture.goal))
        self.replay_button.setVisible(bool(picture.winning))
        self.replay_button.setEnabled(paused)
        if not picture.reached:
            self.goal.setText(f"<b>Challenge:</b> {html.escape(picture.goal)}")
        elif picture.winning is None:
            self.goal.setText("<b style='color:#2e7d32'>Reached</b>, but the real scheduler took some of the steps "
                              "(Run to end): there is no schedule of yours to replay. Try it step by step.")
        else:
            self.goal.setText(f"<b style='color:#2e7d32'>Reached in {len(picture.winning)} steps!</b> "
                              f"{html.escape(picture.goal)} Save... keeps the schedule.")


def bytecode_html(picture: StepPicture) -> str:
    """The Expand view: for each ready thread (the one stepped last first), its line's
    instructions, in its colour, with an arrow at the one its next step runs."""
    blocks = []
    last = picture.schedule[-1].thread if picture.schedule else None
    order = sorted(enumerate(picture.threads), key=lambda pair: pair[1].name != last)  # (the last stepped first)
    for index, view in order:
        instructions = picture.bytecode.get(view.name)
        if not instructions:
            continue
        rows = [f"<span style='color:{colour_of(index)}'><b>{html.escape(view.name)}</b>, line {view.line}</span>"]
        rows += [("\u25b6 " if now else "&nbsp;&nbsp;") + f"{offset:>4} ".replace(" ", "&nbsp;") + html.escape(words)
                 for offset, words, now in instructions]
        blocks.append("<br>".join(rows))
    body = "<br>".join(blocks) or "(no thread is ready)"
    return f"<div style='white-space:pre'>{body}</div>"


def watch_rows(picture: StepPicture) -> list[tuple[str, str]]:
    """The Watch table's rows: the globals that change, each thread's locals, then the
    program's constants (upper-case names, set once at the top)."""
    constants = [(name, value) for name, value in picture.shared if name.isupper()]
    variables = [(name, value) for name, value in picture.shared if not name.isupper()]
    locals_ = [(f"{name} ({thread})", value) for thread, values in picture.locals.items() for name, value in values]
    return variables + locals_ + constants


def _table(headers: tuple[str, ...], rows: int) -> QtWidgets.QTableWidget:
    table = QtWidgets.QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(list(headers))
    table.verticalHeader().hide()
    table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.NoSelection)
    table.horizontalHeader().setStretchLastSection(True)
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 8)
    height = table.horizontalHeader().sizeHint().height() + rows * table.verticalHeader().defaultSectionSize() + 4
    table.setFixedHeight(height)
    return table


def _fill(table: QtWidgets.QTableWidget, rows: list[tuple[str, str]]) -> None:
    table.setRowCount(len(rows))
    for row, (name, value) in enumerate(rows):
        table.setItem(row, 0, _item(name))
        item = _item(value)
        item.setToolTip(value)
        table.setItem(row, 1, item)
    table.resizeColumnToContents(0)


def _item(text: str) -> QtWidgets.QTableWidgetItem:
    return QtWidgets.QTableWidgetItem(text)


def _brush(colour: str) -> QtGui.QBrush:
    return QtGui.QBrush(QtGui.QColor(colour))


class ExplorePanel(QtWidgets.QFrame):
    """What Explore found: each outcome with how many schedules reach it; Step through one
    of them replays its schedule in the Step panel."""

    replay_asked = QtCore.Signal(list)  # the steps of the outcome chosen

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("explore-panel")
        self.setFrameShape(QtWidgets.QFrame.Shape.StyledPanel)
        self.found: Exploration | None = None
        self.title = QtWidgets.QLabel()
        self.title.setWordWrap(True)
        self.outcomes = QtWidgets.QListWidget()
        self.outcomes.setFixedHeight(self.outcomes.fontMetrics().height() * 5 + 12)
        self.outcomes.setToolTip("double-click an outcome to step through the schedule that reached it")
        self.step_button = QtWidgets.QPushButton("Step through this schedule")
        self.step_button.setToolTip("run the program by the chosen outcome's schedule, then step on from there")
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addWidget(self.title)
        layout.addWidget(self.outcomes)
        row = QtWidgets.QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.step_button)
        layout.addLayout(row)
        self.step_button.clicked.connect(self._replay_chosen)
        self.outcomes.itemDoubleClicked.connect(lambda _item: self._replay_chosen())
        self.outcomes.currentRowChanged.connect(lambda row: self.step_button.setEnabled(row >= 0))
        self.step_button.setEnabled(False)

    def show_exploration(self, lesson_id: str, found: Exploration) -> None:
        self.found = found
        how_far = "every one" if found.finished else f"not all: {found.stopped_because}"
        self.title.setText(f"<b>Explore {html.escape(lesson_id)}</b>: {found.schedules} schedules with at most "
                           f"{found.preemptions} preemptions ({html.escape(how_far)}), "
                           f"{len(found.outcomes)} outcomes")
        self.outcomes.clear()
        for number, outcome in enumerate(found.outcomes, 1):
            item = QtWidgets.QListWidgetItem(f"{number}. {outcome.describe()}  ({outcome.schedules} schedules)")
            item.setToolTip(f"for example: {compact_schedule(outcome.schedule)}")
            if outcome.deadlock:
                item.setForeground(_brush("#b03a2e"))
            self.outcomes.addItem(item)
        if found.outcomes:
            self.outcomes.setCurrentRow(0)

    def _replay_chosen(self) -> None:
        row = self.outcomes.currentRow()
        if self.found is not None and 0 <= row < len(self.found.outcomes):
            self.replay_asked.emit(list(self.found.outcomes[row].schedule))
