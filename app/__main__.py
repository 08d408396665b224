"""``python -m app`` opens the lab window (same as ``python main.py``)."""

import sys

import app.early

app.early.install()  # a Ctrl+C during the imports below is remembered, not a traceback

from app.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
