import threading

from app.core import logbook
from app.core.logbook import LogBook


def test_entry_carries_thread_name_and_kind():
    log = LogBook()
    done = threading.Event()

    def work():
        log.write("hello")
        done.set()

    t = threading.Thread(target=work, name="writer")
    t.start()
    assert done.wait(5)
    t.join(5)
    (entry,) = log.entries()
    assert (entry.thread, entry.kind, entry.text) == ("writer", logbook.LINE, "hello")
    assert "[writer] hello" in entry.format()


def test_entries_from_many_threads_are_in_time_order():
    log = LogBook()
    threads = [threading.Thread(target=lambda: [log.write("x") for _ in range(500)]) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    entries = log.entries()
    assert len(entries) == 2000
    assert [e.index for e in entries] == list(range(2000))
    assert all(a.mono <= b.mono for a, b in zip(entries, entries[1:]))


def test_since_returns_only_new_entries():
    log = LogBook()
    log.write("a")
    cursor = log.next_index
    log.write("b")
    assert [e.text for e in log.since(cursor)] == ["b"]
    assert log.since(log.next_index) == []


def test_capacity_bounds_memory_and_since_skips_dropped():
    log = LogBook(capacity=10)
    for i in range(25):
        log.write(str(i))
    assert [e.text for e in log.since(0)] == [str(i) for i in range(15, 25)]
