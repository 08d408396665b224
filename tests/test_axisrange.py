"""The plot's y range follows the data but moves seldom."""

from app.core.axisrange import StickyRange


def test_the_first_data_sets_a_range_with_room_around_it():
    low, high = StickyRange(margin=0.25).fit(0.0, 4.0, now=0.0)
    assert low < 0.0 and high > 4.0


def test_data_inside_the_range_leaves_it_still():
    r = StickyRange()
    r.fit(0.0, 4.0, now=0.0)
    assert r.fit(0.5, 3.5, now=0.1) is None


def test_data_that_leaves_the_range_moves_it_to_cover_the_data():
    r = StickyRange()
    r.fit(0.0, 4.0, now=0.0)
    low, high = r.fit(3.0, 9.0, now=0.1)
    assert low <= 3.0 and high >= 9.0


def test_a_whole_array_flipping_between_two_levels_moves_the_axis_once():
    """Two racing mutators can flip a flat array between 9.09 and 10 every frame."""
    r = StickyRange()
    moves = sum(r.fit(level, level, now=i / 30) is not None
                for i, level in enumerate([9.09, 10.0] * 60))
    assert moves <= 2


def test_a_range_that_became_far_too_wide_shrinks_once_the_memory_passes():
    r = StickyRange(memory_s=1.0)
    r.fit(0.0, 100.0, now=0.0)
    assert r.fit(50.0, 51.0, now=0.5) is None  # the wide data is still remembered
    low, high = r.fit(50.0, 51.0, now=2.0)
    assert high - low < 5.0


def test_a_constant_array_keeps_one_range():
    r = StickyRange()
    assert r.fit(0.0, 0.0, now=0.0) is not None
    assert all(r.fit(0.0, 0.0, now=i / 30) is None for i in range(1, 90))


def test_reset_forgets_the_range():
    r = StickyRange()
    r.fit(0.0, 4.0, now=0.0)
    r.reset()
    assert r.shown is None and r.fit(1.0, 2.0, now=0.1) is not None
