"""The window fits a small screen: every button and the status bar inside it, nothing cut."""

from __future__ import annotations

import pytest
from pyqtgraph.Qt import QtCore, QtGui, QtWidgets

from app.gui.window import fitting_size


class Room:
    """A screen's free area, as ``QScreen.availableGeometry`` gives it."""

    def __init__(self, width: int, height: int) -> None:
        self.rect = QtCore.QRect(0, 0, width, height)

    def availableGeometry(self) -> QtCore.QRect:  # noqa: N802 - Qt's name
        return self.rect


# a 1366 x 768 laptop with a 40 px panel; a 1920 x 1080 projector at a 1.5 scale factor
# (1280 x 720 logical pixels) with a 27 px top bar
SCREENS = {"1366x768": Room(1366, 728), "1920x1080 at 1.5x": Room(1280, 693)}
# the screens with the fonts tried on them: a 14 pt font on the laptop (a projector's
# larger font); the scale factor enlarges every font by itself (14 pt there as well
# needs 8 px more height than the screen has); and View > Larger text up to 14 pt while
# the window is open (16 pt there grows the window past the screen: see the README)
CASES = [("1366x768", None, False), ("1366x768", 14, False), ("1920x1080 at 1.5x", None, False),
         ("1366x768", 14, True)]


def scroll_area_of(widget: QtWidgets.QWidget) -> QtWidgets.QScrollArea | None:
    parent = widget.parentWidget()
    while parent is not None and not isinstance(parent, QtWidgets.QScrollArea):
        parent = parent.parentWidget()
    return parent


INPUTS = (QtWidgets.QAbstractButton, QtWidgets.QAbstractSpinBox, QtWidgets.QComboBox)


def cut_widgets(window: QtWidgets.QMainWindow) -> list[str]:
    """The shown buttons and fields that cannot be seen whole, even scrolled to (off the
    window's edge, or cut by a scroll area's side), and the status bar if it is not
    inside the window."""
    cut = []
    shown = [w for kind in INPUTS for w in window.findChildren(kind) if w.isVisible()]
    for button in shown:
        if isinstance(button.parent(), QtWidgets.QTabBar) or isinstance(button.parent(), QtWidgets.QAbstractSpinBox):
            continue  # (a tab bar's scroll arrows come and go with its width; a field's own parts)
        scroll = scroll_area_of(button)
        if scroll is not None:  # (scrolled to by hand: Qt's ensureWidgetVisible stopped 7 px short)
            top = button.mapTo(scroll.widget(), QtCore.QPoint(0, 0)).y()
            scroll.verticalScrollBar().setValue(max(0, top + button.height() - scroll.viewport().height()))
        if button.visibleRegion().boundingRect() != button.rect():
            cut.append(f"{type(button).__name__} {getattr(button, 'text', button.objectName)()!r}")
        if scroll is not None:
            scroll.verticalScrollBar().setValue(0)
    status = window.statusBar()
    if not window.rect().contains(QtCore.QRect(status.mapTo(window, QtCore.QPoint(0, 0)), status.size())):
        cut.append("the status bar")
    return cut


@pytest.fixture(params=CASES, ids=[f"{screen}, {points or 'default'} pt{' by View' if later else ''}"
                                   for screen, points, later in CASES])
def styled_window(request, qtbot):
    """A lab window as the app builds it (its style sheet), at the default font or a
    projector's larger one (set before the window is made, as a desktop's font is)."""
    from app.core.lab import Lab
    from app.core.logbook import LogBook
    from app.core.shared import SharedArray
    from app.gui import resources
    from app.gui.window import LabWindow

    screen, points, later = request.param
    qapp = QtWidgets.QApplication.instance()
    font, sheet = QtGui.QFont(qapp.font()), qapp.styleSheet()
    if points is not None and not later:
        larger = QtGui.QFont(font)
        larger.setPointSize(points)
        qapp.setFont(larger)
    qapp.setStyleSheet(resources.stylesheet())
    win = LabWindow(Lab(SharedArray(20_000), LogBook()))
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    size = QtCore.QSize(*fitting_size(SCREENS[screen]))
    win.resize(size)
    qtbot.waitUntil(lambda: win.size() == size, timeout=2000)
    if later:
        win.set_text_points(points)
    win.room = SCREENS[screen].rect
    yield win
    win.close()
    qapp.setStyleSheet(sheet)
    qapp.setFont(font)


def settled(window: QtWidgets.QMainWindow, qtbot) -> list[str]:
    """What :func:`cut_widgets` finds once the layout has settled (a bar that wraps to a
    second row asks for its height one layout pass later), or after 2 s."""
    try:
        qtbot.waitUntil(lambda: not cut_widgets(window), timeout=2000)
    except qtbot.TimeoutError:
        pass
    return cut_widgets(window)


def test_every_button_and_the_status_bar_are_on_a_small_screen(styled_window, qtbot):
    window = styled_window
    for tab in range(window.tabs.count()):
        window.tabs.setCurrentIndex(tab)
        QtWidgets.QApplication.processEvents()
        cut = settled(window, qtbot)
        assert not cut, f"{window.tabs.tabText(tab)} tab: cut or off screen: {cut}"
        assert window.width() <= window.room.width() and window.height() <= window.room.height(), \
            f"{window.tabs.tabText(tab)} tab: the window grew to {window.width()} x {window.height()}"


def test_the_labs_main_choices_show_without_scrolling(styled_window):
    window = styled_window
    window.tabs.setCurrentIndex(0)
    QtWidgets.QApplication.processEvents()
    c = window.controls
    for widget in (c.use_lock_box, c.threads_radio, c.gui_radio, *window.buttons.findChildren(QtWidgets.QPushButton)):
        assert widget.visibleRegion().boundingRect() == widget.rect(), widget.text()


def test_the_latency_panel_widens_when_the_font_grows_while_it_is_shown(qtbot):
    from app.gui.responsiveness import ResponsivenessPanel

    panel = ResponsivenessPanel()
    qtbot.addWidget(panel)
    panel.show()
    before = panel.width()
    larger = QtGui.QFont(panel.font())
    larger.setPointSize(22)
    panel.setFont(larger)
    qtbot.waitUntil(lambda: panel.width() > before + 50, timeout=2000)


def test_the_latency_panel_is_freed_when_let_go_with_no_cycle_through_its_timer(qtbot):
    # A slot that is a lambda holding the panel made a cycle that only the collector could
    # take apart, and it did so while the panel's refit timer still ran, in a window left
    # from an earlier test: the timer then called the freed lambda (a segfault). Slots that
    # are the panel's own methods are held weakly (PyQt and PySide both): the panel goes
    # when it is let go.
    import gc
    import weakref

    from app.core.frames import COLLECTION_SWITCH
    from app.gui.responsiveness import ResponsivenessPanel

    with COLLECTION_SWITCH:  # (no sampler turns collection back on meanwhile)
        was_enabled = gc.isenabled()
        gc.disable()  # (so that only reference counts can free it)
        try:
            panel = ResponsivenessPanel()
            larger = QtGui.QFont(panel.font())
            larger.setPointSize(larger.pointSize() + 2)
            panel.setFont(larger)  # (a font change starts the refit timer)
            assert panel._refit.isActive()
            freed = weakref.ref(panel)
            del panel
            assert freed() is None
        finally:
            if was_enabled:
                gc.enable()
