"""Build script: the metadata lives in setup.cfg.

What setup.cfg cannot say: the package index's copy of the README (its screenshots
turned into their captions, which the index can show); the checkout's ``app/`` folder is
installed as the package ``threadlab``; the top-level ``resources/`` folder is shipped
inside it, as ``threadlab/resources``, so an installed threadlab finds its icon and style
sheet with ``importlib.resources`` (see ``app/gui/resources.py``); and the lessons'
programs, plain files in ``app/lessons/programs/`` that are read, never imported, go
with it.
"""

import re
from pathlib import Path

from setuptools import find_packages, setup

# the checkout's app/ folder is installed as the package ``threadlab`` (a name of its own:
# another project's ``app`` package cannot overwrite it); its imports are relative
PACKAGES = find_packages(include=["app", "app.*"])

# (no public address serves the screenshots, and a package index shows no relative image:
# on the index each one becomes its caption, and says where the picture is)
SCREENSHOT = re.compile(r"!\[(?P<caption>[^\]]*)\]\((?P<path>docs/[^)\s]+)\)")


def long_description() -> str:
    """README.md as a package index shows it: each screenshot replaced by its caption."""
    readme = (Path(__file__).parent / "README.md").read_text(encoding="utf-8")
    return SCREENSHOT.sub(lambda m: f"*[Screenshot, {m['path']} in the source distribution: "
                                    f"{' '.join(m['caption'].split())}]*", readme)


setup(
    long_description=long_description(),
    long_description_content_type="text/markdown",
    packages=["threadlab" + name[len("app"):] for name in PACKAGES] + ["threadlab.resources"],
    package_dir={"threadlab": "app", "threadlab.resources": "resources"},
    package_data={"threadlab.resources": ["*.qss", "*.svg", "*.txt", "*.md"], "threadlab.lessons": ["programs/*.py"]},
)
