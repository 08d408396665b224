"""The Log tab: it follows the newest line through layout changes, unless scrolled up."""

from app.core import logbook
from app.core.logbook import LogBook
from app.gui.logpane import ERRORS_ONLY, LogPane


def pane_with_lines(qtbot, count=200):
    pane = LogPane(1000)
    qtbot.addWidget(pane)
    pane.resize(500, 300)
    pane.show()
    qtbot.waitExposed(pane)
    book = LogBook()
    for i in range(count):
        book.write(f"line {i}", thread=f"worker-{i % 2}")
    pane.add(book.entries())
    return pane, book


def at_end(pane):
    bar = pane.view.verticalScrollBar()
    return bar.maximum() > 0 and bar.value() == bar.maximum()


def test_it_follows_when_the_view_gets_smaller_then_more_lines_come(qtbot):
    pane, book = pane_with_lines(qtbot)
    assert at_end(pane)
    pane.resize(500, 120)  # a banner took room: the same lines, a shorter view
    qtbot.waitUntil(lambda: pane.view.height() < 150, timeout=2000)
    cursor = book.next_index
    book.write("the newest line")
    pane.add(book.since(cursor))
    assert at_end(pane) and pane.following


def test_it_stays_where_the_user_scrolled_up(qtbot):
    pane, book = pane_with_lines(qtbot)
    bar = pane.view.verticalScrollBar()
    bar.setValue(bar.maximum() // 2)  # the user reads older lines
    reading = bar.value()
    assert not pane.following
    cursor = book.next_index
    book.write("more")
    pane.add(book.since(cursor))
    assert bar.value() == reading < bar.maximum()
    bar.setValue(bar.maximum())  # back to the end: it follows again
    assert pane.following


def test_errors_are_counted_and_can_be_shown_alone(qtbot):
    pane, book = pane_with_lines(qtbot, 20)
    counts = []
    pane.errors_changed.connect(counts.append)
    cursor = book.next_index
    book.write("ZeroDivisionError: division by zero", logbook.ERROR, thread="worker-1")
    pane.add(book.since(cursor))
    assert pane.errors == 1 and counts == [1]
    pane.show_errors()
    assert pane.level_box.currentText() == ERRORS_ONLY
    assert pane.view.toPlainText().strip().endswith("ZeroDivisionError: division by zero")
    assert "line 3" not in pane.view.toPlainText()


def test_a_thread_filter_shows_that_thread_only(qtbot):
    pane, _ = pane_with_lines(qtbot, 10)
    pane.thread_box.setCurrentText("worker-1")
    shown = pane.view.toPlainText()
    assert "line 1" in shown and "line 2" not in shown


def test_clear_empties_the_view_and_the_count(qtbot):
    pane, book = pane_with_lines(qtbot, 10)
    cursor = book.next_index
    book.write("boom", logbook.ERROR)
    pane.add(book.since(cursor))
    pane.clear()
    assert pane.view.toPlainText() == "" and pane.errors == 0
