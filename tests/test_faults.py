"""FaultCounter: a failing part is told once, counted after, and its recovery said."""

from app.core.faults import FaultCounter


def _raise(exc: Exception):
    def part() -> None:
        raise exc
    return part


def test_a_failure_is_written_once_with_its_traceback_and_repeats_are_counted():
    lines: list[str] = []
    faults = FaultCounter(lines.append)
    for _ in range(30):
        assert faults.run("lock panel", _raise(ValueError("no such lock"))) is False
    assert len(lines) == 1
    assert "lock panel failed" in lines[0] and "ValueError: no such lock" in lines[0]
    assert "Traceback" in lines[0]
    assert faults.failing() == {"lock panel": 30}
    assert faults.told == 1


def test_one_failing_part_does_not_stop_the_others():
    ran: list[str] = []
    faults = FaultCounter(lambda text: None)
    for _ in range(3):
        faults.run("broken", _raise(RuntimeError("x")))
        faults.run("fine", lambda: ran.append("fine"))
    assert ran == ["fine"] * 3


def test_a_different_failure_is_written_again():
    lines: list[str] = []
    faults = FaultCounter(lines.append)
    faults.run("plot", _raise(ValueError("a")))
    faults.run("plot", _raise(ValueError("a")))
    faults.run("plot", _raise(KeyError("b")))
    assert len(lines) == 2
    assert "after failing 2 times with ValueError: a" in lines[1]


def test_recovery_is_said_with_the_count():
    lines: list[str] = []
    faults = FaultCounter(lines.append)
    for _ in range(4):
        faults.run("log", _raise(OSError("gone")))
    assert faults.run("log", lambda: None) is True
    assert lines[-1] == "log works again (it failed 4 times in all)"
    assert faults.failing() == {}
    faults.run("log", lambda: None)
    assert len(lines) == 2  # nothing more while it works
