import numpy as np
import pytest

from app.core import params
from app.core.shared import START_VALUE, SharedArray


def test_new_array_holds_start_value():
    shared = SharedArray(100)
    assert shared.size == 100
    assert np.all(shared.data == START_VALUE)


def test_snapshot_is_a_copy():
    shared = SharedArray(100)
    snap = shared.snapshot()
    shared.data += 1
    assert np.all(snap == START_VALUE)


def test_reset_refills_and_resizes():
    shared = SharedArray(100)
    shared.data += 5
    shared.reset()
    assert np.all(shared.data == START_VALUE)
    shared.reset(50)
    assert shared.size == 50


@pytest.mark.parametrize("bad", [-1, 0, 5, 10**9])
def test_bad_size_is_a_value_error(bad):
    with pytest.raises(ValueError, match="array size"):
        SharedArray(bad)


def test_array_too_large_for_memory_is_a_value_error(monkeypatch):
    monkeypatch.setattr(params, "available_memory_bytes", lambda: 2**20)
    with pytest.raises(ValueError, match="MiB of memory is free"):
        SharedArray(1_000_000)
