"""What the source distribution holds: its tests and what they need, and the licence."""

import os
import shutil
import subprocess
import sys
import sysconfig
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


@pytest.mark.timeout(600)  # (a source distribution built, unpacked and tested: minutes on a busy machine)
def test_the_sdist_holds_the_tests_the_examples_the_resources_and_the_licence_and_runs_its_tests(tmp_path):
    pytest.importorskip("setuptools")
    done = subprocess.run([sys.executable, "setup.py", "-q", "sdist", "-d", str(tmp_path)],
                          cwd=source_copy(tmp_path), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    (archive,) = tmp_path.glob("threadlab-*.tar.gz")
    with tarfile.open(archive) as tar:
        names = {name.split("/", 1)[1] for name in tar.getnames() if "/" in name}
        tar.extractall(tmp_path / "unpacked", **({"filter": "data"} if hasattr(tarfile, "data_filter") else {}))
    assert {"LICENSE", "main.py", "setup.cfg", "tests/conftest.py", "tests/test_stepper.py",
            "examples/bank_transfer.py", "resources/style.qss", "app/lessons/programs/lock_order.py"} <= names
    assert not any("__pycache__" in name for name in names)
    (unpacked,) = (tmp_path / "unpacked").iterdir()
    where = subprocess.run([sys.executable, "-c", "import app; print(app.__file__)"], cwd=unpacked,
                           capture_output=True, text=True, timeout=60)
    assert where.stdout.startswith(str(unpacked)), where.stderr  # (its own app, not the checkout's)
    ran = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_words.py",
                          "tests/test_params.py"], cwd=unpacked, capture_output=True, text=True, timeout=120)
    assert ran.returncode == 0 and " passed" in ran.stdout, ran.stdout[-2000:] + ran.stderr[-2000:]


def build_wheel(project: Path, wheels: Path) -> Path:
    """The wheel of ``project`` (skips the test where no wheel can be built)."""
    folder = wheels / project.name
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps",
                            "-w", str(folder), str(project)], capture_output=True, text=True, timeout=300)
    if built.returncode != 0:
        pytest.skip(f"no wheel could be built here: {built.stderr.strip().splitlines()[-1:]}")
    (wheel,) = folder.glob("*.whl")
    return wheel


def another_app_project(tmp_path: Path) -> Path:
    """A project of somebody else's that installs a top-level package named ``app``."""
    project = tmp_path / "another_app"
    (project / "app").mkdir(parents=True)
    (project / "app" / "__init__.py").write_text("NAME = 'another project'\n")
    (project / "setup.py").write_text("from setuptools import setup\n"
                                      "setup(name='another_app', version='1.0', packages=['app'])\n")
    (project / "pyproject.toml").write_text(  # (an isolated build: pip 23.0 builds a bare setup.py with no 'wheel')
        '[build-system]\nrequires = ["setuptools>=61", "wheel"]\nbuild-backend = "setuptools.build_meta"\n')
    return project


@pytest.fixture(scope="module")
def our_wheel(tmp_path_factory) -> Path:
    """threadlab's wheel, built once for the tests below."""
    folder = tmp_path_factory.mktemp("ours")
    return build_wheel(source_copy(folder), folder / "wheels")


@pytest.mark.timeout(600)  # (its wheel built first, in an isolated build environment)
def test_the_wheel_describes_the_project_with_captions_for_its_pictures(our_wheel):
    with zipfile.ZipFile(our_wheel) as archive:
        (metadata,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        description = archive.read(metadata).decode()
    assert "Be the scheduler" in description and "](docs/" not in description  # (a package index shows no relative image)
    assert "Screenshot, docs/stepping.png in the source distribution" in description


@pytest.mark.timeout(600)
def test_installed_in_a_venv_beside_another_app_package_both_work(tmp_path, our_wheel):
    ours, theirs = our_wheel, build_wheel(another_app_project(tmp_path), tmp_path / "wheels")
    venv = tmp_path / "venv"
    made = subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)],
                          capture_output=True, text=True, timeout=120)
    assert made.returncode == 0, made.stderr
    python = venv / ("Scripts" if os.name == "nt" else "bin") / "python"
    # numpy and Qt from the packages of the Python running the tests (a venv of its own,
    # often), after the new venv's: the test installs nothing else
    packages = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                              capture_output=True, text=True, timeout=60).stdout.strip()
    outer = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    Path(packages, "outer-packages.pth").write_text("".join(f"{folder}\n" for folder in sorted(outer)))
    installed = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps",
                                "--ignore-installed", str(theirs), str(ours)], capture_output=True, text=True, timeout=300)
    if "no such option: --python" in installed.stderr:
        pytest.skip("this pip cannot install into another environment (pip 22.3 or later can)")
    assert installed.returncode == 0, installed.stderr
    threadlab = python.with_name("threadlab")  # (the console script)
    for command in ([str(threadlab), "--version"], [str(python), "-m", "threadlab", "list"],
                    [str(python), "-c", "from threadlab.gui.resources import read_text; "
                                        "assert 'QPushButton' in read_text('style.qss')"],
                    [str(python), "-c", "from threadlab.gui.menus import readme_text; "
                                        "assert 'Be the scheduler' in readme_text()"],
                    [str(python), "-c", "import app, threadlab; print(app.NAME, threadlab.__file__)"]):
        done = subprocess.run(command, capture_output=True, text=True, timeout=60, cwd=tmp_path,
                              env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
        assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("another project ") and str(venv) in done.stdout
