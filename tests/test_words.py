import pytest

from app.core.words import duration, plural, times


@pytest.mark.parametrize(("seconds", "said"), [(0.2, "0.2 s"), (5.55, "5.5 s"), (45, "45 s"), (91, "2 min"),
                                               (1020, "17 min"), (3600, "1 h"), (6180, "1 h 43 min")])
def test_a_duration_is_said_as_a_person_says_it(seconds, said):
    assert duration(seconds) == said


def test_counts_are_said_with_their_plural():
    assert plural(1, "run") == "1 run" and plural(2, "run") == "2 runs" and plural(3, "ox", "oxen") == "3 oxen"
    assert times(1) == "once" and times(1200) == "1,200 times"


def test_a_signal_is_said_by_its_name():
    from app.core.words import signal_name

    assert signal_name(2) == "SIGINT" and signal_name(11) == "SIGSEGV" and signal_name(99) == "signal 99"
