"""Ctrl+C and threads: what a real child process does when it gets SIGINT.

Try: Start, and read the three child processes' output and timings in the log.

Look for: Python turns Ctrl+C into ``KeyboardInterrupt`` in the *main* thread only.
With a normal (non-daemon) worker the main thread dies, but the process lives on
until the worker has finished its work. With a daemon worker the process ends at
once and the worker is cut off mid-work (no "done" line). The clean pattern catches
``KeyboardInterrupt``, sets the worker's stop Event and joins it: the process ends
promptly, the worker says it stopped cleanly, and the exit code is 0.

Why: the interpreter waits for non-daemon threads before it exits; it kills daemon
threads without warning. Neither is a way to stop a thread: an Event is.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from app.lessons.base import Param, Verdict

ID = "ctrl-c"
PARAMS = (
    Param("work", 2.0, 0.5, 10.0, "s", help="how long the child's worker works"),
    Param("interrupt_after", 0.3, 0.05, 5.0, "s", help="when the child gets SIGINT"),
)
VARIANTS = ("non-daemon", "daemon", "clean")


def run_child(ctx, variant, work, interrupt_after):
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": f"{root}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    child = subprocess.Popen(
        [sys.executable, "-u", "-m", "app.lessons.ctrl_c_child", variant, str(work)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
    )
    lines = []
    reader = ctx.Thread(target=lambda: lines.extend(child.stdout), name=f"read-{variant}")
    reader.start()
    try:
        while "main: ready\n" not in lines and child.poll() is None:
            if ctx.sleep(0.01):
                break
        ctx.sleep(interrupt_after)
        sent = time.monotonic()
        child.send_signal(signal.SIGINT)
        code = child.wait(timeout=work + 10)
        took = time.monotonic() - sent
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(5)
        reader.join(5)
    output = [line.rstrip() for line in lines]
    ctx.print(f"{variant}: exit code {code} after {took:.2f} s; output: " + " | ".join(
        line for line in output if line.startswith(("main", "worker", "KeyboardInterrupt"))))
    return {"exit_code": code, "exit_after_s": round(took, 3),
            "worker_done": "worker: done" in output,
            "stopped_cleanly": "worker: stopped cleanly" in output,
            "traceback": any(line.startswith("Traceback") for line in output)}


def run(ctx, p):
    return {v: run_child(ctx, v, p["work"], p["interrupt_after"]) for v in VARIANTS}


def judge(p, runs):
    r = runs[-1]
    nd, d, c = r["non-daemon"], r["daemon"], r["clean"]
    remaining = p["work"] - p["interrupt_after"]
    kept_alive = nd["worker_done"] and nd["exit_after_s"] >= 0.8 * remaining
    cut_off = not d["worker_done"] and d["exit_after_s"] < 0.5 * remaining
    clean = c["exit_code"] == 0 and c["stopped_cleanly"] and c["exit_after_s"] < 0.5 * remaining
    return Verdict(
        kept_alive and cut_off and clean,
        f"non-daemon: lived {nd['exit_after_s']:.2f} s after Ctrl+C until the worker was done "
        f"(exit {nd['exit_code']}); daemon: ended after {d['exit_after_s']:.2f} s, worker cut off "
        f"(exit {d['exit_code']}); clean: ended after {c['exit_after_s']:.2f} s, exit {c['exit_code']}",
    )
