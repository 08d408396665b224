"""``python -m bench``: run every benchmark (``--quick`` for a smoke run of each)."""

import sys

from bench import lesson_reliability, primitives, window_latency

if __name__ == "__main__":
    quick = "--quick" in sys.argv[1:]
    code = window_latency.main(["--quick"] if quick else [])
    print()
    code |= primitives.main(["--quick"] if quick else [])
    print()
    code |= lesson_reliability.main(["--times", "1" if quick else "30"])
    sys.exit(code)
