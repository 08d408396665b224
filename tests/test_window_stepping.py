"""Step through in the window: the Step panel drives a lesson's real threads, the code
marks where each one stops, and the GUI thread never waits for a step."""

import html

from pyqtgraph.Qt import QtCore, QtWidgets

import pytest

from app.core.schedule import load_schedule
from app.core.stepper import instructions_can_be_stepped
from helpers import LEFT, finish, open_lesson


def step_buttons(window):
    table = window.step_panel.threads_table
    return {table.cellWidget(row, 0).property("thread"): table.cellWidget(row, 0) for row in range(table.rowCount())}


def shown(window, qtbot, condition, timeout=5000):
    """Wait until the Step panel shows a picture for which ``condition`` holds."""
    qtbot.waitUntil(lambda: condition(window.step_panel.picture), timeout=timeout)
    return window.step_panel.picture


def click_step(window, qtbot, name, condition):
    """Click ``name``'s Step button until ``condition`` holds for the picture shown."""
    while not condition(window.step_panel.picture):
        serial = window.step_panel.picture.serial
        qtbot.waitUntil(lambda: step_buttons(window).get(name) is not None
                        and step_buttons(window)[name].isEnabled(), timeout=5000)
        qtbot.mouseClick(step_buttons(window)[name], LEFT)
        shown(window, qtbot, lambda p: p.serial > serial)
    return window.step_panel.picture


def stepping(window, qtbot, lesson_id, **params):
    open_lesson(window, lesson_id, **params)
    assert window.start_stepping()
    return shown(window, qtbot, lambda p: p.serial > 0)


def test_stepping_into_the_lock_order_deadlock_marks_each_thread_and_says_why(window, qtbot):
    stepping(window, qtbot, "lock-order", CHECK=0.05)
    assert window.step_panel.isVisible() and not window.code_pane.step_button.isEnabled()
    click_step(window, qtbot, "MainThread", lambda p: "pay B->A" in p.ready)
    click_step(window, qtbot, "pay A->B", lambda p: p.threads[1].line == 19)
    click_step(window, qtbot, "pay B->A", lambda p: p.threads[2].line == 19)
    marks = window.code_pane.editor.thread_marks()
    assert {(line, name) for line, name, _ in marks} >= {(19, "pay A->B"), (19, "pay B->A")}
    click_step(window, qtbot, "pay A->B", lambda p: p.threads[1].state == "blocked")
    click_step(window, qtbot, "pay B->A", lambda p: bool(p.circle))
    assert "Deadlock: pay A->B \u2192 pay B->A \u2192 pay A->B" in html.unescape(window.step_panel.status.text())
    why = window.step_panel.threads_table.item(2, 3).text()
    assert why == "waiting for Lock \"locks['A']\", held by pay A->B, taken at line 17"
    assert not step_buttons(window)["pay A->B"].isEnabled()
    window.stop()
    assert "stopped" in finish(window, qtbot) and window.code_pane.editor.thread_marks() == []


@pytest.mark.skipif(not instructions_can_be_stepped(), reason="this Python reports no single instructions")
def test_expand_steps_one_instruction_and_shows_it(window, qtbot):
    stepping(window, qtbot, "shared-array")
    click_step(window, qtbot, "MainThread", lambda p: p.threads[0].line == 19)  # increase(data)
    window.step_panel.expand_box.setChecked(True)
    picture = click_step(window, qtbot, "MainThread", lambda p: p.threads[0].instruction != "")
    assert picture.threads[0].line == 19 and picture.schedule[-1].unit == "instruction"
    assert window.step_panel.threads_table.item(0, 2).text().startswith("line 19: ")
    text = window.step_panel.bytecode_view.toPlainText()
    assert window.step_panel.bytecode_view.isVisible() and text.startswith("MainThread, line 19")
    assert f"\u25b6 {picture.threads[0].offset:>4} {picture.threads[0].instruction}" in text


def test_run_to_end_hands_over_and_the_lesson_check_judges_the_run(window, qtbot):
    stepping(window, qtbot, "shared-array")
    click_step(window, qtbot, "MainThread", lambda p: len(p.schedule) == 3)
    qtbot.mouseClick(window.step_panel.run_button, LEFT)
    assert "the result was lost" in finish(window, qtbot)
    assert window.code_pane.editor.thread_marks() == [] and not window.step_panel.run_button.isEnabled()


def test_a_saved_schedule_loads_and_replays_to_the_same_place(window, qtbot, tmp_path):
    stepping(window, qtbot, "lock-order", CHECK=0.05)
    click_step(window, qtbot, "MainThread", lambda p: "pay A->B" in p.ready)
    picture = click_step(window, qtbot, "pay A->B", lambda p: p.threads[1].line == 17)
    window.step_panel.save_schedule(tmp_path / "s.json")
    assert load_schedule(tmp_path / "s.json").steps == picture.schedule
    qtbot.mouseClick(window.step_panel.undo_button, LEFT)
    back = shown(window, qtbot, lambda p: len(p.schedule) == len(picture.schedule) - 1)
    assert back.threads[1].line == 15
    window.step_panel.load_schedule(tmp_path / "s.json")
    again = shown(window, qtbot, lambda p: p.schedule == picture.schedule)
    assert [(v.name, v.line) for v in again.threads] == [(v.name, v.line) for v in picture.threads]
    window.stop()
    finish(window, qtbot)


def test_the_window_goes_on_while_a_step_takes_seconds(window, qtbot):
    stepping(window, qtbot, "lock-order", CHECK=2.0)
    click_step(window, qtbot, "MainThread", lambda p: "pay A->B" in p.ready)
    before = click_step(window, qtbot, "pay A->B", lambda p: p.threads[1].line == 18)  # sleep(CHECK)
    qtbot.mouseClick(step_buttons(window)["pay A->B"], LEFT)
    ticks = []
    timer = QtCore.QTimer(window)
    timer.timeout.connect(lambda: ticks.append(window.step_panel.picture.serial))
    timer.start(10)
    shown(window, qtbot, lambda p: p.serial > before.serial)
    timer.stop()
    assert ticks.count(before.serial) >= 20  # the event loop ran all through the step's two seconds
    window.stop()
    finish(window, qtbot)


def test_a_lesson_that_runs_in_a_child_process_is_refused(window, qtbot):
    open_lesson(window, "ctrl-c")
    assert not window.start_stepping()
    assert "cannot be stepped" in window.outcome.text() and not window.step_panel.isVisible()
    assert isinstance(window.code_pane.step_button, QtWidgets.QPushButton)


def test_the_challenge_says_when_it_is_reached_and_its_schedule_replays(window, qtbot):
    stepping(window, qtbot, "lock-order", CHECK=0.05)
    panel = window.step_panel
    assert panel.goal.isVisible() and "Challenge:" in panel.goal.text() and not panel.replay_button.isVisible()
    click_step(window, qtbot, "MainThread", lambda p: "pay B->A" in p.ready)
    click_step(window, qtbot, "pay A->B", lambda p: p.threads[1].line == 19)
    click_step(window, qtbot, "pay B->A", lambda p: p.threads[2].line == 19)
    click_step(window, qtbot, "pay A->B", lambda p: p.threads[1].state == "blocked")
    winning = click_step(window, qtbot, "pay B->A", lambda p: p.reached).schedule
    qtbot.waitUntil(lambda: panel.replay_button.isVisible(), timeout=2000)
    assert f"Reached in {len(winning)} steps!" in panel.goal.text()
    qtbot.mouseClick(panel.undo_button, LEFT)
    shown(window, qtbot, lambda p: len(p.schedule) == len(winning) - 1 and not p.circle)
    qtbot.mouseClick(panel.replay_button, LEFT)
    again = shown(window, qtbot, lambda p: p.schedule == winning and bool(p.circle))
    assert again.reached and again.winning == winning
    window.stop()
    finish(window, qtbot)


def test_a_click_on_a_threads_name_tag_or_its_lane_name_steps_it(window, qtbot):
    stepping(window, qtbot, "lock-order", CHECK=0.05)
    editor = window.code_pane.editor
    qtbot.waitUntil(lambda: editor.tag_at("MainThread") is not None, timeout=3000)
    before = window.step_panel.picture
    qtbot.mouseClick(editor.viewport(), LEFT, pos=editor.tag_at("MainThread"))
    assert [str(s) for s in shown(window, qtbot, lambda p: p.serial > before.serial).schedule] == ["MainThread"]
    canvas = window.lanes.canvas
    qtbot.waitUntil(lambda: any(row and row[-1].name == "MainThread" for row in canvas.rows), timeout=3000)
    row = next(i for i, r in enumerate(canvas.rows) if r and r[-1].name == "MainThread")
    qtbot.mouseClick(canvas, LEFT, pos=QtCore.QPoint(10, row * canvas._row_px + 5))
    assert len(shown(window, qtbot, lambda p: len(p.schedule) == 2).schedule) == 2
    qtbot.waitUntil(lambda: editor.tag_at("MainThread") is not None, timeout=3000)  # (painted again)
    where = editor.tag_at("MainThread")
    window.stop()
    finish(window, qtbot)
    clicked = []
    editor.thread_clicked.connect(clicked.append)
    qtbot.mouseClick(editor.viewport(), LEFT, pos=where)  # (no tag there any more)
    assert clicked == [] and editor.tag_at("MainThread") is None


def test_explore_lists_the_outcomes_and_one_steps_through_to_its_deadlock(window, qtbot):
    open_lesson(window, "lock-order", CHECK=0.05)
    assert window.explore()
    panel = window.explore_panel
    qtbot.waitUntil(lambda: not window.busy and panel.isVisible(), timeout=30000)
    assert "Explored." in window.outcome.text() and "(every one)" in panel.title.text()
    texts = [panel.outcomes.item(i).text() for i in range(panel.outcomes.count())]
    deadlock = next(i for i, text in enumerate(texts) if text.split(". ", 1)[1].startswith("deadlock"))
    assert len(texts) == 3 and "pay A->B -> pay B->A" in texts[deadlock]
    panel.outcomes.setCurrentRow(deadlock)
    qtbot.mouseClick(panel.step_button, LEFT)
    picture = shown(window, qtbot, lambda p: bool(p.circle))
    assert picture.schedule == panel.found.outcomes[deadlock].schedule and not panel.isVisible()
    window.stop()
    finish(window, qtbot)


def test_expand_is_greyed_out_with_the_reason_where_python_reports_no_instructions(qtbot, monkeypatch):
    from app.core import stepper as stepper_module
    from app.gui.stepping import StepPanel

    monkeypatch.setattr(stepper_module, "_opcode_events", False)  # (as 3.12.0 and 3.12.1 are)
    panel = StepPanel()
    qtbot.addWidget(panel)
    assert not panel.expand_box.isEnabled() and "does not report single instructions" in panel.expand_box.toolTip()
