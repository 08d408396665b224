"""``python -m app`` opens the lab window (same as ``python main.py``)."""

import sys

from app.cli import main

if __name__ == "__main__":
    sys.exit(main())
