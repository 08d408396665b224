"""Save what a recorder saw as Chrome Trace Event JSON, which Perfetto and chrome://tracing open.

Layout of the file (the "JSON Object Format" of the Trace Event format):

* process 1, **threads**: one track per thread lifetime, named after the thread. Its
  slices are its states (``running``, ``waiting for lock 'array lock'``, ``pacing``,
  ...), one after the other; instants mark ``started``, ``set``, ``timed out``,
  ``broken``, ``finished`` and ``failed``.
* process 2, **locks**: one track per lock. Its slices are the holds, named after the
  thread that held it (``held by add``). Holds of one lock never overlap, which is the
  point of a lock, and a trace of a lesson that uses one shows it.

Times are microseconds since the recorder was created. Slices still open when the
trace is saved end at the time of saving, with ``"open": true`` in their args.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

from .recorder import Recorder
from .timeline import Timeline

THREADS_PID = 1
LOCKS_PID = 2


def _us(t: float, t0: float) -> float:
    return round((t - t0) * 1e6, 3)


def _meta(pid: int, tid: int | None, name: str, value: Any) -> dict[str, Any]:
    """A metadata event: ``process_name`` / ``thread_name`` (a name) or ``thread_sort_index``."""
    key = "sort_index" if name.endswith("sort_index") else "name"
    event = {"ph": "M", "pid": pid, "name": name, "args": {key: value}}
    if tid is not None:
        event["tid"] = tid
    return event


def build_trace(recorder: Recorder, title: str = "threadlab", now: float | None = None) -> dict[str, Any]:
    """The trace of everything ``recorder`` still keeps, as a JSON-ready dict."""
    records = recorder.snapshot()
    now = time.monotonic() if now is None else now
    t0 = recorder.t0
    timeline = Timeline()
    timeline.feed(records)
    events: list[dict[str, Any]] = [
        _meta(THREADS_PID, None, "process_name", f"{title}: threads"),
        _meta(LOCKS_PID, None, "process_name", f"{title}: locks"),
    ]
    lock_tids: dict[int, int] = {}
    locks: dict[int, Any] = {}
    for track in timeline.ordered():
        tid = track.lane.serial
        events.append(_meta(THREADS_PID, tid, "thread_name", track.name))
        events.append(_meta(THREADS_PID, tid, "thread_sort_index", tid))
        for segment in track.segments:
            events.append(_slice(THREADS_PID, tid, segment.describe(), "state", segment.start,
                                 segment.end, now, t0, state=segment.state, obj=_name(segment.obj)))
        for mark in track.marks:
            events.append({"ph": "i", "s": "t", "pid": THREADS_PID, "tid": tid, "name": mark.kind,
                           "cat": "mark", "ts": _us(mark.t, t0), "args": {"obj": _name(mark.obj)}})
        for hold in track.holds:
            lock_tid = lock_tids.setdefault(id(hold.lock), len(lock_tids) + 1)
            locks[id(hold.lock)] = hold.lock
            events.append(_slice(LOCKS_PID, lock_tid, f"held by {track.name}", "hold", hold.start,
                                 hold.end, now, t0, thread=track.name, lock=hold.lock.name))
    named: dict[str, int] = {}
    for lock_id, lock_tid in lock_tids.items():
        name = locks[lock_id].name
        named[name] = named.get(name, 0) + 1  # a new run makes a new lock of the same name
        suffix = f" #{named[name]}" if named[name] > 1 else ""
        events.append(_meta(LOCKS_PID, lock_tid, "thread_name", f"lock {name!r}{suffix}"))
        events.append(_meta(LOCKS_PID, lock_tid, "thread_sort_index", lock_tid))
    return {
        "traceEvents": events,
        "displayTimeUnit": "ms",
        "otherData": {
            "producer": "threadlab",
            "records": len(records),
            "ring_full": recorder.full,  # true: the oldest records were pushed out
            "capacity": recorder.capacity,
        },
    }


def _slice(pid: int, tid: int, name: str, cat: str, start: float, end: float | None,
           now: float, t0: float, **args: Any) -> dict[str, Any]:
    if end is None:
        args["open"] = True
    stop = end if end is not None else max(now, start)
    return {"ph": "X", "pid": pid, "tid": tid, "name": name, "cat": cat, "ts": _us(start, t0),
            "dur": _us(stop, start), "args": args}


def _name(obj: Any) -> str | None:
    if isinstance(obj, BaseException):
        return repr(obj)
    return getattr(obj, "name", None)


def save_trace(recorder: Recorder, path: str | os.PathLike, title: str = "threadlab") -> Path:
    """Write the trace to ``path`` (parent folders must exist); return the path."""
    path = Path(path)
    trace = build_trace(recorder, title)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(trace), encoding="utf-8")
    tmp.replace(path)  # never a half-written trace under the real name
    return path


def saved_note(recorder: Recorder, path: str | os.PathLike) -> str:
    """What to tell the user once a trace of ``recorder`` was saved to ``path``."""
    full = " (the oldest records were dropped: the ring was full)" if recorder.full else ""
    return f"trace of {len(recorder.records):,} records saved to {path}{full}; open it in https://ui.perfetto.dev"


def check_trace_path(path: Path, option: str = "--trace") -> None:
    """``ValueError`` unless ``path`` can be written (checked before anything runs)."""
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise ValueError(f"{option} {path} is a folder; give a file name")
    if not folder.is_dir():
        raise ValueError(f"{option} {path}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise ValueError(f"{option} {path}: not allowed to write there")
