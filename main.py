#!/usr/bin/env python3
"""Open the threadlab window: ``python main.py`` (see ``python main.py --help``)."""

import sys

import app.early

app.early.install()  # a Ctrl+C during the imports below is remembered, not a traceback

from app.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
