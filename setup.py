"""Build script: the metadata lives in setup.cfg.

What setup.cfg cannot say: the top-level ``resources/`` folder is shipped inside the
package, as ``app/resources``, so an installed threadlab finds its icon and style
sheet (see ``app/gui/resources.py``); and the lessons' programs, plain files in
``app/lessons/programs/`` that are read, never imported, go with it.
"""

from setuptools import find_packages, setup

setup(
    packages=find_packages(include=["app", "app.*"]) + ["app.resources"],
    package_dir={"app.resources": "resources"},
    package_data={"app.resources": ["*.qss", "*.svg", "*.txt", "*.md"], "app.lessons": ["programs/*.py"]},
)
