"""The window's layout and choices, kept from one run to the next and forgotten on request."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pyqtgraph.Qt import QtCore

from app.gui import remember
from app.gui.scripts import settings
from helpers import open_lesson


@pytest.fixture(autouse=True)
def nothing_kept():
    settings().remove(remember.KEY)
    yield
    settings().remove(remember.KEY)


@pytest.fixture
def second_window(qtbot):
    """Another lab window, as a later run of the app makes it."""
    from app.core.lab import Lab
    from app.core.logbook import LogBook
    from app.core.shared import SharedArray
    from app.gui.window import LabWindow

    made = []

    def make():
        win = LabWindow(Lab(SharedArray(20_000), LogBook()))
        qtbot.addWidget(win)
        made.append(win)
        win.show()
        qtbot.waitExposed(win)
        return win

    yield make
    for win in made:
        win.close()


def test_what_was_chosen_comes_back_in_the_next_window(window, second_window):
    open_lesson(window, "lock-order", CHECK=0.5)
    window.set_switch_interval(0.002)
    window.code_pane.editor.set_point_size(17)
    window.panes.setSizes([200, 300, 170])
    sizes, size = window.panes.sizes(), window.size()
    window.remembers = True
    window.close()
    later = second_window()
    assert remember.restore(later)
    assert later.tabs.currentIndex() == 1 and later.lesson_panel.lesson().id == "lock-order"
    assert later.lesson_panel.params.values()["CHECK"] == 0.5 and "CHECK = 0.5" in later.lesson_page.program()
    assert later.switch.seconds == pytest.approx(0.002) and later.code_pane.editor.point_size() == 17
    kept = remember.remembered()
    assert kept["size"] == [size.width(), size.height()] and kept["panes"] == sizes
    assert later.panes.sizes()[0] < later.panes.sizes()[1]  # (the lanes' pane was made the tallest)


def test_the_labs_choices_and_the_text_size_come_back(window, second_window):
    c = window.controls
    c.count_spins["counter"].setValue(3)
    c.use_lock_box.setChecked(False)
    c.gui_radio.setChecked(True)
    c.stop_after.setValue(1.5)
    c.size_spin.setValue(5000)
    c.delay_spin.setValue(0.25)
    window.set_text_points(window.text_points() + 3)
    chosen, points = c.values(), window.text_points()
    window.remembers = True
    window.close()
    later = second_window()
    assert later.controls.values() != chosen
    remember.restore(later)
    assert later.controls.values() == chosen and later.lab.shared.size == 5000  # (a new array, of that size)
    assert later.text_points() == points


def test_a_size_or_lock_given_on_the_command_line_wins_over_the_kept_one(window, second_window):
    window.controls.size_spin.setValue(5000)
    window.controls.use_lock_box.setChecked(False)
    window.remembers = True
    window.close()
    later = second_window()
    remember.restore(later, lab_given=("size", "use_lock"))
    assert later.controls.size_spin.value() == 20_000 and later.controls.use_lock_box.isChecked()


def test_kept_lab_choices_of_the_wrong_kind_change_nothing_and_are_said(window):
    window.remembers = True
    remember.save(window)
    state = remember.remembered()
    state["lab"] = dict(state["lab"], size="large", counts={"counter": 7})
    store = settings()
    store.setValue(remember.KEY, __import__("json").dumps(state))
    store.sync()
    remember.restore(window)
    assert window.controls.count_spins["counter"].value() != 7  # (nothing set: the size was refused first)
    assert any("the Lab's choices could not be restored" in e.text for e in window.lab.log.entries())


def test_a_state_kept_by_an_earlier_version_comes_back_without_a_note(window):
    window.remembers = True
    open_lesson(window, "lock-order")
    remember.save(window)
    state = remember.remembered()
    del state["lab"], state["text_step"]
    store = settings()
    store.setValue(remember.KEY, __import__("json").dumps(state))
    store.sync()
    open_lesson(window, "deadlock")
    assert remember.restore(window) and window.lesson_panel.lesson().id == "lock-order"
    assert not any("could not be restored" in e.text for e in window.lab.log.entries())


def test_a_lesson_asked_for_on_the_command_line_wins_over_the_kept_one(window, second_window):
    open_lesson(window, "lock-order")
    window.remembers = True
    window.close()
    later = second_window()
    later.open_lesson("deadlock")
    remember.restore(later, lesson_given=True)
    assert later.lesson_panel.lesson().id == "deadlock" and later.tabs.currentIndex() == 1


def test_a_window_not_made_by_the_app_keeps_nothing(window):
    open_lesson(window, "lock-order")
    window.close()  # (remembers is False unless the launch sets it)
    assert remember.remembered() == {}


def test_reset_forgets_and_lays_the_window_out_as_first(window):
    window.code_pane.editor.set_point_size(20)
    window.panes.setSizes([100, 400, 170])
    window.remembers = True
    remember.save(window)
    remember.forget(window)
    assert remember.remembered() == {}
    assert window.code_pane.editor.point_size() == window.code_pane.editor.default_points
    assert window.tabs.currentIndex() == 0


def test_a_damaged_setting_is_left_out_and_said_the_rest_comes_back(window):
    window.remembers = True
    open_lesson(window, "lock-order")
    remember.save(window)
    state = remember.remembered()
    state["panes"] = [1, 2]  # (three panes)
    store = settings()
    store.setValue(remember.KEY, __import__("json").dumps(state))
    store.sync()
    open_lesson(window, "deadlock")
    assert remember.restore(window)
    assert window.lesson_panel.lesson().id == "lock-order"
    assert any("the panes could not be restored" in e.text for e in window.lab.log.entries())
    store.setValue(remember.KEY, "{not json")
    assert remember.remembered() == {}


@pytest.mark.timeout(300)  # (three starts of the app)
def test_the_app_restarted_reads_back_what_it_kept_and_the_command_line_still_wins(tmp_path):
    main = Path(__file__).resolve().parents[1] / "main.py"
    environ = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path / "config"),
               "XDG_STATE_HOME": str(tmp_path / "state")}

    def run_app(*args: str) -> dict:
        """Run the app until it quits; what it kept at close."""
        done = subprocess.run([sys.executable, str(main), *args, "--quit-after", "1"], env=environ,
                              capture_output=True, text=True, timeout=60, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        kept = QtCore.QSettings(str(tmp_path / "config" / "threadlab" / "threadlab.ini"),
                                QtCore.QSettings.Format.IniFormat)
        return json.loads(kept.value(remember.KEY))

    first = run_app("--lesson", "lock-order", "--size", "5000", "--no-lock")
    assert first["lesson"] == "lock-order" and first["lab"]["size"] == 5000 and first["lab"]["use_lock"] is False
    again = run_app()  # (had nothing come back, this run would keep the defaults)
    assert again["lesson"] == "lock-order" and again["tab"] == 1
    assert again["lab"]["size"] == 5000 and again["lab"]["use_lock"] is False
    asked = run_app("--size", "7000")
    assert asked["lab"]["size"] == 7000 and asked["lab"]["use_lock"] is False and asked["lesson"] == "lock-order"
