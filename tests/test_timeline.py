"""Lanes rebuilt from records: segments, holds and marks per thread lifetime."""

from app.core import recorder as rec
from app.core.recorder import Lane
from app.core.timeline import Timeline


class Named:
    def __init__(self, name):
        self.name = name


LOCK, EVENT = Named("array lock"), Named("ready")


def timeline_of(*records):
    timeline = Timeline()
    timeline.feed(records)
    return timeline


def test_states_become_consecutive_segments_and_a_repeated_state_stays_one():
    a = Lane(1, "add", 1)
    tl = timeline_of((0.0, a, rec.STARTED, None), (1.0, a, rec.WAIT_LOCK, LOCK), (1.5, a, rec.WAIT_LOCK, LOCK),
                     (2.0, a, rec.RUNNING, None), (3.0, a, rec.FINISHED, None))
    (track,) = tl.ordered()
    assert [(s.state, s.start, s.end) for s in track.segments] == [
        (rec.RUNNING, 0.0, 1.0), (rec.WAIT_LOCK, 1.0, 2.0), (rec.RUNNING, 2.0, 3.0)]
    assert track.ended == 3.0 and not track.failed
    assert track.segments[1].describe() == "waiting for lock 'array lock'"
    assert [m.kind for m in track.marks] == [rec.STARTED, rec.FINISHED]


def test_holds_open_and_close_on_the_owners_lane():
    a = Lane(1, "add", 1)
    tl = timeline_of((0.0, a, rec.HOLD, LOCK), (0.5, a, rec.RELEASE, LOCK), (0.7, a, rec.HOLD, LOCK))
    (track,) = tl.ordered()
    assert [(h.start, h.end) for h in track.holds] == [(0.0, 0.5), (0.7, None)]
    assert track.holds_at(0.2)[0].lock is LOCK and track.holds_at(0.6) == []


def test_state_at_and_time_in():
    a = Lane(1, "t", 1)
    tl = timeline_of((0.0, a, rec.RUNNING, None), (1.0, a, rec.WAIT_EVENT, EVENT), (4.0, a, rec.RUNNING, None))
    (track,) = tl.ordered()
    assert track.state_at(2.0).state == rec.WAIT_EVENT and track.state_at(-1) is None
    assert track.time_in(rec.WAIT_EVENT, now=10.0) == 3.0 and track.time_in(rec.RUNNING, now=10.0) == 7.0


def test_follow_reads_only_new_records_and_forget_before_bounds_the_timeline():
    from app.core.primitives import Event
    from app.core.recorder import Recorder

    recorder = Recorder()
    event = Event("e", recorder=recorder)
    tl = Timeline()
    event.set()
    assert tl.follow(recorder) == 1
    assert tl.follow(recorder) == 0
    event.clear()
    event.set()
    assert tl.follow(recorder) == 1
    (track,) = tl.ordered()
    assert len(track.marks) == 2
    tl.forget_before(track.marks[-1].t)
    assert len(track.marks) == 1


def test_ended_tracks_scroll_out_of_view():
    a, b = Lane(1, "a", 1), Lane(2, "b", 2)
    tl = timeline_of((0.0, a, rec.STARTED, None), (1.0, a, rec.FINISHED, None), (2.0, b, rec.STARTED, None))
    assert [t.name for t in tl.visible(0.5, 3.0)] == ["a", "b"]
    assert [t.name for t in tl.visible(1.5, 3.0)] == ["b"]


def test_a_long_timeline_is_cut_to_its_last_items_and_to_what_ends_after_t():
    a = Lane(1, "busy", 1)
    records = []
    for i in range(1000):
        records += [(float(i), a, rec.RUNNING, None), (i + 0.5, a, rec.PACING, EVENT)]
    tl = timeline_of(*records)
    (track,) = tl.ordered()
    tl.forget_before(900.0, keep=50)
    assert len(track.segments) == 50 and track.segments[-1].end is None
    tl.forget_before(999.7, keep=10_000)
    assert [(s.state, s.start) for s in track.segments] == [(rec.PACING, 999.5)]


def test_a_thread_that_ends_without_a_record_is_closed_when_it_is_seen_dead():
    import threading

    from app.core.primitives import Event
    from app.core.recorder import Recorder

    recorder = Recorder()
    event = Event("e", recorder=recorder)
    plain = threading.Thread(target=lambda: event.wait(0.01), name="plain")  # not instrumented
    plain.start()
    plain.join(5)
    tl = Timeline()
    tl.follow(recorder)
    (track,) = tl.find("plain")
    assert track.ended is not None and track.segments[-1].end is not None
