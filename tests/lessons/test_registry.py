import re

import pytest

from app.lessons import LESSONS, MODULES, get

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
    assert "def run(ctx, p)" in lesson.source and lesson.title not in lesson.source
    assert lesson.check_params({}) == lesson.defaults()


def test_unknown_lesson_is_a_value_error_naming_the_known_ones():
    with pytest.raises(ValueError, match="unknown lesson 'nope'; known: first-thread"):
        get("nope")


def test_params_are_parsed_and_bounded():
    lesson = get("lock")
    assert lesson.check_params({"size": "5000"}) == {"size": 5000}
    with pytest.raises(ValueError, match="size must be 1000 to 2000000"):
        lesson.check_params({"size": "5"})
    with pytest.raises(ValueError, match="whole number"):
        lesson.check_params({"size": "many"})
    with pytest.raises(ValueError, match="no parameter 'speed'"):
        lesson.check_params({"speed": "1"})
    with pytest.raises(ValueError, match="one of Lock, RLock"):
        get("deadlock").check_params({"lock_kind": "Mutex"})
    with pytest.raises(ValueError, match="finite"):
        get("first-thread").check_params({"delay": "nan"})
