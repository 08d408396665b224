"""Vectorised race: array += 1 against array /= 1.1, one numpy operation at a time.

Try: Run xN with the defaults (K = 10 000), then with K = 100, then with SIZE = 100 000.

Look for: with the article's small array (SIZE = 100) every element ends equal in
every run: one numpy operation on a small array is never cut in half. The final
value, though, changes from run to run when K is large: the two threads take turns
at moments decided by the interpreter, so the adds and divides interleave
differently each time. With a small K the first thread is done before the second
one starts, and every run gives the same value. With a large array the elements
themselves end unequal: numpy lets go of the GIL inside an operation over more than
about 500 elements, and then the two loops really run side by side.

Why: a thread keeps the GIL for at most one switch interval (5 ms by default), then
the interpreter hands it over at the next instruction boundary, often in the middle
of a Python loop. The article says such a numpy operation "never gets interrupted":
that holds only for small arrays. Measured here (K = 1000, 10 runs each): unequal
elements in 0 runs at 100 and 400 elements, in some runs from 600 up, in every run
at 100 000.

Step through shows the first half of this and not the second: each ``array += 1`` is
one step, so you choose the order of whole operations (and the final value follows).
What happens inside one operation over a large array, where numpy has let go of the
GIL, runs in C: no stepper of Python lines can stop it half-way. Only the real
scheduler shows those unequal elements.
"""

import math

import numpy as np

from ..core.params import Param
from ..core.words import plural
from .base import Challenge, Verdict
from .measure import GIL_RELEASE_ELEMENTS, overlapped, uniform

ID = "vectorized-race"
PARAMS = (
    Param("SIZE", 100, 1, 1_000_000, help="rows of the array (the article: 100)"),
    Param("K", 10_000, 1, 1_000_000, help="operations per thread"),
)
REPEAT = 20
VARIES = True
HISTOGRAM = "final"
ARRAY = "data"


def interleaved_value(picture, names):
    """Both loops have ended with a first element that neither order of whole loops gives
    (all adds then all divides, or the other way round)."""
    workers = [view for view in picture.threads if view.name != "MainThread"]
    data, k = names.get("data"), names.get("K")
    if len(workers) < 2 or any(view.state != "finished" for view in workers) or not isinstance(data, np.ndarray):
        return False
    value = float(data.reshape(-1)[0])
    adds_first, divides_first = (1 + k) / 1.1 ** k, 1 / 1.1 ** k + k
    return not (math.isclose(value, adds_first) or math.isclose(value, divides_first))


CHALLENGE = Challenge("Make the final value one that neither thread running all its loop first gives "
                      "(set K = 3 first: a few steps each).", interleaved_value)
#: From this size on numpy let go of the GIL inside an operation in every run measured.
ALWAYS_SPLIT = 10_000


def measure(seen):
    data = seen.array("data")
    return {"final": float(data.reshape(-1)[0]), "uniform": uniform(data),
            "together": overlapped(seen.track(1), seen.track(2))}


def judge(p, runs):
    n, size = len(runs), p["SIZE"]
    equal = sum(r["uniform"] for r in runs)
    together = [r for r in runs if r["together"]]
    solo = [r for r in runs if not r["together"]]
    finals_together = {r["final"] for r in together}
    finals_solo = {r["final"] for r in solo}
    claims, failed, open_ = [], [], []
    text = (f"all elements equal in {equal} of {n} runs; the threads ran at the same time in "
            f"{len(together)} of {n}, with {plural(len(finals_together), 'final value')}")
    if size <= GIL_RELEASE_ELEMENTS:
        (claims if equal == n else failed).append(
            f"with {size} elements one operation is never cut in half, so every run ends uniform")
    elif size >= ALWAYS_SPLIT:
        if equal < n:
            claims.append(f"with {size} elements numpy let go of the GIL inside an operation")
        else:
            (failed if n >= 5 else open_).append(f"{size} elements should end unequal in some run")
    if len(finals_solo) > 1:
        failed.append("runs where one thread finished before the other began should all end alike")
    elif solo:
        claims.append(f"when one thread was done before the other began ({len(solo)} runs) the value was the same")
    if len(together) >= 3:
        (claims if len(finals_together) > 1 else failed).append(
            "the final value changes when the threads interleave")
    if failed:
        return Verdict(False, f"{text}. Not as predicted: {'; '.join(failed)}")
    if not claims or open_:
        return Verdict(None, f"{text}. Too few runs to tell; Run xN")
    return Verdict(True, f"{text}. As predicted: {'; '.join(claims)}")
