"""Launching: --start waits for the window's first paint."""

from pyqtgraph.Qt import QtWidgets

from app.gui.qtenv import FirstPaint


class Painted(QtWidgets.QWidget):
    def __init__(self):
        super().__init__()
        self.paints = 0

    def paintEvent(self, event):  # noqa: N802 - Qt's name
        self.paints += 1


def test_first_paint_calls_back_once_after_the_window_painted(qtbot):
    widget = Painted()
    qtbot.addWidget(widget)
    calls = []
    FirstPaint(widget, lambda: calls.append(widget.paints))
    widget.show()
    qtbot.waitUntil(lambda: bool(calls), timeout=3000)
    assert calls[0] >= 1  # painted before the call
    widget.update()
    qtbot.waitUntil(lambda: widget.paints > calls[0], timeout=3000)
    assert len(calls) == 1


def test_first_paint_falls_back_to_a_timer_when_the_window_never_paints(qtbot):
    widget = Painted()  # never shown, as a window started minimised is never painted
    qtbot.addWidget(widget)
    calls = []
    FirstPaint(widget, lambda: calls.append(widget.paints), fallback_s=0.1)
    qtbot.waitUntil(lambda: bool(calls), timeout=3000)
    assert calls == [0]
