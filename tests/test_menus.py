"""The menu bar and its shortcuts do what the window's buttons do."""

import platform
from pathlib import Path

import pytest
from pyqtgraph.Qt import QtCore, QtWidgets

from app.core import lockgrab
from app.gui import resources
from app.gui.menus import about_text, readme_text
from app.gui.window import TEXT_POINTS


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


@pytest.fixture
def app_style_sheet():
    """The app's own style sheet on the application (a style sheet changes how fonts spread)."""
    qapp = QtWidgets.QApplication.instance()
    before = qapp.styleSheet()
    qapp.setStyleSheet(resources.stylesheet())
    yield
    qapp.setStyleSheet(before)


def test_ctrl_plus_and_minus_size_every_text_and_ctrl_0_brings_it_back(app_style_sheet, window, qtbot):
    ctrl = QtCore.Qt.KeyboardModifier.ControlModifier
    editors = (window.code_pane.editor, window.script_view.editor)
    label = window.lanes.findChild(QtWidgets.QLabel, "lanes-legend")
    text, code, shown = window.text_points(), [e.point_size() for e in editors], label.font().pointSize()
    press(window, qtbot, QtCore.Qt.Key.Key_Plus, ctrl)
    press(window, qtbot, QtCore.Qt.Key.Key_Equal, ctrl)  # (Ctrl+= too: + needs Shift on many keyboards)
    assert window.text_points() == text + 2 and [e.point_size() for e in editors] == [p + 2 for p in code]
    assert label.font().pointSize() == shown + 2 and window.menuBar().actions()[0].menu().font().pointSize() == text + 2
    assert window.log_view.font().pointSize() == text + 2  # (a fixed-pitch view follows too)
    press(window, qtbot, QtCore.Qt.Key.Key_Minus, ctrl)
    assert window.text_points() == text + 1
    press(window, qtbot, QtCore.Qt.Key.Key_0, ctrl)
    assert window.text_points() == text and [e.point_size() for e in editors] == code
    assert label.font().pointSize() == shown


def test_closing_the_window_gives_the_application_its_text_size_back(window):
    before = QtWidgets.QApplication.font().pointSize()
    window.set_text_points(before + 4)
    assert QtWidgets.QApplication.font().pointSize() == before + 4
    window.close()
    assert QtWidgets.QApplication.font().pointSize() == before


def test_the_text_size_stops_at_its_bounds(window):
    window.set_text_points(100)
    assert window.text_points() == TEXT_POINTS[1]
    window.set_text_points(1)
    assert window.text_points() == TEXT_POINTS[0]


def test_ctrl_pgdown_walks_to_the_next_lesson(window, qtbot):
    window.actions["Next lesson"].trigger()
    first = window.lesson_panel.list.currentRow()
    press(window, qtbot, QtCore.Qt.Key.Key_PageDown, QtCore.Qt.KeyboardModifier.ControlModifier)
    assert window.lesson_panel.list.currentRow() == first + 1


def test_f1_shows_the_readme_beside_the_live_window(window, qtbot, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # (its pictures are found from any folder)
    press(window, qtbot, QtCore.Qt.Key.Key_F1)
    browser = window.findChild(QtWidgets.QTextBrowser, "readme")
    assert browser is not None and browser.isVisible()
    assert any((Path(folder) / "docs" / "screenshot.png").is_file() for folder in browser.searchPaths())
    assert "Be the scheduler" in browser.toPlainText() and not browser.window().isModal()
    browser.window().close()


def test_the_readme_of_a_checkout_is_its_readme_md():
    assert readme_text() == (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def test_about_names_the_versions_it_runs_on_and_the_log_file(tmp_path):
    import numpy
    import pyqtgraph

    from app.core import logfile

    path = logfile.open_log_file(tmp_path)
    try:
        text = about_text()
    finally:
        logfile.close_log_file()
    assert numpy.__version__ in text and pyqtgraph.__version__ in text and "Qt" in text and "threadlab.ini" in text
    assert platform.python_version() in text and str(path) in text


def test_ctrl_0_also_brings_back_code_zoomed_on_its_own(window, qtbot):
    editor = window.code_pane.editor
    editor.zoom(3)
    press(window, qtbot, QtCore.Qt.Key.Key_0, QtCore.Qt.KeyboardModifier.ControlModifier)
    assert editor.point_size() == editor.default_points


def test_a_window_that_did_not_size_the_text_leaves_it_as_another_window_set_it(window, qtbot):
    from app.core.lab import Lab
    from app.core.logbook import LogBook
    from app.core.shared import SharedArray
    from app.gui.window import LabWindow

    before = QtWidgets.QApplication.font().pointSize()
    window.set_text_points(before + 2)
    other = LabWindow(Lab(SharedArray(1000), LogBook()))
    qtbot.addWidget(other)
    other.close()
    assert QtWidgets.QApplication.font().pointSize() == before + 2
    window.close()
    assert QtWidgets.QApplication.font().pointSize() == before
