from app.core.latency import LatencyMeter


def test_last_and_recent_max():
    meter = LatencyMeter(window=5.0)
    meter.record(0.010, now=100.0)
    meter.record(0.200, now=101.0)
    meter.record(0.020, now=102.0)
    assert meter.last == 0.020
    assert meter.recent_max == 0.200


def test_old_samples_leave_the_window():
    meter = LatencyMeter(window=1.0)
    meter.record(0.5, now=10.0)
    meter.record(0.01, now=12.0)
    assert meter.recent_max == 0.01


def test_early_firing_counts_as_zero_delay():
    meter = LatencyMeter()
    meter.record(-0.002, now=1.0)
    assert meter.last == 0.0
