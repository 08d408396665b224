"""Proof that the instrument changes nothing: each lesson's program run plainly against the
same program under the instrument, in one run of this benchmark.

Every sample is a fresh interpreter, and the two ways alternate (plain, instrumented,
plain, ...), so a drift of the machine falls on both alike:

* **plain**: ``python program.py`` with its stdout a pipe this benchmark reads;
* **instrumented**: the same text run by :class:`~app.core.program.ProgramRun` (the
  instrument, recording on: what the window and ``threadlab run`` do), its output
  read back the same way.

What is compared (each read from what the program itself printed, the same way for
both, so the measurement cannot favour one side):

* ``main-holds-lock``: how often the thread that began to wait first got the lock
  first (the program prints 11.0 then; 10.909 otherwise); also run plainly with its main
  code on a second thread, as the instrument runs a program's main thread;
* ``elementwise-race``: how often the two loops raced (max != min), at Python's 5 ms
  switch interval and at the window's 0.5 ms;
* ``event-stop``: how many rounds the loop ran before the stop (``data[0] - 1``), paced
  by ``sleep`` as in the article, and unpaced;
* ``event-ready``: how far apart the two workers woke after ``set()`` (two lines are
  added after ``ready.wait()`` to note the time, to both sides alike);
* ``first-thread``: how often "Thread started" landed inside the first number's line.
  This race depends on what is at the other end of stdout, so it is also run plainly
  with its stdout the kind of pipe the instrument gives a program (nobody reads it
  until the end): that row compares like with like;
* and each program's run time, plain against instrumented: the cost that remains.

    python -m bench.fidelity            # 40 samples a side (about 8 minutes)
    python -m bench.fidelity --quick    # 1 a side (the test suite runs it)
    python -m bench.fidelity --only main-holds --samples 100   # one case, more samples
"""

from __future__ import annotations

import argparse
import json
import math
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.stats import ROOT

#: Runs a program plainly, from a file, as ``python file.py`` does; prints its run time last.
PLAIN = """import runpy, sys, time
sys.setswitchinterval({interval!r})
began = time.perf_counter()
runpy.run_path({path!r}, run_name="__main__")
sys.stdout.flush()
print("\\n@seconds", time.perf_counter() - began)
"""
#: Runs the program plainly too, but with its stdout a pipe that nobody reads until it ends: the
#: pipe the instrument gives a program, without the instrument.
PLAIN_UNREAD = """import io, os, runpy, sys, time
sys.setswitchinterval({interval!r})
read_fd, write_fd = os.pipe()
real = sys.stdout
sys.stdout = io.TextIOWrapper(io.FileIO(write_fd, "w"), encoding="utf-8",
                              line_buffering=real.line_buffering, write_through=real.write_through)
began = time.perf_counter()
runpy.run_path({path!r}, run_name="__main__")
seconds = time.perf_counter() - began
sys.stdout.close()
sys.stdout = real
chunks = []
while True:
    chunk = os.read(read_fd, 65536)
    if not chunk:
        break
    chunks.append(chunk)
sys.stdout.write(b"".join(chunks).decode())
print("\\n@seconds", seconds)
"""
#: Runs the program plainly, but on a thread that is not the interpreter's main thread: where the
#: instrument runs a program's main thread (the window's own main thread runs the window).
PLAIN_ON_THREAD = """import runpy, sys, threading, time
sys.setswitchinterval({interval!r})
began = time.perf_counter()
host = threading.Thread(target=runpy.run_path, args=({path!r},), kwargs={{"run_name": "__main__"}})
host.start()
host.join()
sys.stdout.flush()
print("\\n@seconds", time.perf_counter() - began)
"""
#: Runs the same text under the instrument; prints what the program printed, then its run time.
INSTRUMENTED = """import sys, time
sys.path.insert(0, {root!r})
sys.setswitchinterval({interval!r})
from app.core.program import ProgramRun
source = open({path!r}, encoding="utf-8").read()
run = ProgramRun(source, {name!r})
began = time.perf_counter()
run.start().join(120)
seconds = time.perf_counter() - began
sys.stdout.write(run.output.text())
print("\\n@seconds", seconds)
"""
#: event-ready: note when each worker woke (added to both sides alike).
WOKE = ("    ready.wait()\n", "    ready.wait()\n    import time as _t\n    woke.append(_t.perf_counter())\n")


#: How a sample can run; every case runs the first two, a case's ``also`` adds others.
WAYS = {"plain": PLAIN, "instrumented": INSTRUMENTED, "plain, unread pipe": PLAIN_UNREAD,
        "plain, on a thread": PLAIN_ON_THREAD}
#: What an extra way's row says, beside the instrumented figure.
ALSO_ROWS = {"plain, unread pipe": "  the same, plain, its stdout a pipe read at the end",
             "plain, on a thread": "  the same, plain, its main code on a second thread"}


def cases(quick: bool) -> list[dict]:
    """What to run: lesson, constants, switch interval, how to read one sample, samples a side."""
    n = 1 if quick else 40
    return [
        {"case": "main-holds-lock: first to wait got the lock first", "lesson": "main-holds-lock",
         "constants": {}, "interval": 0.005, "samples": n, "also": ["plain, on a thread"],
         "read": lambda out: float(_numbers(out)[-1] == 11.0), "kind": "share"},
        {"case": "elementwise-race: runs that raced, 5 ms", "lesson": "elementwise-race",
         "constants": {}, "interval": 0.005, "samples": n,
         "read": lambda out: float(_numbers(out)[-2] != _numbers(out)[-1]), "kind": "share"},
        {"case": "elementwise-race: runs that raced, 0.5 ms", "lesson": "elementwise-race",
         "constants": {}, "interval": 0.0005, "samples": n,
         "read": lambda out: float(_numbers(out)[-2] != _numbers(out)[-1]), "kind": "share"},
        {"case": "event-stop: rounds, paced by sleep", "lesson": "event-stop",
         "constants": {}, "interval": 0.005, "samples": max(1, n // 4),
         "read": lambda out: _numbers(out)[-1] - 1, "kind": "count"},
        {"case": "event-stop: rounds, unpaced", "lesson": "event-stop",
         "constants": {"PACING": "none"}, "interval": 0.005, "samples": max(1, n // 4),
         "read": lambda out: _numbers(out)[-1] - 1, "kind": "count"},
        {"case": "event-ready: workers woke apart (ms)", "lesson": "event-ready",
         "constants": {}, "interval": 0.005, "samples": max(1, n // 2), "edit": WOKE,
         "append": "\nprint('@woke', abs(woke[1] - woke[0]) * 1000)\n", "prepend": "woke = []\n",
         "read": lambda out: float(re.search(r"@woke ([\d.e-]+)", out).group(1)), "kind": "ms"},
        {"case": "first-thread: 'Thread started' inside the number's line", "lesson": "first-thread",
         "constants": {"COUNT": 3, "DELAY": 0.02}, "interval": 0.005, "samples": n, "also": ["plain, unread pipe"],
         "read": lambda out: float(bool(re.match(r"\d+Thread started", out))), "kind": "share"},
    ]


def _numbers(out: str) -> list[float]:
    body = out.split("@seconds")[0]
    return [float(x) for x in re.findall(r"-?\d+\.\d+(?:e-?\d+)?|-?\d+\.(?=\])", body)]


def program_text(case: dict) -> str:
    from app.lessons import get

    lesson = get(case["lesson"])
    text = lesson.program(lesson.check_params(case["constants"]))
    if "edit" in case:
        old, new = case["edit"]
        text = text.replace(old, new)
    return case.get("prepend", "") + text + case.get("append", "")


def sample(way: str, path: Path, name: str, interval: float) -> tuple[str, float]:
    """One fresh interpreter: the program's output and its run time."""
    template = WAYS[way]
    code = template.format(interval=interval, path=str(path), root=str(ROOT), name=name)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=180, cwd=path.parent)
    if done.returncode != 0:
        raise RuntimeError(f"{way} run failed:\n{done.stderr}")
    seconds = float(done.stdout.rsplit("@seconds", 1)[1])
    return done.stdout, seconds


def measure(case: dict, folder: Path) -> dict:
    """The case's samples, plain and instrumented alternately."""
    from app.lessons import get

    name = get(case["lesson"]).program_name
    path = folder / name
    path.write_text(program_text(case), encoding="utf-8")
    ways = ["plain", "instrumented", *case.get("also", [])]
    values: dict[str, list[float]] = {way: [] for way in ways}
    seconds: dict[str, list[float]] = {way: [] for way in ways}
    for _ in range(case["samples"]):
        for way in values:
            out, took = sample(way, path, name, case["interval"])
            values[way].append(case["read"](out))
            seconds[way].append(took)
    return {"values": values, "seconds": seconds}


def fisher_p(a: int, n: int, b: int, m: int) -> float:
    """Two-sided p of Fisher's exact test: ``a`` hits of ``n`` against ``b`` of ``m``."""
    hits, total = a + b, n + m

    def chance(x: int) -> float:  # P(x of the hits fall in the first sample), margins fixed
        return math.comb(n, x) * math.comb(m, hits - x) / math.comb(total, hits)

    seen = chance(a)
    low, high = max(0, hits - m), min(n, hits)
    return min(1.0, sum(p for x in range(low, high + 1) if (p := chance(x)) <= seen * (1 + 1e-9)))


def verdict(kind: str, plain: list[float], inst: list[float]) -> str:
    """Is the instrumented figure inside the plain program's run-to-run spread?"""
    if kind == "share":
        p = fisher_p(int(sum(plain)), len(plain), int(sum(inst)), len(inst))
        return f"p={p:.2f}" + ("" if p >= 0.05 else " DIFFERS")
    quartiles = statistics.quantiles(plain, n=4) if len(plain) >= 4 else [min(plain), 0, max(plain)]
    low, high = quartiles[0], quartiles[-1]
    spread = max(high - low, 1e-9)
    middle = statistics.median(inst)
    return "inside" if low - 0.5 * spread <= middle <= high + 0.5 * spread else "OUTSIDE"


def figure(kind: str, xs: list[float]) -> str:
    if kind == "share":
        return f"{int(sum(xs))}/{len(xs)} ({sum(xs) / len(xs):.0%})"
    quartiles = statistics.quantiles(xs, n=4) if len(xs) >= 4 else [min(xs), statistics.median(xs), max(xs)]
    return f"{statistics.median(xs):.1f} [{quartiles[0]:.1f}-{quartiles[-1]:.1f}]"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one sample a side")
    parser.add_argument("--only", metavar="TEXT", help="run only the cases whose name contains TEXT")
    parser.add_argument("--samples", type=int, metavar="N", help="samples a side for every case chosen")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also save every sample")
    args = parser.parse_args(argv)
    print("each program plainly and under the instrument, alternating, a fresh interpreter per sample")
    print(f"{'case':56} {'plain':>20} {'instrumented':>20} {'':14} {'time instr/plain':>16}")
    saved = []
    with tempfile.TemporaryDirectory(prefix="threadlab-fidelity-") as folder:
        for case in cases(args.quick):
            if args.only and args.only not in case["case"]:
                continue
            if args.samples:
                case["samples"] = args.samples
            got = measure(case, Path(folder))
            plain, inst = got["values"]["plain"], got["values"]["instrumented"]
            ratio = statistics.median(got["seconds"]["instrumented"]) / statistics.median(got["seconds"]["plain"])
            print(f"{case['case']:56} {figure(case['kind'], plain):>20} {figure(case['kind'], inst):>20} "
                  f"{verdict(case['kind'], plain, inst):14} {ratio:>15.2f}x", flush=True)
            for way in case.get("also", []):
                other = got["values"][way]
                print(f"{ALSO_ROWS[way]:56} {figure(case['kind'], other):>20} "
                      f"{figure(case['kind'], inst):>20} {verdict(case['kind'], other, inst):14}", flush=True)
            saved.append({"case": case["case"], **got})
    print("(shares: p of Fisher's exact test that plain and instrumented share one rate, DIFFERS below 0.05; "
          "counts: inside = the instrumented median lies within the plain quartiles widened by half their spread)")
    if args.json is not None:
        args.json.write_text(json.dumps(saved, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
