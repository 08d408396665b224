"""Files the window loads at run time from ``resources/`` (icon, style sheet)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pyqtgraph.Qt import QtGui



@lru_cache(maxsize=1)
def resource_dir() -> Path:
    """``resources/`` beside the package in a checkout, or ``app/resources`` when installed."""
    package = Path(__file__).resolve().parents[1]  # (the package: app/ here, threadlab/ installed)
    for candidate in (package.parent / "resources", package / "resources"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"threadlab's resources folder is missing (looked beside {package})")


def read_text(name: str) -> str:
    """Text of ``resources/name``."""
    return (resource_dir() / name).read_text(encoding="utf-8")


def icon() -> QtGui.QIcon:
    """The window icon."""
    return QtGui.QIcon(str(resource_dir() / "threadlab.svg"))


def stylesheet() -> str:
    """The application's Qt style sheet."""
    return read_text("style.qss")
