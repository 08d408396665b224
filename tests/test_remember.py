"""The window's layout and choices, kept from one run to the next and forgotten on request."""

import pytest

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
