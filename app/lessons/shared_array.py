"""What a thread can hand back: a shared array yes, a number no, a return value no.

Try: Start and read the four printed lines in the Output tab.

Look for: ``[2.]``: calling ``increase`` directly changed ``data``. ``[3.]``: so did
running it on a thread: the thread's ``array`` is the very same numpy object as the
main thread's ``data``. ``[3.]`` again: ``increased_copy`` built a new array and
returned it, but ``Thread`` throws the return value of its target away. ``1``: the
number did not change, because ``array += 1`` on an int makes a new int that only
the thread's local name sees.

Why: threads share every object; what they do not share is their local names.
Changing an object in place (the array) is seen by everyone who holds it; rebinding a
name is not. To get a result back from a thread, put it somewhere the caller can
read: a list, a ``queue.Queue``, or use ``concurrent.futures``.
"""

from ..core.params import Param
from .base import CannotMeasure, Verdict, every_run
from .measure import number

ID = "shared-array"
PARAMS = (Param("SIZE", 100, 1, 1_000_000, help="rows in the array"),)
ARRAY = "data"


def measure(seen):
    lines = [p.text.strip() for p in seen.printed_by("MainThread") if p.stream == "stdout"]
    if len(lines) < 4:
        raise CannotMeasure(f"the program printed {len(lines)} lines, not the four this lesson reads")
    direct, threaded, copied, last = (number(line) for line in lines[:4])
    return {"after_call": direct, "after_thread": threaded, "after_copy_thread": copied,
            "number_after_thread": last}


def judge(p, runs):
    return every_run(runs, lambda r: judge_run(p, r))


def judge_run(p, r):
    """One run against the claim."""
    changed = r["after_thread"] == r["after_call"] + 1
    lost = r["after_copy_thread"] == r["after_thread"]
    kept = r["number_after_thread"] == 1
    return Verdict(
        changed and lost and kept,
        f"after the direct call {r['after_call']:g}, after the thread {r['after_thread']:g} "
        f"({'the thread changed the caller' + chr(39) + 's array' if changed else 'unchanged'}); after "
        f"the thread that returned a new array {r['after_copy_thread']:g} (the result "
        f"{'was lost' if lost else 'arrived'}); the number after its thread: {r['number_after_thread']:g}",
    )
