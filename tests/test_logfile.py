"""The log file: every Log line through ``logging``, in a file the About box names."""

import sys

import pytest

from app.core import logbook, logfile
from app.core.logbook import LogBook


def test_log_lines_go_to_the_file_with_their_thread_and_level(tmp_path):
    path = logfile.open_log_file(tmp_path)
    try:
        log = LogBook(echo=logfile.echo)
        log.write("a worker said this", thread="add 1")
        log.write("it failed", logbook.ERROR, thread="GUI")
        assert logfile.log_file() == path == tmp_path / "threadlab.log"
    finally:
        logfile.close_log_file()
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0].endswith("DEBUG [add 1] a worker said this") and lines[1].endswith("ERROR [GUI] it failed")
    assert logfile.log_file() is None


def test_a_folder_that_cannot_be_made_means_no_file_and_no_error(tmp_path):
    blocker = tmp_path / "a file"
    blocker.write_text("")
    assert logfile.open_log_file(blocker / "sub") is None and logfile.log_file() is None


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="XDG folders are Linux's")
def test_the_state_folder_follows_xdg(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    assert logfile.log_folder() == tmp_path / "threadlab"
