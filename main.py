#!/usr/bin/env python3
"""Open the threadlab window: ``python main.py`` (see ``python main.py --help``)."""

import sys

from app.cli import main

if __name__ == "__main__":
    sys.exit(main())
