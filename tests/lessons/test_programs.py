"""Each lesson's program is a plain file: ``threadlab code ID`` runs with a plain interpreter,
outside this repository, with nothing of threadlab importable, and prints the article's
kind of output. The deadlock programs hang, as they do for anyone who runs them."""

import re
import subprocess
import sys

import pytest

from app.lessons import LESSONS
from app.lessons import cli as lessons_cli

#: Runs a file as ``python FILE`` does, but with threadlab's package made unimportable.
PLAIN = ("import runpy, sys; sys.modules['app'] = None; "
         "runpy.run_path(sys.argv[1], run_name='__main__')")

#: Small constants (each run takes a second or two) and what the output must look like.
EXPECTED = {
    "first-thread": ({"COUNT": 3, "DELAY": 0.02},
                     r"(?s)\A(?=.*Thread started)(?=.*2\n).*Thread finished\n\Z"),
    "two-counters": ({"COUNT_1": 3, "DELAY_1": 0.05, "COUNT_2": 2}, r"\A(\d\n?){3,}\Z"),
    "shared-array": ({}, r"\A\[2\.\]\n\[3\.\]\n\[3\.\]\n1\n\Z"),
    "vectorized-race": ({"K": 100}, r"\A\[[-+.e\d]+\]\n[-+.e\d]+\n\Z"),
    "elementwise-race": ({"SIZE": 10_000}, r"\A1\.(818|909)\d*\n1\.(818|909)\d*\n\Z"),
    "lock": ({"SIZE": 10_000}, r"\A(1\.8181\d*\n1\.8181\d*|1\.9090\d*\n1\.9090\d*)\n\Z"),
    "main-holds-lock": ({"SIZE": 10_000}, r"\AThreads started.*\n(11\.0\n11\.0|10\.909\d*\n10\.909\d*)\n\Z"),
    "lock-timeout": ({"SIZE": 1000, "TIMEOUT": 0.2, "WAIT": 0.4, "JOIN_TIMEOUT": 0.1},
                     r"Lock:  False\n(?s:.*)\[2\.\]\n2\.0\nalive after join\(timeout\): True\n\Z"),
    "event-ready": ({"SIZE": 10_000}, r"Data prepared\n(?s:.*)\[3\.\]\n3\.0\n\Z"),
    "event-stop": ({"SIZE": 1000, "PAUSE": 0.05, "RUN_FOR": 0.3}, r"Loop finished\n\[\d+\.\]\n\Z"),
    "ctrl-c": ({"WORK": 0.5}, r"worker: done"),
    "frozen-vs-threaded": ({"JOB": 0.3}, r"inside the loop: longest gap [\d.]+ s\njob on a thread: longest gap"),
}
# (lock-order's second transfer must take its first lock while the first one sleeps CHECK
# between its two: 0.05 s was once too short for a starved process to start a thread; with
# 0.5 s a run that does not hang still ends well inside the 3 s allowed)
HANGS = {"deadlock": {"SIZE": 1000}, "lock-order": {"CHECK": 0.5}}


def program_file(lesson_id, values, folder, capsys):
    """``threadlab code ID --set ...`` written to ``folder``, as a learner would save it."""
    args = ["code", lesson_id] + [f"--set={k}={v}" for k, v in values.items()]
    assert lessons_cli.main(args) == 0
    path = folder / LESSONS[lesson_id].program_name
    path.write_text(capsys.readouterr().out, encoding="utf-8")
    return path


def run_plainly(path, timeout):
    return subprocess.run([sys.executable, "-I", "-c", PLAIN, str(path)], capture_output=True, text=True,
                          timeout=timeout, cwd=path.parent)


def test_every_lesson_is_checked_here():
    assert set(EXPECTED) | set(HANGS) == set(LESSONS)


@pytest.mark.parametrize("lesson_id", sorted(EXPECTED))
def test_the_program_runs_plainly_and_prints_what_the_article_prints(lesson_id, tmp_path, capsys):
    values, pattern = EXPECTED[lesson_id]
    source = LESSONS[lesson_id].program(values)
    assert "app" not in re.findall(r"^\s*(?:from|import)\s+(\w+)", source, re.M)
    done = run_plainly(program_file(lesson_id, values, tmp_path, capsys), timeout=30)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert re.search(pattern, done.stdout, re.M), done.stdout


@pytest.mark.parametrize("lesson_id", sorted(HANGS))
def test_a_deadlock_program_hangs_when_run_plainly(lesson_id, tmp_path, capsys):
    path = program_file(lesson_id, HANGS[lesson_id], tmp_path, capsys)
    with pytest.raises(subprocess.TimeoutExpired):  # (run() kills the child on timeout)
        run_plainly(path, timeout=3)


def test_the_code_command_prints_the_program_with_the_constants_given(capsys):
    assert lessons_cli.main(["code", "lock", "--set", "SIZE=5000"]) == 0
    text = capsys.readouterr().out
    assert "SIZE = 5000\n" in text and text.count("\n") == LESSONS["lock"].source.count("\n")
    assert lessons_cli.main(["code", "lock"]) == 0
    assert capsys.readouterr().out == LESSONS["lock"].source
