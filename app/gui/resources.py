"""Files the window loads at run time from ``resources/`` (icon, style sheet)."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources as package_files
from pathlib import Path

from pyqtgraph.Qt import QtGui

from ..core.childenv import PACKAGE

#: The folder above the package. In a checkout (the package is its ``app/``) it holds
#: ``resources/``, ``examples/``, ``docs/`` and README.md, whatever the current folder.
ABOVE_PACKAGE = Path(__file__).resolve().parents[2]


@lru_cache(maxsize=1)
def resource_dir() -> Path:
    """The folder of the icon and the style sheet.

    Installed, they are the package's own files (``threadlab/resources``, found with
    :mod:`importlib.resources`); a checkout keeps them in the top-level ``resources/``
    beside ``app/``, the layout the project keeps.
    """
    inside = package_files.files(PACKAGE) / "resources"
    checkout = ABOVE_PACKAGE / "resources"
    for candidate in (inside, checkout):
        if candidate.is_dir():
            return Path(str(candidate))
    raise FileNotFoundError(f"threadlab's resources folder is missing (looked in {inside} and {checkout})")


def read_text(name: str) -> str:
    """Text of ``resources/name``."""
    return (resource_dir() / name).read_text(encoding="utf-8")


def icon() -> QtGui.QIcon:
    """The window icon."""
    return QtGui.QIcon(str(resource_dir() / "threadlab.svg"))


def stylesheet() -> str:
    """The application's Qt style sheet."""
    return read_text("style.qss")
