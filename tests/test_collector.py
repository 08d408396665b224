"""Cyclic garbage is collected on the GUI thread while the window is open."""

from __future__ import annotations

import gc
import threading
import weakref

import pytest
from pyqtgraph.Qt import QtCore

from app.gui.collector import GuiThreadCollector, collect_due


@pytest.fixture
def automatic_collection():
    """Automatic collection on, as outside the test suite; put back as it was after."""
    was = gc.isenabled()
    gc.collect()
    gc.enable()
    yield
    if not was:
        gc.disable()


def garbage_that_holds_a_qt_object(collected_on: list[int]) -> None:
    """A cycle holding a QObject, which only the cycle collector can free; it notes the
    thread that frees it."""

    class Cycle:
        pass

    cycle = Cycle()
    cycle.me = cycle
    cycle.qt = QtCore.QObject()
    weakref.finalize(cycle, lambda: collected_on.append(threading.get_ident()))


def allocate_in_a_worker() -> list:
    """A worker that makes many container objects (enough for several collections) and
    keeps them, so that a collection is still due when it ends."""
    kept: list = []
    worker = threading.Thread(target=lambda: kept.extend([] for _ in range(50_000)), name="allocator")
    worker.start()
    worker.join(10)
    return kept


def test_without_it_a_worker_collects_the_gui_threads_garbage(automatic_collection):
    collected_on: list[int] = []
    garbage_that_holds_a_qt_object(collected_on)
    allocate_in_a_worker()
    assert collected_on and collected_on[0] != threading.get_ident()  # (what the collector prevents)


def test_with_it_the_gui_thread_collects_and_the_worker_never_does(automatic_collection, qtbot):
    collector = GuiThreadCollector()
    collector.start()
    try:
        assert not gc.isenabled()
        collected_on: list[int] = []
        garbage_that_holds_a_qt_object(collected_on)
        kept = allocate_in_a_worker()
        assert not collected_on
        qtbot.waitUntil(lambda: bool(collected_on), timeout=3000)  # (its timer is due)
        assert collected_on == [threading.get_ident()]
        assert collector.collections[0] >= 1
        del kept
    finally:
        collector.stop()
    assert gc.isenabled()  # given back as it was found


def test_stop_leaves_collection_off_when_it_was_off(qtbot):
    gc.disable()
    collector = GuiThreadCollector()
    collector.start()
    collector.stop()
    collector.stop()  # (idempotent)
    assert not gc.isenabled() and not collector.running


def test_what_exists_at_start_is_frozen_until_stop(qtbot):
    collector = GuiThreadCollector()
    collector.start()
    try:
        assert gc.get_freeze_count() > 1000  # (the modules, Qt's wrappers: never scanned)
    finally:
        collector.stop()
    assert gc.get_freeze_count() == 0


def test_a_generation_is_due_only_once_its_count_passes_its_threshold():
    gc.collect()
    first = gc.get_threshold()
    try:
        gc.set_threshold(100, 10, 10)
        assert collect_due() == -1
        garbage = [[] for _ in range(200)]
        assert collect_due() == 0 and gc.get_count()[0] < 100
        gc.set_threshold(0)  # (0: never automatic)
        garbage += [[] for _ in range(200)]
        assert collect_due() == -1
    finally:
        gc.set_threshold(*first)
        del garbage


def test_the_window_collects_on_its_thread_while_open_and_gives_collection_back(window):
    assert window.collector.running and not gc.isenabled()
    window.close()
    assert not window.collector.running
