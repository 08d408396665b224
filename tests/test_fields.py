"""Number fields say what they refused, under the field, instead of changing it silently."""

import pytest
from pyqtgraph.Qt import QtCore, QtTest

from app.gui.fields import FloatField, IntField, NotedField


def field(qtbot, kind, low, high, value, suffix=""):
    spin = kind()
    spin.setRange(low, high)
    spin.setValue(value)
    spin.setSuffix(suffix)
    noted = NotedField(spin)
    qtbot.addWidget(noted)
    noted.show()
    return spin, noted


def type_in(qtbot, spin, text, enter=True):
    spin.lineEdit().selectAll()
    QtTest.QTest.keyClicks(spin, text)
    if enter:
        QtTest.QTest.keyClick(spin, QtCore.Qt.Key.Key_Return)
        spin.interpretText()


@pytest.mark.parametrize(("text", "value"), [("-3", 3), ("9999", 9)])
def test_a_key_the_field_drops_is_said_under_it(qtbot, text, value):
    spin, noted = field(qtbot, IntField, 0, 9, 1)
    type_in(qtbot, spin, text)
    assert spin.value() == value
    assert noted.note.isVisible() and "not taken: this field takes 0 to 9" in noted.note.text()


def test_a_value_below_the_least_is_said_with_what_the_field_kept(qtbot):
    spin, noted = field(qtbot, IntField, 10, 10_000_000, 100_000)
    spin.setGroupSeparatorShown(True)
    type_in(qtbot, spin, "5")
    qtbot.waitUntil(lambda: noted.note.isVisible(), timeout=1000)
    assert spin.value() == 100_000 and "'5' not taken" in noted.note.text() and "keeps 100,000" in noted.note.text()


def test_nan_is_refused_and_the_value_stays(qtbot):
    spin, noted = field(qtbot, FloatField, 0.0, 600.0, 3.0, " s")
    type_in(qtbot, spin, "nan")
    assert spin.value() == 3.0 and noted.note.isVisible()


def test_values_set_by_the_program_are_not_told(qtbot):
    spin, noted = field(qtbot, IntField, 0, 9, 1)
    spin.setValue(50)  # (clamped by Qt, as asked: no keys, no note)
    assert spin.value() == 9 and not noted.note.isVisible()
