"""``python -m app`` in a checkout, ``python -m threadlab`` installed: the lab window (as ``python main.py``)."""

import sys

from . import early

early.install()  # a Ctrl+C during the imports below is remembered, not a traceback

from .cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
