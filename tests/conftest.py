"""Shared fixtures: headless Qt, a small lab window, and a guard against leaked threads."""

from __future__ import annotations

import atexit
import gc
import os
import shutil
import tempfile
import threading

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before any QApplication exists
# the app's settings (recent scripts) go to a folder of the test run's, never the user's
_CONFIG = tempfile.mkdtemp(prefix="threadlab-test-config-")
os.environ["XDG_CONFIG_HOME"] = _CONFIG
atexit.register(shutil.rmtree, _CONFIG, True)

import pytest  # noqa: E402
from pyqtgraph.Qt import QT_LIB  # noqa: E402

# One Qt binding for the app, pytest-qt and every subprocess a test starts: the one
# pyqtgraph picks (PyQt6, PySide6, then PyQt5), or PYQTGRAPH_QT_LIB's choice.
os.environ.setdefault("PYQTGRAPH_QT_LIB", QT_LIB)
os.environ.setdefault("PYTEST_QT_API", QT_LIB.lower())

from app.gui.qtcompat import keep_singletons_alive  # noqa: E402

# As the app's launch does: a binding that loses references to None, True and False
# (PySide6 6.12.0 on Python 3.10 and 3.11) would end the run in a fatal error at exit.
SINGLETONS_LEAKED = keep_singletons_alive()

THREAD_GRACE_S = 2.0


@pytest.fixture(autouse=True)
def qt_garbage_collected_on_the_main_thread(request):
    """After a test that used Qt, collect its cyclic garbage here, on the main thread: left
    to the automatic collector, a later test's worker thread could destroy its Qt objects
    (app/gui/collector.py says why that hangs PySide6)."""
    yield
    if "qtbot" in request.fixturenames:
        gc.collect()


@pytest.fixture(autouse=True)
def collection_left_as_found():
    """Fail a test that leaves automatic garbage collection on or off other than it found
    it (and put it back): a suite once ran on with it off after a test, and a window left
    over from an earlier test ended the run in a segfault (see test_window_fits)."""
    was_enabled = gc.isenabled()
    yield
    now_enabled = gc.isenabled()
    if now_enabled != was_enabled:
        (gc.enable if was_enabled else gc.disable)()
    assert now_enabled == was_enabled, f"the test left automatic collection {'on' if now_enabled else 'off'}"


@pytest.fixture(autouse=True)
def settings_of_its_own(tmp_path_factory, monkeypatch):
    """Each test's child processes get a settings folder of their own: a window that a
    test's ``main.py`` closed keeps its tab and lesson, which the next one would open on.
    (This process's own QSettings keep the folder they first saw: tests of settings
    clean up what they write.)"""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("config")))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path_factory.mktemp("state")))  # (the log file)


@pytest.fixture(autouse=True)
def no_thread_left_running():
    """Fail the test if it leaves a thread running (after a bounded join)."""
    before = set(threading.enumerate())
    yield
    extra = [t for t in threading.enumerate() if t not in before]
    for thread in extra:
        thread.join(THREAD_GRACE_S)
    alive = [t.name for t in extra if t.is_alive()]
    assert not alive, f"test left threads running: {alive}"


@pytest.fixture
def window(qtbot):
    """A shown lab window over a 20 000-element array; closed (and its threads joined) after."""
    from app.core.lab import Lab
    from app.core.logbook import LogBook
    from app.core.shared import SharedArray
    from app.gui.window import LabWindow

    win = LabWindow(Lab(SharedArray(20_000), LogBook()))
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    qtbot.waitUntil(lambda: win.watchdog.alive)  # (it starts after the first paint)
    yield win
    win.close()
