import math

import pytest

from app.core import params
from app.core.params import ARRAY_SIZE, COUNTER_DELAY, check_fits_in_memory, check_float, check_int


def test_int_in_range_is_returned():
    assert check_int(ARRAY_SIZE, 1000) == 1000


@pytest.mark.parametrize("bad", [-5, 0, 9, 10_000_001])
def test_int_out_of_range_names_parameter_and_range(bad):
    with pytest.raises(ValueError, match=r"array size must be 10 to 10000000 elements"):
        check_int(ARRAY_SIZE, bad)


@pytest.mark.parametrize("bad", [1.5, "100", None, True])
def test_int_rejects_non_whole_numbers(bad):
    with pytest.raises(ValueError, match="whole number"):
        check_int(ARRAY_SIZE, bad)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_float_rejects_nan_and_infinity(bad):
    with pytest.raises(ValueError, match="finite"):
        check_float(COUNTER_DELAY, bad)


def test_float_rejects_negative_delay():
    with pytest.raises(ValueError, match="delay must be"):
        check_float(COUNTER_DELAY, -0.1)


def test_memory_check_refuses_more_than_half_of_free_memory(monkeypatch):
    monkeypatch.setattr(params, "available_memory_bytes", lambda: 100 * 2**20)
    check_fits_in_memory(40 * 2**20, "x")
    with pytest.raises(ValueError, match="only 100 MiB of memory is free"):
        check_fits_in_memory(60 * 2**20, "x")


def test_clamp_moves_value_into_range():
    assert ARRAY_SIZE.clamp(1) == 10
    assert ARRAY_SIZE.clamp(10**12) == 10_000_000
