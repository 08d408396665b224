"""The menu bar and its shortcuts do what the window's buttons do."""

from pyqtgraph.Qt import QtCore

from app.core import lockgrab
from app.gui.menus import about_text


def press(window, qtbot, key, modifier=QtCore.Qt.KeyboardModifier.NoModifier):
    window.activateWindow()
    qtbot.waitActive(window)
    qtbot.keyClick(window, key, modifier)


def test_f5_starts_and_shift_f5_stops_the_lab(window, qtbot):
    press(window, qtbot, QtCore.Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: window.busy, timeout=3000)
    press(window, qtbot, QtCore.Qt.Key.Key_F5, QtCore.Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: not window.busy, timeout=5000)


def test_ctrl_l_takes_the_lock_and_ctrl_q_closes_the_window(window, qtbot):
    press(window, qtbot, QtCore.Qt.Key.Key_L, QtCore.Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.lock_grab.state == lockgrab.HELD, timeout=3000)
    press(window, qtbot, QtCore.Qt.Key.Key_Q, QtCore.Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=3000)
    assert window.lock_grab.state == lockgrab.IDLE  # (closing gave it back)


def test_next_and_previous_lesson_walk_the_list(window, qtbot):
    window.actions["Next lesson"].trigger()
    assert window.tabs.currentWidget() is window.lesson_panel
    first = window.lesson_panel.list.currentRow()
    window.actions["Next lesson"].trigger()
    assert window.lesson_panel.list.currentRow() == first + 1
    window.actions["Previous lesson"].trigger()
    assert window.lesson_panel.list.currentRow() == first


def test_the_code_font_grows_shrinks_and_comes_back_for_both_code_panes(window):
    editors = (window.code_pane.editor, window.script_view.editor)
    before = [e.point_size() for e in editors]
    window.actions["Larger code font"].trigger()
    assert [e.point_size() for e in editors] == [p + 1 for p in before]
    window.actions["Smaller code font"].trigger()
    window.actions["Smaller code font"].trigger()
    assert [e.point_size() for e in editors] == [p - 1 for p in before]
    window.actions["Normal code font"].trigger()
    assert [e.point_size() for e in editors] == before


def test_about_names_the_versions_it_runs_on():
    import numpy
    import pyqtgraph

    text = about_text()
    assert numpy.__version__ in text and pyqtgraph.__version__ in text and "Qt" in text and "threadlab.ini" in text
