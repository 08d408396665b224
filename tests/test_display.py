"""What a window needs from the system, said in one line before Qt is imported: a library
hidden behind a stub that cannot be loaded, or Wayland asked for with no compositor."""

import os
import shutil
import socket
import subprocess
import tempfile
import sys
from pathlib import Path

import pytest

from app import display
from app.display import wayland_only, wayland_problem

ROOT = Path(__file__).resolve().parents[1]
linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the checks are Linux's")


def window(tmp_path, **env):
    """``main.py --quit-after 0.1`` with ``env``: (exit status, stdout, stderr)."""
    done = subprocess.run([sys.executable, str(ROOT / "main.py"), "--quit-after", "0.1"],
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen", **env}, capture_output=True,
                          text=True, timeout=60, cwd=ROOT)
    return done.returncode, done.stdout, done.stderr


@linux_only
@pytest.mark.parametrize(("library", "package"), [("libGL.so.1", "libgl1"), ("libglib-2.0.so.0", "libglib2.0-0"),
                                                  ("libfontconfig.so.1", "libfontconfig1")])
def test_a_library_qt_needs_that_cannot_be_loaded_is_one_line_naming_its_package(tmp_path, library, package):
    (tmp_path / library).write_bytes(b"")  # (found first, and not a library: as if it were missing)
    code, out, err = window(tmp_path, LD_LIBRARY_PATH=str(tmp_path))
    lines = err.strip().splitlines()
    assert code == 3 and len(lines) == 1 and "Traceback" not in err, err
    assert f"Qt needs {library}" in lines[0] and f"apt-get install {package};" in lines[0]


@linux_only
def test_wayland_with_no_compositor_is_one_line_saying_what_to_set(tmp_path):
    code, out, err = window(tmp_path, QT_QPA_PLATFORM="wayland", XDG_RUNTIME_DIR=str(tmp_path),
                            WAYLAND_DISPLAY="wayland-9")
    lines = err.strip().splitlines()
    assert code == 3 and len(lines) == 1 and f"no socket {tmp_path / 'wayland-9'}" in lines[0], err


@pytest.fixture
def compositor(tmp_path):
    """A Unix socket that accepts connections where a Wayland compositor's would be."""
    folder = tempfile.mkdtemp(prefix="wl-", dir="/tmp" if os.path.isdir("/tmp") else None)  # (a socket's path: 107 bytes at most)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(os.path.join(folder, "wayland-0"))
    server.listen()
    yield {"XDG_RUNTIME_DIR": folder, "WAYLAND_DISPLAY": "wayland-0"}
    server.close()
    shutil.rmtree(folder, ignore_errors=True)


@linux_only
def test_wayland_with_its_compositor_there_is_not_a_problem(compositor):
    assert wayland_problem({"QT_QPA_PLATFORM": "wayland", **compositor}) is None
    assert wayland_problem({"QT_QPA_PLATFORM": "xcb"}) is None


@linux_only
def test_a_socket_left_behind_by_an_ended_compositor_is_no_compositor(tmp_path):
    (tmp_path / "wayland-0").write_text("")
    problem = wayland_problem({"QT_QPA_PLATFORM": "wayland", "XDG_RUNTIME_DIR": str(tmp_path)})
    assert problem is not None and f"nothing answers on {tmp_path / 'wayland-0'}" in problem


@linux_only
def test_a_wayland_session_without_x_uses_qts_wayland_platform_and_only_then(compositor, monkeypatch):
    assert wayland_only(compositor) == all(display._loads(library) for library in display.WAYLAND_LIBRARIES)
    monkeypatch.setattr(display, "_loads", lambda library: True)
    assert wayland_only(compositor)
    monkeypatch.setattr(display, "_loads", lambda library: library != "libwayland-client.so.0")
    assert not wayland_only(compositor)  # (Qt's Wayland platform could not load: no switch to it)
    monkeypatch.setattr(display, "_loads", lambda library: True)
    assert not wayland_only({**compositor, "DISPLAY": ":0"})  # (XWayland, or X itself: Qt's default works)
    assert not wayland_only({**compositor, "QT_QPA_PLATFORM": "offscreen"})  # (chosen by the user)
    assert not wayland_only({**compositor, "WAYLAND_DISPLAY": "wayland-1"})  # (nothing listens there)
