"""What ``threadlab trace`` costs a program: traced against plain, in the same run.

Two programs, each run ``--times`` times plainly (``python prog.py``) and traced
(``python main.py trace prog.py``), the two kinds alternating so that both see the same
machine:

* *locks*: 4 threads, each taking and releasing a lock of its own 25 000 times
  (100 000 uncontended acquire/release pairs in all);
* *compute*: 4 threads, each summing squares in a Python loop (no lock, no wait).

Each program times its own work (from starting its threads to joining them) and prints
it; that is the instrument's cost. The whole command's wall time is shown too: it adds
the trace's start-up (a second interpreter, threadlab's imports) and its report.

    python -m bench.trace_cost            # full
    python -m bench.trace_cost --quick    # a smoke run (the test suite runs it)
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from bench.stats import ROOT, distribution

GOALS = {"locks": 3.0, "compute": 1.5}  # the goals for the traced/plain ratio of the work
#: What each program does on each of its 4 threads (``{size}``: operations in all).
WORK = {
    "locks": """\
        def work():
            lock = threading.Lock()  # one each: never contended
            for _ in range({size} // 4):
                lock.acquire()
                lock.release()
    """,
    "compute": """\
        def work():
            total = 0
            for i in range({size} // 4):
                total += i * i
    """,
}
#: The program around it: 4 threads, timed from the first start to the last join.
PROGRAM = """\
import threading
import time

{work}

threads = [threading.Thread(target=work) for _ in range(4)]
began = time.perf_counter()
for t in threads:
    t.start()
for t in threads:
    t.join()
print("work_s", time.perf_counter() - began)
"""


def run_once(command: list[str]) -> tuple[float, float]:
    """(the program's own work time, the command's wall time), in seconds."""
    began = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=ROOT)
    wall = time.perf_counter() - began
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stderr}")
    line = next(line for line in done.stdout.splitlines() if line.startswith("work_s"))
    return float(line.split()[1]), wall


def measure(name: str, folder: Path, size: int, times: int) -> dict[str, dict]:
    program = folder / f"{name}.py"
    program.write_text(PROGRAM.format(work=textwrap.dedent(WORK[name]).format(size=size)), encoding="utf-8")
    plain, traced = [sys.executable, str(program)], [sys.executable, str(ROOT / "main.py"), "trace", str(program)]
    samples: dict[str, list[tuple[float, float]]] = {"plain": [], "traced": []}
    for _ in range(times):
        samples["plain"].append(run_once(plain))
        samples["traced"].append(run_once(traced))
    return {kind: {"work": distribution([s[0] for s in got], 1000), "wall": distribution([s[1] for s in got], 1000)}
            for kind, got in samples.items()}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.trace_cost", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run: small programs, 2 runs each")
    parser.add_argument("--times", type=int, default=10, help="runs of each kind (default 10)")
    options = parser.parse_args(argv)
    times = 2 if options.quick else options.times
    sizes = {"locks": 20_000, "compute": 200_000} if options.quick else {"locks": 100_000, "compute": 4_000_000}
    print(f"trace cost: traced/plain, {times} runs of each, alternating (medians, ms)")
    with tempfile.TemporaryDirectory() as folder:
        for name, size in sizes.items():
            got = measure(name, Path(folder), size, times)
            plain, traced = got["plain"], got["traced"]
            ratio = traced["work"]["median"] / plain["work"]["median"]
            print(f"  {name:8} work: plain {plain['work']['median']:8.1f} (p95 {plain['work']['p95']:.1f})  "
                  f"traced {traced['work']['median']:8.1f} (p95 {traced['work']['p95']:.1f})  "
                  f"ratio {ratio:.2f}x (goal <= {GOALS[name]}x)")
            print(f"  {'':8} whole command: plain {plain['wall']['median']:8.1f}  traced {traced['wall']['median']:8.1f}"
                  f"  ratio {traced['wall']['median'] / plain['wall']['median']:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
