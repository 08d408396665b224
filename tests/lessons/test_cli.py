"""The headless command line: list, run, exit codes, JSON, bad input."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from app.lessons import LESSONS, base
from app.lessons import cli as lessons_cli
from helpers import end_if_running

ROOT = Path(__file__).resolve().parents[2]


def main_py(*args):
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], capture_output=True,
                          text=True, timeout=120, cwd=ROOT)


def test_list_prints_every_lesson_id_with_its_title(capsys):
    assert lessons_cli.main(["list"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in out] == list(LESSONS)
    assert all(len(line.split(None, 1)) == 2 for line in out)


def test_run_json_has_the_documented_keys(capsys):
    code = lessons_cli.main(["run", "event-stop", "--set", "PAUSE=0.05", "--set", "run_for=0.3", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0 and data["ok"] is True and data["verdict"] == "matches"
    assert set(data) == {"scenario", "params", "runs", "summary", "ok", "verdict"}
    assert data["scenario"] == "event-stop"
    assert data["params"] == {"SIZE": 10_000, "PAUSE": 0.05, "PACING": "sleep", "THREADS": 1, "RUN_FOR": 0.3}
    assert len(data["runs"]) == 1 and data["runs"][0]["rounds"][0] > 0


def test_run_repeat_sets_the_number_of_runs(capsys):
    assert lessons_cli.main(["run", "shared-array", "--repeat", "3", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)["runs"]) == 3


def test_run_exits_1_when_the_outcome_does_not_match(monkeypatch, capsys):
    lesson = LESSONS["shared-array"]
    monkeypatch.setattr(lesson.module, "judge", lambda p, runs: base.Verdict(False, "measured otherwise"))
    assert lessons_cli.main(["run", "shared-array"]) == 1
    assert "does NOT match" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "nope"], "unknown lesson 'nope'"),
        (["run", "lock", "--set", "colour=red"], "no parameter 'colour'"),
        (["run", "lock", "--set", "size=1"], "SIZE must be 1000 to 2000000"),
        (["run", "lock", "--program", "/no/such/file.py"], "--program /no/such/file.py"),
        (["run", "lock", "--program", "main.py", "--set", "SIZE=2000"], "change its constants there"),
        (["code", "lock", "--set", "SIZE=many"], "SIZE must be a whole number"),
        (["run", "lock", "--set", "size"], "--set takes NAME=VALUE"),
        (["run", "lock", "--repeat", "0"], "repeat must be 1 to 200"),
        (["run", "lock", "--repeat", "x"], "invalid int value"),
        (["run"], "required: lesson"),
        (["run", "lock", "--trace", "/no/such/folder/t.json"], "does not exist"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(args, message, capsys):
    with pytest.raises(SystemExit) as stop:
        raise SystemExit(lessons_cli.main(args))
    assert stop.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0]


def test_main_py_run_prints_the_summary_and_exits_0():
    done = main_py("run", "deadlock", "--set", "SIZE=2000")
    assert done.returncode == 0, done.stderr
    assert "waited for a lock it held itself" in done.stdout and "matches the lesson's prediction" in done.stdout
    assert "Traceback" not in done.stderr


def test_run_program_runs_an_edited_file_and_a_syntax_error_names_its_line(tmp_path, capsys):
    path = tmp_path / "lock.py"
    path.write_text(LESSONS["lock"].program({"SIZE": 2000}).replace("    with lock:\n        for i in range(len(array)):\n"
                                                                    "            array[i] += 1",
                                                                    "    for i in range(len(array)):\n"
                                                                    "        array[i] += 1"))
    assert lessons_cli.main(["run", "lock", "--program", str(path), "--repeat", "1", "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["edited"] is True and data["ok"] is False and data["runs"][0]["both_took_the_lock"] is False
    path.write_text("x = (1,\n")
    assert lessons_cli.main(["run", "lock", "--program", str(path)]) == 2
    assert "line 1" in capsys.readouterr().err


def test_main_py_bad_lesson_is_one_line_exit_2_no_traceback():
    done = main_py("run", "no-such-lesson")
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr


def test_run_trace_saves_a_trace_and_names_it_in_the_json(tmp_path, capsys):
    path = tmp_path / "trace.json"
    assert lessons_cli.main(["run", "lock", "--set", "SIZE=50000", "--repeat", "2", "--json",
                             "--trace", str(path)]) == 0
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    assert data["trace"] == str(path) and "saved to" in captured.err
    events = json.loads(path.read_text())["traceEvents"]
    holds = [e for e in events if e["ph"] == "X" and e["cat"] == "hold"]
    assert len(holds) == 4 and {e["args"]["thread"] for e in holds} == {"Thread-1 (increase)", "Thread-2 (divide)"}


def test_run_says_up_front_how_long_many_slow_runs_take_and_ctrl_c_stops_them():
    import signal

    # started as a terminal starts it, with Python's Ctrl+C handler (a test runner may ignore SIGINT)
    as_from_a_terminal = ("import runpy, signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
                          "sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name='__main__')")
    child = subprocess.Popen(
        [sys.executable, "-c", as_from_a_terminal, str(ROOT / "main.py"), "run", "lock-timeout", "--repeat", "200",
         "--set", "WAIT=0.2", "--set", "TIMEOUT=0.1", "--set", "JOIN_TIMEOUT=0.1"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        first = child.stderr.readline()  # before any run
        child.send_signal(signal.SIGINT)
        code = child.wait(timeout=30)
    finally:
        end_if_running(child)
    assert "200 runs of lock-timeout will take at least 80 s" in first and "Ctrl+C stops them" in first
    assert code == lessons_cli.EXIT_INTERRUPTED


def test_run_by_a_random_schedule_saves_it_and_the_file_replays_to_the_same_outcome(tmp_path, capsys):
    saved = tmp_path / "s.json"
    args = ["run", "elementwise-race", "--set", "SIZE=1000", "--json"]
    assert lessons_cli.main(args + ["--schedule", "random:4", "--save-schedule", str(saved)]) == 0
    first = json.loads(capsys.readouterr().out)
    assert len(first["runs"]) == 1 and first["runs"][0]["max"] != first["runs"][0]["min"]
    assert first["schedule"]["seed"] == 4 and json.loads(saved.read_text())["steps"] == first["schedule"]["steps"]
    assert lessons_cli.main(args + ["--schedule", str(saved)]) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["runs"] == first["runs"] and again["schedule"]["steps"] == first["schedule"]["steps"]


def test_a_schedule_that_deadlocks_says_so_and_the_lesson_check_sees_the_deadlock(tmp_path, capsys):
    # the main thread starts both transfers; each takes its first lock and sleeps; then each asks
    steps = ["MainThread"] * 12 + ["pay A->B"] * 4 + ["pay B->A"] * 4 + ["pay A->B", "pay B->A"]
    schedule = {"format": "threadlab-schedule", "version": 1, "steps": steps}
    plan = schedule_file(tmp_path, schedule)
    assert lessons_cli.main(["run", "lock-order", "--set", "CHECK=0.05", "--schedule", plan]) == 0
    out = capsys.readouterr().out
    assert "ended in a deadlock (pay A->B, pay B->A)" in out and "the two transfers waited for each other" in out


def test_a_schedule_that_does_not_fit_the_program_names_the_step(tmp_path, capsys):
    plan = schedule_file(tmp_path, {"format": "threadlab-schedule", "version": 1, "steps": ["MainThread", "nobody"]})
    assert lessons_cli.main(["run", "lock-order", "--set", "CHECK=0.05", "--schedule", plan]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "step 2 of 2 (nobody): no thread called 'nobody'" in err[0]


@pytest.mark.parametrize(("args", "message"), [
    (["--schedule", "random:1", "--repeat", "2"], "--repeat does not go with it"),
    (["--save-schedule", "x.json"], "--save-schedule needs --schedule"),
    (["--schedule", "random:one"], "whole number"),
])
def test_bad_schedule_options_exit_2_with_one_line(args, message, capsys):
    assert lessons_cli.main(["run", "lock-order"] + args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0]


def schedule_file(folder, data):
    """``data`` written as a schedule file in ``folder``; its path."""
    path = folder / "schedule.json"
    path.write_text(json.dumps(data))
    return str(path)


def test_explore_finds_the_lesson_deadlock_and_its_fix_has_none(tmp_path, capsys):
    args = ["explore", "lock-order", "--preemptions", "1", "--json"]
    assert lessons_cli.main(args + ["--save-schedules", str(tmp_path)]) == 0
    found = json.loads(capsys.readouterr().out)
    deadlocks = [o for o in found["outcomes"] if o["deadlock"]]
    assert found["finished"] and len(deadlocks) == 1
    assert sorted(deadlocks[0]["deadlock"]) == ["pay A->B", "pay B->A"]
    assert lessons_cli.main(["run", "lock-order", "--schedule", deadlocks[0]["saved"]]) == 0
    assert "ended in a deadlock (pay A->B, pay B->A)" in capsys.readouterr().out
    assert lessons_cli.main(args + ["--set", "ONE_ORDER=True"]) == 0
    fixed = json.loads(capsys.readouterr().out)
    assert fixed["finished"] and not any(o["deadlock"] for o in fixed["outcomes"]) and fixed["schedules"] > 20


def test_explore_prints_each_outcome_with_a_schedule(capsys):
    assert lessons_cli.main(["explore", "deadlock", "--set", "SIZE=100", "--preemptions", "0"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("explore deadlock (SIZE=100): ") and "(every one)" in out[0]
    assert out[1] == "  1. deadlock: MainThread waits for a lock it holds itself: 2 schedules"
    assert out[2].startswith("     e.g. MainThread x") and out[-1].startswith("replay one: threadlab run deadlock")


@pytest.mark.parametrize(("args", "message"), [
    (["explore", "ctrl-c"], "cannot be stepped"),
    (["explore", "lock", "--preemptions", "11"], "--preemptions must be 0 to 10"),
    (["explore", "lock", "--time-limit", "0"], "--time-limit must be"),
    (["explore", "lock", "--save-schedules", "/no/such"], "no such folder"),
])
def test_bad_explore_arguments_exit_2_with_one_line(args, message, capsys):
    assert lessons_cli.main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0]
