"""Schedule files: written, read back, and refused with one clear line when they are wrong."""

import json

import pytest

from app.core.schedule import Schedule, load_schedule, parse_schedule_option, save_schedule
from app.core.stepper import INSTRUCTION, Step


def test_a_saved_schedule_reads_back_the_same(tmp_path):
    saved = Schedule([Step("MainThread"), Step("A", INSTRUCTION), Step("B")], "lock-order", 7, "done\n")
    save_schedule(saved, tmp_path / "s.json")
    data = json.loads((tmp_path / "s.json").read_text())
    assert data["steps"] == ["MainThread", {"thread": "A", "unit": "instruction"}, "B"]
    assert load_schedule(tmp_path / "s.json") == saved


@pytest.mark.parametrize(("text", "message"), [
    ("[1, 2]", "not a threadlab schedule"),
    ('{"format": "threadlab-schedule", "version": 9, "steps": []}', "version 9"),
    ('{"format": "threadlab-schedule", "version": 1, "steps": "A"}', '"steps" must be a list'),
    ('{"format": "threadlab-schedule", "version": 1, "steps": ["A", 3]}', "step 2 must be a thread's name"),
    ('{"format": "threadlab-schedule", "version": 1, "steps": [{"thread": "A", "unit": "op"}]}', 'step 1: "unit"'),
    ('{"format": "threadlab-schedule", "version": 1, "seed": "x", "steps": []}', '"seed" must be'),
    ("{not json", "not JSON (line 1"),
])
def test_a_wrong_file_is_refused_with_what_is_wrong(tmp_path, text, message):
    path = tmp_path / "s.json"
    path.write_text(text)
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        load_schedule(path)


def test_the_option_takes_a_seed_or_a_file(tmp_path):
    assert parse_schedule_option("random:42") == 42
    with pytest.raises(ValueError, match="whole number, got 'x'"):
        parse_schedule_option("random:x")
    with pytest.raises(ValueError, match="No such file"):
        parse_schedule_option(str(tmp_path / "missing.json"))
