"""A program's constants: read from its top, written back in place, lines kept."""

import pytest

from app.core.source import constants, literal, with_constants

PROGRAM = '''# a program
from threading import Thread

SIZE = 100_000
DELAY = 0.2  # seconds
PACING = 'sleep'
REENTRANT = False
lower = 3
COMPUTED = 10 ** 6


def f():
    INSIDE = 1
'''


def test_constants_are_the_top_level_upper_case_literals():
    found = constants(PROGRAM)
    assert {name: c.value for name, c in found.items()} == {
        "SIZE": 100_000, "DELAY": 0.2, "PACING": "sleep", "REENTRANT": False}
    assert found["SIZE"].line == 4


def test_new_values_go_on_the_same_lines_and_comments_stay():
    text = with_constants(PROGRAM, {"SIZE": 2000, "DELAY": 0.5, "PACING": "wait", "REENTRANT": True})
    assert text.splitlines()[3:7] == ["SIZE = 2000", "DELAY = 0.5  # seconds", "PACING = 'wait'", "REENTRANT = True"]
    assert text.count("\n") == PROGRAM.count("\n")


def test_a_value_equal_to_the_one_written_keeps_its_text():
    program = "RUN_FOR = 1\nFLAG = 1\n"
    assert with_constants(program, {"RUN_FOR": 1.0}) == program
    assert with_constants(program, {"FLAG": True}) == "RUN_FOR = 1\nFLAG = True\n"  # a bool is not 1


def test_a_constant_the_program_lacks_is_a_key_error():
    with pytest.raises(KeyError, match="no constant SPEED"):
        with_constants(PROGRAM, {"SPEED": 1})


def test_literals_are_written_as_python_would():
    assert [literal(v) for v in (100_000, 9999, 0.5, "x", True)] == ["100_000", "9999", "0.5", "'x'", "True"]


def test_a_program_that_does_not_parse_raises_syntax_error():
    with pytest.raises(SyntaxError):
        constants("SIZE = (1,\n")
