"""Build script: the metadata lives in setup.cfg.

The only thing setup.cfg cannot say is that the top-level ``resources/`` folder is
shipped inside the package, as ``app/resources``, so an installed threadlab finds
its icon and style sheet (see ``app/gui/resources.py``).
"""

from setuptools import find_packages, setup

setup(
    packages=find_packages(include=["app", "app.*"]) + ["app.resources"],
    package_dir={"app.resources": "resources"},
    package_data={"app.resources": ["*.qss", "*.svg", "*.txt", "*.md"]},
)
