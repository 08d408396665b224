import sys
import threading

from app.core import hooks, logbook
from app.core.logbook import LogBook


def test_uncaught_thread_error_goes_to_the_log_with_thread_name():
    log = LogBook()
    undo = hooks.install(log)
    try:
        t = threading.Thread(target=lambda: 1 / 0, name="doomed")
        t.start()
        t.join(5)
    finally:
        undo()
    (entry,) = [e for e in log.entries() if e.kind == logbook.ERROR]
    assert entry.thread == "doomed"
    assert "ZeroDivisionError" in entry.text and "Traceback" in entry.text


def test_sys_excepthook_goes_to_the_log_and_undo_restores():
    log = LogBook()
    before = sys.excepthook, threading.excepthook
    undo = hooks.install(log)
    try:
        try:
            raise ValueError("from a slot")
        except ValueError:
            sys.excepthook(*sys.exc_info())
    finally:
        undo()
    assert (sys.excepthook, threading.excepthook) == before
    assert any("from a slot" in e.text and e.kind == logbook.ERROR for e in log.entries())
