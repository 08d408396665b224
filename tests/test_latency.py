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


def test_stats_give_p50_p99_and_max_over_the_window():
    meter = LatencyMeter(window=100.0)
    for i in range(100):
        meter.record(i / 1000, now=float(i))  # 0 .. 99 ms
    stats = meter.stats()
    assert stats.samples == 100 and stats.max == 0.099
    assert abs(stats.p50 - 0.0495) < 1e-9 and abs(stats.p99 - 0.09801) < 1e-9
    assert stats.describe() == "p50 50 · p99 98 · max 99 ms"


def test_stats_and_series_are_empty_without_samples():
    meter = LatencyMeter()
    assert meter.stats().samples == 0 and meter.stats().max == 0.0
    times, delays = meter.series()
    assert times.size == 0 and delays.size == 0
