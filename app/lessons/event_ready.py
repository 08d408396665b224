"""Event: two workers wait until the main thread says the data is ready.

Try: Start, and watch the lanes: both workers wait (amber) while the main thread
prepares the data, then both run.

Look for: both workers start at once and say that they wait. Nothing happens to the
data until the main thread has added 1 to every element and calls ``ready.set()``;
then both go on together, each adding 1 to every element, and the data ends at 3.

Why: ``Event.wait()`` blocks until another thread calls ``set()``, and one ``set()``
releases every waiter. It is the simplest way to say "go" to many threads. (After
``set()`` the two workers change the same elements without a lock: ``array[i] += 1``
reads, adds and writes in separate steps, so an update can in principle be lost when
the interpreter switches threads between the read and the write. The check counts
such lost updates; none were seen here in 20 runs of the article's program.)
"""

from ..core import recorder as rec
from ..core.params import Param
from .base import CannotMeasure, Verdict, every_run
from .measure import segments

ID = "event-ready"
PARAMS = (Param("SIZE", 100_000, 100, 2_000_000, help="rows of the array"),)
ARRAY = "data"


def measure(seen):
    sets = seen.marks(rec.SET)
    if not sets:
        raise CannotMeasure("nobody set an Event")
    set_at = sets[0]
    woke, waited = [], 0
    for track in (seen.track(1), seen.track(2)):
        waits = segments(track, rec.WAIT_EVENT)
        waited += bool(waits)
        if waits and waits[0].start < set_at and waits[0].end is not None and waits[0].end >= set_at:
            woke.append(waits[0].end)
    data = seen.array("data")
    return {"waited": waited, "both_waited_for_set": len(woke) == 2,
            "woke_apart_ms": round((max(woke) - min(woke)) * 1000, 2) if len(woke) == 2 else None,
            "mean": float(data.mean()), "lost_updates": int(round(3 * data.size - float(data.sum())))}


def judge(p, runs):
    return every_run(runs, lambda r: judge_run(p, r))


def judge_run(p, r):
    """One run against the claim."""
    lost = f"; {r['lost_updates']} updates lost where the workers' += collided" if r["lost_updates"] else ""
    if r["waited"] < 2 and not r["both_waited_for_set"]:
        return Verdict(None, f"only {r['waited']} of the 2 workers got to wait() before set(): the data was "
                             f"ready too soon to see them wait (raise SIZE){lost}")
    return Verdict(
        r["both_waited_for_set"],
        f"both workers waited until set(): {r['both_waited_for_set']}; they woke {r['woke_apart_ms']} ms "
        f"apart; the data's mean is {r['mean']:g} (prepared 1, plus 1 from each worker){lost}",
    )
