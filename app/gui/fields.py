"""Number fields that say what they refused, next to the field.

A Qt spin box keeps itself in range silently: a key that would make the text invalid
("-" in a count, a tenth digit, "nan") is dropped, and a value left half typed ("5" in
a field whose least value is 10) goes back to the last good one when the field loses
focus. A learner then runs with a number they did not type. These fields emit
:attr:`refused` with a sentence each time that happens; :class:`NotedField` shows it in
red under the field for a few seconds.
"""

from __future__ import annotations

import math

from pyqtgraph.Qt import QtCore, QtGui, QtWidgets

#: How long a note stays if nothing else clears it.
NOTE_MS = 8000


def _number(value: float, decimals: int) -> str:
    return f"{value:,.{decimals}f}" if decimals else f"{int(value):,}"


class _Refusing:
    """What both kinds of field share: the sentence, and when to say it."""

    refused: QtCore.pyqtBoundSignal
    _typing = False

    def _limits(self) -> str:
        decimals = getattr(self, "decimals", lambda: 0)()
        low, high = _number(self.minimum(), decimals), _number(self.maximum(), decimals)
        return f"{low} to {high}{self.suffix()}"

    def _check(self, state: QtGui.QValidator.State, text: str) -> QtGui.QValidator.State:
        typed = text.removesuffix(self.suffix()).strip() if self.suffix() else text.strip()
        if any(word in typed.lower() for word in ("nan", "inf")):
            state = QtGui.QValidator.State.Invalid  # (a float field would take them as numbers)
        if state == QtGui.QValidator.State.Invalid and self._typing and typed:
            self.refused.emit(f"{typed!r} not taken: this field takes {self._limits()}")
        return state

    def keyPressEvent(self, event: QtGui.QKeyEvent) -> None:  # noqa: N802 - Qt's name
        self._typing = True  # (validate runs for Qt's own reasons too: only keys are told)
        try:
            super().keyPressEvent(event)
        finally:
            self._typing = False

    def fixup(self, text: str) -> str:
        """Called by Qt when editing ends on a value it will not take (out of range)."""
        typed = text.removesuffix(self.suffix()).strip() if self.suffix() else text.strip()
        if typed:
            kept = self.text()
            QtCore.QTimer.singleShot(0, lambda: self.refused.emit(
                f"{typed!r} not taken: this field takes {self._limits()}; it keeps {self.text() or kept}"))
        return super().fixup(text)


class IntField(_Refusing, QtWidgets.QSpinBox):
    """A whole-number field that tells what it refused (see the module)."""

    refused = QtCore.Signal(str)

    def validate(self, text: str, pos: int):  # noqa: D102 - Qt's
        state, text, pos = super().validate(text, pos)
        return self._check(state, text), text, pos


class FloatField(_Refusing, QtWidgets.QDoubleSpinBox):
    """A decimal field that tells what it refused, NaN and infinity included."""

    refused = QtCore.Signal(str)

    def validate(self, text: str, pos: int):  # noqa: D102 - Qt's
        state, text, pos = super().validate(text, pos)
        return self._check(state, text), text, pos

    def valueFromText(self, text: str) -> float:  # noqa: N802 - Qt's name
        value = super().valueFromText(text)
        return self.value() if math.isnan(value) else value


class NotedField(QtWidgets.QWidget):
    """A field with a red note under it, shown for a while after a refusal."""

    def __init__(self, field: IntField | FloatField, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.field = field
        self.note = QtWidgets.QLabel()
        self.note.setObjectName("field-note")
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color:#b03a2e")
        self.note.hide()
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(1)
        layout.addWidget(field)
        layout.addWidget(self.note)
        self._timer = QtCore.QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.note.hide)
        field.refused.connect(self.say)  # (kept through the edit it belongs to: "-3" still ends as 3)

    def say(self, text: str) -> None:
        """Show ``text`` under the field for a while."""
        self.note.setText(text)
        self.note.show()
        self._timer.start(NOTE_MS)


def noted(field: IntField | FloatField) -> NotedField:
    """``field`` with its note under it, for a form row."""
    return NotedField(field)
