import re

import pytest

from app.lessons import LESSONS, MODULES, base, get

CATALOGUE_IDS = {
    "first-thread", "two-counters", "shared-array", "vectorized-race", "elementwise-race", "lock",
    "main-holds-lock", "deadlock", "lock-timeout", "event-ready", "event-stop", "ctrl-c",
    "frozen-vs-threaded", "lock-order",
}


def test_every_catalogue_lesson_is_registered():
    assert CATALOGUE_IDS <= set(LESSONS)
    assert len(LESSONS) == len(MODULES)


@pytest.mark.parametrize("lesson", LESSONS.values(), ids=list(LESSONS))
def test_lesson_has_title_text_code_and_valid_defaults(lesson):
    assert lesson.title and len(lesson.text) > 200
    assert {"Try:", "Look for:", "Why:"} <= set(re.findall(r"^\w[\w ]*:", lesson.text, re.M))
    assert lesson.title not in lesson.source and "app." not in lesson.source  # only the program
    assert lesson.check_params({}) == lesson.defaults() == lesson.params_of(lesson.source)
    # the program with its own constants is its text: the code pane does not call it edited
    assert lesson.program(lesson.defaults()) == lesson.source


def test_unknown_lesson_is_a_value_error_naming_the_known_ones():
    with pytest.raises(ValueError, match="unknown lesson 'nope'; known: first-thread"):
        get("nope")


def test_params_are_parsed_and_bounded():
    lesson = get("lock")
    assert lesson.check_params({"size": "5_000"}) == {"SIZE": 5000}  # any case; underscores as in Python
    with pytest.raises(ValueError, match="SIZE must be 1000 to 2000000"):
        lesson.check_params({"SIZE": "5"})
    with pytest.raises(ValueError, match="whole number"):
        lesson.check_params({"SIZE": "many"})
    with pytest.raises(ValueError, match="no parameter 'speed'"):
        lesson.check_params({"speed": "1"})
    with pytest.raises(ValueError, match="one of 'sleep', 'wait', 'none'"):
        get("event-stop").check_params({"PACING": "nap"})
    with pytest.raises(ValueError, match="True or False"):
        get("deadlock").check_params({"REENTRANT": "maybe"})
    assert get("deadlock").check_params({"reentrant": "yes"})["REENTRANT"] is True
    with pytest.raises(ValueError, match="finite"):
        get("first-thread").check_params({"DELAY": "nan"})


def test_an_edited_program_out_of_bounds_names_its_line():
    lesson = get("lock")
    with pytest.raises(ValueError, match=r"line 6: SIZE must be 1000 to 2000000, got 5"):
        lesson.params_of(lesson.source.replace("SIZE = 100_000", "SIZE = 5"))
    assert lesson.params_of(lesson.source.replace("SIZE = 100_000", "SIZE = 2_000")) == {"SIZE": 2000}


def test_a_constant_set_to_an_expression_is_refused_with_its_line():
    lesson = get("vectorized-race")
    with pytest.raises(ValueError, match="line 7: SIZE must be a plain value"):
        lesson.params_of(lesson.source.replace("SIZE = 100", "SIZE = 100 * 1000"))


def test_runs_that_wait_long_by_their_constants_are_announced_before_they_start():
    lesson = get("first-thread")
    slow = lesson.check_params({"COUNT": 100, "DELAY": 2.0})  # 200 s a run
    note = base.long_runs_note(lesson, slow, 200)
    assert note.startswith("200 runs of first-thread will take at least 11 h 7 min")
    assert base.long_runs_note(lesson, lesson.defaults(), 5) is None  # 10 s: not long


def test_after_the_first_run_the_estimate_is_what_it_took():
    lesson = get("lock")  # its time depends on the machine: nothing said before a run
    assert base.long_runs_note(lesson, lesson.defaults(), 200) is None
    assert "the other 199 runs will take about 17 min more" in base.long_runs_note(
        lesson, lesson.defaults(), 200, first_run_s=5.1)
    assert base.long_runs_note(lesson, lesson.defaults(), 10, first_run_s=0.5) is None
