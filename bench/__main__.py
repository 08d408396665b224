"""``python -m bench``: run every benchmark (pass --quick for a smoke run)."""

import sys

from bench import window_latency

if __name__ == "__main__":
    sys.exit(window_latency.main(sys.argv[1:]))
