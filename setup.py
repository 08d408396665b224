"""Build script: the metadata lives in setup.cfg.

What setup.cfg cannot say: the checkout's ``app/`` folder is installed as the package
``threadlab``; the top-level ``resources/`` folder is shipped inside it, as
``threadlab/resources``, so an installed threadlab finds its icon and style sheet (see
``app/gui/resources.py``); and the lessons' programs, plain files in
``app/lessons/programs/`` that are read, never imported, go with it.
"""

from setuptools import find_packages, setup

# the checkout's app/ folder is installed as the package ``threadlab`` (a name of its own:
# another project's ``app`` package cannot overwrite it); its imports are relative
PACKAGES = find_packages(include=["app", "app.*"])

setup(
    packages=["threadlab" + name[len("app"):] for name in PACKAGES] + ["threadlab.resources"],
    package_dir={"threadlab": "app", "threadlab.resources": "resources"},
    package_data={"threadlab.resources": ["*.qss", "*.svg", "*.txt", "*.md"], "threadlab.lessons": ["programs/*.py"]},
)
