import threading
import time

import pytest

from app.core import logbook
from app.core.logbook import LogBook
from app.core.watchdog import Watchdog


def test_beat_measures_an_induced_stall_within_ten_percent():
    dog = Watchdog(threshold=0.1)
    dog.beat()
    began = time.monotonic()
    threading.Event().wait(0.5)  # the stall being measured, not a synchronisation
    induced = time.monotonic() - began  # what the clock says it lasted, overshoot included
    stall = dog.beat()
    assert stall is not None
    assert stall.seconds == pytest.approx(induced, rel=0.1)


def test_short_gaps_are_not_stalls():
    dog = Watchdog(threshold=10.0)
    dog.beat()
    assert dog.beat() is None


def test_watchdog_thread_reports_a_stall_while_it_lasts():
    noticed = threading.Event()

    def on_entry(entry):
        if entry.kind == logbook.NOTE and "has not answered" in entry.text:
            noticed.set()

    dog = Watchdog(LogBook(echo=on_entry), threshold=0.1, poll=0.01)
    dog.start()
    try:
        assert noticed.wait(5), "the watchdog never noticed that beats stopped"
        assert dog.current_gap() >= 0.1  # noticed while no beat had closed the stall
    finally:
        assert dog.stop(timeout=1)


def test_stop_ends_the_thread():
    dog = Watchdog()
    dog.start()
    assert dog.stop(timeout=1)
