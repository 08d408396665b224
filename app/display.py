"""What a window needs from the system, checked before Qt is imported.

Even offscreen, Qt's libraries load libGL, GLib and fontconfig: without one of them the
import of the Qt binding fails with a traceback, or Qt aborts while it looks for a
platform plugin. A Wayland platform asked for with no compositor running aborts too; in a
Wayland session with no X server the window uses Qt's Wayland platform (:func:`wayland_only`).
:func:`system_problem` looks first, with ``ctypes`` and the environment only, and returns
one sentence naming the package to install or the setting to change (the window's
command then exits with status 3). The X11 checks, which need Qt's own plugin path,
follow in :func:`app.gui.qtenv.platform_problem`.
"""

from __future__ import annotations

import ctypes
import os
import socket
import sys
from pathlib import Path
from typing import Mapping

#: Libraries Qt loads whatever the platform, and the Debian/Ubuntu package of each.
QT_SYSTEM_LIBRARIES = {
    "libGL.so.1": "libgl1",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libfontconfig.so.1": "libfontconfig1",
}
ALL_SYSTEM_PACKAGES = " ".join(QT_SYSTEM_LIBRARIES.values())
#: What Qt's Wayland platform loads besides: without one, the window keeps to X11 (and says
#: in one line that there is no X display) rather than let Qt abort.
WAYLAND_LIBRARIES = ("libwayland-client.so.0", "libwayland-cursor.so.0", "libxkbcommon.so.0")


def system_problem(environ: Mapping[str, str] | None = None) -> str | None:
    """Why Qt could not even start here, in one line, or ``None`` (Linux only)."""
    env = os.environ if environ is None else environ
    if not sys.platform.startswith("linux"):
        return None
    return missing_library_problem() or wayland_problem(env)


def missing_library_problem() -> str | None:
    """The first of :data:`QT_SYSTEM_LIBRARIES` that cannot be loaded, in words."""
    for library, package in QT_SYSTEM_LIBRARIES.items():
        try:
            ctypes.CDLL(library)
        except OSError as exc:
            return (f"threadlab: Qt needs {library}, which cannot be loaded ({exc}). Install it "
                    f"(Debian/Ubuntu: apt-get install {package}; all that Qt needs even without a screen: "
                    f"apt-get install {ALL_SYSTEM_PACKAGES}).")
    return None


def wayland_problem(env: Mapping[str, str]) -> str | None:
    """Wayland asked for (``QT_QPA_PLATFORM=wayland``) with no compositor to talk to."""
    if not env.get("QT_QPA_PLATFORM", "").startswith("wayland"):
        return None
    socket_path = wayland_socket(env)
    if not socket_path.exists():
        missing = f"no socket {socket_path}"
    elif not compositor_listens(socket_path):
        missing = f"nothing answers on {socket_path}"
    else:
        return None
    return (f"threadlab: QT_QPA_PLATFORM asks for Wayland, but no Wayland compositor is running here "
            f"({missing}). Unset QT_QPA_PLATFORM to use X11, or set it to offscreen to run "
            "without a screen.")


def wayland_only(env: Mapping[str, str]) -> bool:
    """True in a Wayland session with no X server (no DISPLAY, no XWayland) and no platform
    chosen: Qt's default, X11, would abort there, and its Wayland platform works."""
    if env.get("DISPLAY") or env.get("QT_QPA_PLATFORM") or not env.get("WAYLAND_DISPLAY"):
        return False
    return compositor_listens(wayland_socket(env)) and all(_loads(library) for library in WAYLAND_LIBRARIES)


def _loads(library: str) -> bool:
    try:
        ctypes.CDLL(library)
    except OSError:
        return False
    return True


def wayland_socket(env: Mapping[str, str]) -> Path:
    """Where the Wayland compositor of ``env`` listens (``WAYLAND_DISPLAY``, as Wayland finds it)."""
    name = env.get("WAYLAND_DISPLAY") or "wayland-0"
    return Path(name) if os.path.isabs(name) else Path(env.get("XDG_RUNTIME_DIR") or "/nonexistent") / name


def compositor_listens(path: Path) -> bool:
    """True if something accepts a connection on the Unix socket ``path`` (False for a
    socket left behind by a compositor that ended, or a file that is no socket)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
        client.settimeout(1.0)
        try:
            client.connect(str(path))
        except OSError:
            return False
    return True
