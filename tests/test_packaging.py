"""What the source distribution holds: its tests and what they need, and the licence."""

import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("LICENSE", "README.md", "MANIFEST.in", "main.py", "setup.cfg", "setup.py", "pyproject.toml",
           "app", "tests", "examples", "resources", "bench", "docs", ".ci")


def source_copy(tmp_path: Path) -> Path:
    """A copy of the project's sources to build from, so a build writes nothing into the checkout."""
    copy = tmp_path / "source"
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, copy / name, ignore=shutil.ignore_patterns("__pycache__", "*.py[cod]"))
        elif (ROOT / name).exists():
            copy.mkdir(exist_ok=True)
            shutil.copy2(ROOT / name, copy / name)
    return copy


def test_the_sdist_holds_the_tests_the_examples_the_resources_and_the_licence(tmp_path):
    pytest.importorskip("setuptools")
    done = subprocess.run([sys.executable, "setup.py", "-q", "sdist", "-d", str(tmp_path)],
                          cwd=source_copy(tmp_path),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    (archive,) = tmp_path.glob("threadlab-*.tar.gz")
    with tarfile.open(archive) as tar:
        names = {name.split("/", 1)[1] for name in tar.getnames() if "/" in name}
    assert {"LICENSE", "main.py", "setup.cfg", "tests/conftest.py", "tests/test_stepper.py",
            "examples/bank_transfer.py", "resources/style.qss", "app/lessons/programs/lock_order.py"} <= names
    assert not any("__pycache__" in name for name in names)


def test_the_installed_package_is_threadlab_and_leaves_another_app_package_alone(tmp_path):
    wheels, site = tmp_path / "wheels", tmp_path / "site"
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels),
                            str(source_copy(tmp_path))],
                           capture_output=True, text=True, timeout=300)
    if built.returncode != 0:
        pytest.skip(f"no wheel could be built here: {built.stderr.strip().splitlines()[-1:]}")
    (wheel,) = wheels.glob("threadlab-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        (metadata,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        description = archive.read(metadata).decode()
    assert "Be the scheduler" in description and "](docs/" not in description  # (a package index shows no relative image)
    assert "Screenshot, docs/stepping.png in the source distribution" in description
    other = site / "app"
    other.mkdir(parents=True)
    (other / "__init__.py").write_text("NAME = 'another project'\n")
    installed = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(site),
                                str(wheel)], capture_output=True, text=True, timeout=300)
    assert installed.returncode == 0, installed.stderr
    assert (site / "app" / "__init__.py").read_text() == "NAME = 'another project'\n"  # (not overwritten)
    env = {**__import__("os").environ, "PYTHONPATH": str(site)}
    for command in (["-m", "threadlab", "--version"], ["-m", "threadlab", "list"],
                    ["-c", "from threadlab.gui.resources import read_text; assert 'QPushButton' in read_text('style.qss')"],
                    ["-c", "import app, threadlab; print(app.NAME, threadlab.__file__)"]):
        done = subprocess.run([sys.executable, *command], capture_output=True, text=True, timeout=60,
                              cwd=tmp_path, env=env)
        assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"another project {site / 'threadlab' / '__init__.py'}")
