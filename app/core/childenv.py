"""The environment of a Python child process that threadlab starts."""

from __future__ import annotations

import os

#: The folder that holds threadlab's package: a child run with ``-m PACKAGE...`` finds it there.
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
#: The package's name: ``app`` in a checkout, ``threadlab`` once installed.
PACKAGE = __name__.split(".")[0]


def env_with_path(*folders: str) -> dict[str, str]:
    """This process's environment with ``folders`` first on the child's ``PYTHONPATH``."""
    kept = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    return {**os.environ, "PYTHONPATH": os.pathsep.join([*folders, *kept])}
