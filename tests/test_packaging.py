"""What the source distribution holds: its tests and what they need, and the licence."""

import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_the_sdist_holds_the_tests_the_examples_the_resources_and_the_licence(tmp_path):
    pytest.importorskip("setuptools")
    done = subprocess.run([sys.executable, "setup.py", "-q", "sdist", "-d", str(tmp_path)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    (archive,) = tmp_path.glob("threadlab-*.tar.gz")
    with tarfile.open(archive) as tar:
        names = {name.split("/", 1)[1] for name in tar.getnames() if "/" in name}
    assert {"LICENSE", "main.py", "setup.cfg", "tests/conftest.py", "tests/test_stepper.py",
            "examples/bank_transfer.py", "resources/style.qss", "app/lessons/programs/lock_order.py"} <= names
    assert not any("__pycache__" in name for name in names)
