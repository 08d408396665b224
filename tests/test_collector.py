"""Cyclic garbage is collected on the GUI thread while the window is open."""

from __future__ import annotations

import gc
import threading
import weakref

import pytest
from pyqtgraph.Qt import QtCore

from app.core import frames
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


def unfrozen() -> bool:
    """Nothing frozen but what Python 3.12 puts back by itself: there, a collection leaves a
    few hundred of its own objects in the permanent generation (375 here, on 3.12.1)."""
    return gc.get_freeze_count() < 1000


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
    try:
        collector = GuiThreadCollector()
        collector.start()
        collector.stop()
        collector.stop()  # (idempotent)
        assert not gc.isenabled() and not collector.running
    finally:
        gc.enable()


def test_what_exists_at_start_is_frozen_until_stop(qtbot):
    collector = GuiThreadCollector()
    collector.start()
    try:
        assert gc.get_freeze_count() > 10_000  # (the modules, Qt's wrappers: never scanned)
    finally:
        collector.stop()
    assert unfrozen()


def test_a_generation_is_due_only_once_its_count_passes_its_threshold():
    gc.disable()  # (no automatic collection in between)
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
        gc.enable()
        del garbage


def test_the_window_collects_on_its_thread_while_open_and_gives_collection_back(automatic_collection, window):
    assert window.collector.running and not gc.isenabled() and not unfrozen()
    window.close()
    assert not window.collector.running and gc.isenabled() and unfrozen()


def test_two_collectors_share_one_switch_and_the_last_to_stop_gives_it_back(automatic_collection, qtbot):
    first, second = GuiThreadCollector(), GuiThreadCollector()
    first.start()
    second.start()
    first.stop()
    assert not gc.isenabled() and not unfrozen()  # (the second still runs)
    second.stop()
    assert gc.isenabled() and unfrozen()


def test_while_it_runs_the_gui_threads_sampled_frames_are_let_go_of_on_its_timer(qtbot):
    collector = GuiThreadCollector()
    collector.start()
    try:
        seen = []
        looker = threading.Thread(target=lambda: seen.append(len(frames.current_frames())))
        looker.start()
        looker.join(5)
        assert seen and len(frames._kept_for_main) == 1  # (this thread's frame, kept for it)
        qtbot.waitUntil(lambda: not frames._kept_for_main, timeout=3000)  # (its timer is due)
    finally:
        collector.stop()
    assert frames._kept_for_main is None  # (no window: nothing kept)


def test_a_full_collection_waits_until_the_old_generation_has_grown_by_a_quarter():
    from app.gui import collector

    def every_generation_due(kept: list) -> None:
        """Counts past thresholds of (10, 1, 1) in every generation."""
        for collect in (1, 1, 0, 0):
            kept += [[] for _ in range(100)]
            gc.collect(collect)
        kept += [[] for _ in range(100)]

    first, kept = gc.get_threshold(), []
    gc.disable()  # (no automatic collection in between)
    try:
        gc.set_threshold(10, 1, 1)
        gc.collect()
        collector._old_after_full = len(gc.get_objects(generation=2)) + 10_000
        every_generation_due(kept)
        assert collector.collect_due() == 1  # (the oldest is due by its count, but has not grown)
        collector._old_after_full = 0
        every_generation_due(kept)
        assert collector.collect_due() == 2
        assert collector._old_after_full == len(gc.get_objects(generation=2))
    finally:
        gc.set_threshold(*first)
        gc.enable()


def test_a_failing_collection_is_told_once_through_the_owners_faults(qtbot, monkeypatch):
    from app.core.faults import FaultCounter
    from app.gui import collector as module

    told: list[str] = []
    collector = GuiThreadCollector(faults=FaultCounter(told.append))

    def broken() -> int:
        raise RuntimeError("injected")

    monkeypatch.setattr(module, "collect_due", broken)
    collector._check()
    collector._check()
    assert len(told) == 1 and "garbage collection" in told[0] and "injected" in told[0]
