"""The switch interval is set within bounds and put back; the GIL is reported."""

import sys

import pytest

from app.core import switching
from app.core.switching import SwitchInterval


def test_set_changes_the_interpreter_and_restore_puts_it_back():
    before = sys.getswitchinterval()
    switch = SwitchInterval()
    try:
        assert switch.set(0.02) == pytest.approx(0.02) and sys.getswitchinterval() == pytest.approx(0.02)
    finally:
        switch.restore()
    assert sys.getswitchinterval() == before


@pytest.mark.parametrize("bad", [0.0001, 0.2, float("nan"), "fast"])
def test_values_outside_half_a_millisecond_to_50_ms_are_refused(bad):
    before = sys.getswitchinterval()
    with pytest.raises(ValueError, match="switch interval must be"):
        SwitchInterval().set(bad)
    assert sys.getswitchinterval() == before


def test_the_gil_is_reported_as_the_interpreter_says():
    expected = getattr(sys, "_is_gil_enabled", lambda: True)()
    assert switching.gil_enabled() is expected
    assert ("with the GIL" in switching.describe_gil()) is expected
