import re

import pytest

from app.gui import qtenv


@pytest.fixture(autouse=True)
def on_linux(monkeypatch):
    monkeypatch.setattr(qtenv.sys, "platform", "linux")


def test_offscreen_needs_nothing():
    assert qtenv.platform_problem({"QT_QPA_PLATFORM": "offscreen"}) is None


def test_no_display_says_what_to_set():
    message = qtenv.platform_problem({})
    assert "DISPLAY" in message and "QT_QPA_PLATFORM=offscreen" in message
    assert "\n" not in message


def test_missing_library_names_the_debian_package(monkeypatch):
    monkeypatch.setattr(qtenv, "missing_xcb_library", lambda: "libxcb-icccm.so.4")
    message = qtenv.platform_problem({"DISPLAY": ":99"})
    assert "libxcb-icccm.so.4 is missing" in message and "\n" not in message
    assert "apt-get install libxcb-icccm4" in message
    assert "QT_QPA_PLATFORM=offscreen" in message


def test_unreachable_display_says_so(monkeypatch):
    monkeypatch.setattr(qtenv, "missing_xcb_library", lambda: None)
    message = qtenv.platform_problem({"DISPLAY": ":4321"})  # no X server listens there
    assert "cannot connect to the X display ':4321'" in message


def test_display_with_all_libraries_is_fine(monkeypatch):
    monkeypatch.setattr(qtenv, "missing_xcb_library", lambda: None)
    monkeypatch.setattr(qtenv, "can_connect_to_x", lambda display: True)
    assert qtenv.platform_problem({"DISPLAY": ":99"}) is None


def test_this_machine_has_every_xcb_library_or_names_one():
    missing = qtenv.missing_xcb_library()
    assert missing is None or re.fullmatch(r"lib[\w.+-]+\.so[.\d]*", missing), missing


def test_shown_texts_set_a_widget_only_when_its_text_changes(qtbot):
    from pyqtgraph.Qt import QtWidgets

    label = QtWidgets.QLabel()
    qtbot.addWidget(label)
    texts = qtenv.ShownTexts()
    assert texts.set(label, "a") and label.text() == "a"
    label.setText("changed behind its back")
    assert not texts.set(label, "a")  # remembered as shown: no call into Qt
    assert label.text() == "changed behind its back"
    assert texts.set(label, "b") and label.text() == "b"
