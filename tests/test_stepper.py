"""Stepping a program's real threads line by line, in the order the test chooses."""

import random

import pytest

from app.core.stepper import (BLOCKED, FINISHED, INSTRUCTION, READY, Step, StepError, Stepper,
                              instructions_can_be_stepped)

LOST_UPDATE = """\
import threading

counter = 0


def add():
    global counter
    value = counter
    counter = value + 1


a = threading.Thread(target=add, name="A")
b = threading.Thread(target=add, name="B")
a.start()
b.start()
a.join()
b.join()
print(counter)
"""

TWO_LOCKS = """\
import threading

first, second = threading.Lock(), threading.Lock()


def forward():
    with first:
        with second:
            pass


def backward():
    with second:
        with first:
            pass


a = threading.Thread(target=forward, name="A")
b = threading.Thread(target=backward, name="B")
a.start()
b.start()
a.join()
b.join()
print("both done")
"""


LOST_UPDATE_ONE_LINE = """\
import threading

counter = 0


def add():
    global counter; counter = counter + 1


a = threading.Thread(target=add, name="A")
b = threading.Thread(target=add, name="B")
a.start()
b.start()
a.join()
b.join()
print(counter)
"""

CALLS = """\
import threading


def twice(n):
    return 2 * n


def work():
    total = twice(1) + twice(2)


threading.Thread(target=work, name="A").start()
"""

SLOW_LOOP = """\
import threading


def spin():
    for i in range(2000):
        pass


t = threading.Thread(target=spin, name="A")
t.start()
t.join()
print("done")
"""


@pytest.fixture
def stepper():
    made = []

    def start(source):
        made.append(Stepper(source).start())
        return made[-1]

    yield start
    for s in made:
        assert s.close(), "the stepped program did not end when closed"


def until_ready(s, *names):
    """Step the main thread until every one of ``names`` is ready (they have started)."""
    while not set(names) <= set(s.ready()):
        s.step("MainThread")


def to_the_end(s):
    while s.ready():
        s.step(s.ready()[0])


def test_interleaving_the_read_and_the_write_loses_an_update_and_the_opposite_does_not(stepper):
    lost = stepper(LOST_UPDATE)
    until_ready(lost, "A", "B")
    lost.run_schedule(["A", "B", "A", "B"])  # both read 0, both write 1
    to_the_end(lost)
    assert lost.over and lost.output() == "1\n"
    kept = stepper(LOST_UPDATE)
    until_ready(kept, "A", "B")
    kept.run_schedule(["A", "A", "B", "B"])  # A reads and writes, then B
    to_the_end(kept)
    assert kept.output() == "2\n"


def test_a_saved_schedule_replays_to_the_same_outcome_every_time(stepper):
    first = stepper(LOST_UPDATE)
    first.run_random(seed=7)
    schedule, outcome = list(first.schedule), first.output()
    for _ in range(10):
        again = stepper(LOST_UPDATE)
        again.run_schedule(schedule)
        assert again.over and again.output() == outcome and again.schedule == schedule


def test_a_seed_draws_the_same_schedule_and_different_seeds_reach_both_outcomes(stepper):
    one, two = stepper(LOST_UPDATE), stepper(LOST_UPDATE)
    one.run_random(seed=3)
    two.run_random(seed=3)
    assert one.schedule == two.schedule
    outcomes = set()
    for seed in random.Random(1).sample(range(1000), 12):
        s = stepper(LOST_UPDATE)
        s.run_random(seed=seed)
        outcomes.add(s.output())
    assert outcomes == {"1\n", "2\n"}


def test_a_blocked_thread_cannot_be_stepped_and_its_reason_names_the_holder(stepper):
    s = stepper(TWO_LOCKS)
    until_ready(s, "A", "B")
    s.step("A")  # A takes first (line 7) and stops before line 8
    s.run_schedule(["B", "B"])  # B takes second, then waits for first
    views = {v.name: v for v in s.threads()}
    assert views["B"].state == BLOCKED and views["B"].line == 14
    assert views["B"].reason == "waiting for Lock 'first', held by A, taken at line 7"
    with pytest.raises(StepError, match="held by A"):
        s.step("B")
    assert views["A"].state == READY and views["A"].line == 8


def test_a_schedule_that_deadlocks_is_known_at_once(stepper):
    s = stepper(TWO_LOCKS)
    until_ready(s, "A", "B")
    s.run_schedule(["A", "B", "A"])  # A holds first, B holds second, A waits for second
    assert not s.deadlocked
    s.step("B")  # B waits for first: a circle, at once
    assert s.deadlocked and sorted(s.circle()) == ["A", "B"]
    states = {v.name: v.state for v in s.threads()}
    assert states == {"MainThread": READY, "A": BLOCKED, "B": BLOCKED}
    while s.ready():  # the main thread goes on to its join: then nobody can go on at all
        s.step("MainThread")
    assert s.deadlocked and s.ready() == []


def test_finished_threads_say_so_and_stepping_them_is_refused(stepper):
    s = stepper(LOST_UPDATE)
    until_ready(s, "A", "B")
    s.run_schedule(["A", "A"])
    assert {v.name: v.state for v in s.threads()}["A"] == FINISHED
    with pytest.raises(StepError, match="finished"):
        s.step("A")
    with pytest.raises(StepError, match="no thread called 'C'"):
        s.step("C")


def test_stepping_works_after_an_asynchronous_exception_was_taken_back_in_this_process(stepper):
    import threading

    from app.core.instrument import raise_in_thread

    raise_in_thread(threading.get_ident(), None)  # (as a Stop's take-back does: CPython's signal stays set)
    s = stepper(LOST_UPDATE)  # (without clearing it, its main thread loops before its first line)
    to_the_end(s)
    assert s.over and s.output() in ("1\n", "2\n")


needs_opcodes = pytest.mark.skipif(not instructions_can_be_stepped(),
                                   reason="this Python reports no single instructions to sys.settrace")


@needs_opcodes
def test_an_expanded_line_is_stepped_one_instruction_at_a_time_and_loses_an_update(stepper):
    s = stepper(LOST_UPDATE_ONE_LINE)
    until_ready(s, "A", "B")
    words = [w for _, w, _ in s.bytecode("A")]
    assert any(w.startswith("LOAD_GLOBAL counter") for w in words) and "STORE_GLOBAL counter" in words
    while not s.threads()[1].instruction.startswith("STORE_GLOBAL"):  # A: read, add; stop before the write
        s.step("A", INSTRUCTION)
    assert [v.line for v in s.threads()[1:]] == [7, 7]
    current = [w for _, w, now in s.bytecode("A") if now]
    assert current == ["STORE_GLOBAL counter"]
    s.run_schedule(["B", "A"])  # B reads 0 and writes 1, whole; then A writes the 1 it computed
    to_the_end(s)
    assert s.output() == "1\n"
    assert s.schedule[-1] != Step("A", INSTRUCTION) and Step("A", INSTRUCTION) in s.schedule


@needs_opcodes
def test_the_same_line_stepped_whole_keeps_both_updates(stepper):
    s = stepper(LOST_UPDATE_ONE_LINE)
    until_ready(s, "A", "B")
    s.run_schedule(["A", "B"])
    to_the_end(s)
    assert s.output() == "2\n"


@needs_opcodes
def test_instruction_steps_carry_on_into_a_called_function_and_back(stepper):
    s = stepper(CALLS)
    until_ready(s, "A")
    seen = []
    while "A" in s.ready():
        view = {v.name: v for v in s.threads()}["A"]
        seen.append((view.line, view.instruction))
        s.step("A", INSTRUCTION)
    lines = [line for line, _ in seen]
    assert lines[0] == 9 and lines.count(5) >= 4  # into twice() (line 5), twice
    assert lines[-1] == 9 and lines.index(5) < len(lines) - 1  # and back to work()'s line after each
    assert all(words for _, words in seen[1:])  # every stop after the first is before an instruction


def test_run_free_lets_the_real_scheduler_finish_and_pause_takes_the_threads_again(stepper):
    s = stepper(SLOW_LOOP)
    until_ready(s, "A")
    s.run_free()
    s.pause()
    assert set(s.ready()) <= {"MainThread", "A"} and s.ready() and not s.exact
    assert s.finish_free(5.0) and s.output().endswith("done\n")


def test_a_unit_that_is_not_a_line_or_an_instruction_is_refused(stepper):
    s = stepper(LOST_UPDATE)
    with pytest.raises(StepError, match="'line' or an 'instruction'"):
        s.step("MainThread", "word")


def test_a_python_that_reports_no_instructions_refuses_expand_with_the_reason(stepper, monkeypatch):
    from app.core import stepper as stepper_module

    monkeypatch.setattr(stepper_module, "_opcode_events", False)  # (as 3.12.0 and 3.12.1 are)
    s = stepper(LOST_UPDATE)
    with pytest.raises(StepError, match="a line cannot be expanded here"):
        s.step("MainThread", INSTRUCTION)
    s.step("MainThread")  # lines still step
    assert len(s.schedule) == 1


WOKEN = """\
import sys
import threading

lock = threading.Lock()
log = []


def a():
    lock.release(); log.append("a1"); sum(range(20000)); log.append("a2")


def b():
    lock.acquire(); log.append("b")


lock.acquire()
ta = threading.Thread(target=a, name="A")
tb = threading.Thread(target=b, name="B")
tb.start()
ta.start()
ta.join()
tb.join()
print(log, sys.gettrace() is None)
"""


def test_a_waiter_woken_by_the_stepped_thread_waits_for_its_own_turn(stepper):
    for _ in range(10):
        s = stepper(WOKEN)
        until_ready(s, "A", "B")
        s.step("B")  # B waits for the lock the main thread holds
        assert {v.name: v.state for v in s.threads()}["B"] == BLOCKED
        s.step("A")  # A lets it go and goes on with its line; B is woken, and stops there
        assert s.run.namespace["log"] == ["a1", "a2"] and "B" in s.ready()
        s.step("B")
        assert s.run.namespace["log"] == ["a1", "a2", "b"]


def test_released_threads_run_on_untraced_and_running_ones_are_not_called_blocked(stepper):
    s = stepper(WOKEN)
    until_ready(s, "A", "B")
    s.release()
    assert not s.deadlocked and BLOCKED not in {v.state for v in s.threads() if v.name == "A"}
    assert s.finish_free(5.0)
    # (released, the threads run freely: 'b' may come before or after A's lines, and only
    # A's own two are in a fixed order)
    log, untraced = s.output().rsplit("] ", 1)
    lines = [line.strip(" '") for line in log.strip("[").split(",")]
    assert sorted(lines) == ["a1", "a2", "b"] and lines.index("a1") < lines.index("a2") and untraced == "True\n"
