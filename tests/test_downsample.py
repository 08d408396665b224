"""The peak envelope keeps every spike of a long array in a few points."""

import numpy as np
import pytest

from app.core.downsample import peak_envelope


def test_short_arrays_come_back_whole():
    y = np.arange(10.0)
    x, out = peak_envelope(y, bins=8)
    assert np.array_equal(out, y) and np.array_equal(x, np.arange(10.0))
    out[0] = 99  # a copy, not a view of the shared array
    assert y[0] == 0


def test_a_single_spike_in_a_million_survives():
    y = np.zeros(1_000_003)
    y[123_457], y[999_999] = 5.0, -3.0
    x, out = peak_envelope(y, bins=500)
    assert out.size <= 1002 and out.max() == 5.0 and out.min() == -3.0
    spike_x = x[np.argmax(out)]
    assert abs(spike_x - 123_457) <= 1_000_003 / 500  # within the bin that holds it


def test_x_runs_over_the_slice_given():
    x, _ = peak_envelope(np.ones(10_000), bins=10, start=5000)
    assert x.min() >= 5000 and x.max() <= 15_000 and np.all(np.diff(x) >= 0)


def test_bins_must_be_positive():
    with pytest.raises(ValueError, match="bins"):
        peak_envelope(np.ones(5), bins=0)
