"""The Lab as a session: the window drives it like any other."""

import threading

from app.core.lab import Lab
from app.core.logbook import LogBook
from app.core.session import Ended, LabSession, Note
from app.core.shared import SharedArray
from app.core.workers import Settings
from helpers import WAIT_S, wait_until


def lab():
    return Lab(SharedArray(1000), LogBook())


def test_an_idle_lab_session_shows_the_array_and_lends_its_lock():
    the_lab = lab()
    session = LabSession(the_lab)
    assert not session.running and session.poll() == []
    assert session.array() is the_lab.shared.data and session.grab_target() is the_lab.shared.lock
    assert session.locks() == [the_lab.shared.lock] and session.break_waits() == []


def test_a_started_session_runs_the_workers_and_says_when_they_ended():
    the_lab = lab()
    session = LabSession(the_lab, {"counter": 2}, Settings(counter_delay=0.01, counter_count=3))
    session.start()
    assert any(isinstance(e, Note) and "Started 2 worker threads" in e.text for e in session.poll())
    wait_until(lambda: not session.running)
    (ended,) = [e for e in session.poll() if isinstance(e, Ended)]
    assert "the workers ended" in ended.summary and session.poll() == []


def test_stop_asks_the_workers_and_join_waits_with_a_bound():
    the_lab = lab()
    session = LabSession(the_lab, {"counter": 1}, Settings(counter_delay=1.0))
    session.start()
    session.request_stop()
    assert session.join(WAIT_S) and not session.running
    assert "Stop clicked" in the_lab.log.entries()[-1].text or any(
        "Stop clicked" in e.text for e in the_lab.log.entries())


def test_on_the_calling_thread_the_work_runs_right_there():
    the_lab = lab()
    said = []
    session = LabSession(the_lab, {"add-elementwise": 1}, duration=0.2, on_gui_thread=True, before_freeze=said.append)
    before = threading.active_count()
    session.start()  # returns when the work is done
    assert said == [0.2] and threading.active_count() == before and the_lab.shared.data[0] > 1
