"""The values a stepped program shares and each of its threads holds, in a few words each,
for the Watch table beside the code. No Qt here."""

from __future__ import annotations

import types
from typing import Any

import numpy as np

#: Characters of one value shown; elements of an array or a list shown.
WIDTH, ELEMENTS = 60, 4


def short_value(value: Any) -> str:
    """``3``, ``'abc'``, ``array (100000, 1): 2.0, 2.0, 1.9, 1.9, ...``, ``Lock: held by A``."""
    if isinstance(value, np.ndarray):
        flat = value.reshape(-1)
        shown = ", ".join(_number(x) for x in flat[:ELEMENTS].tolist())
        more = ", ..." if flat.size > ELEMENTS else ""
        return f"array {value.shape}: {shown}{more}"
    kind = type(value).__name__
    if hasattr(value, "owner") and hasattr(value, "kind") and hasattr(value, "waiters"):  # an instrumented lock
        owner = value.owner
        return f"{value.kind}: held by {owner.name}" if owner is not None else f"{value.kind}: free"
    if kind == "Event" and hasattr(value, "is_set"):
        return "Event: set" if value.is_set() else "Event: not set"
    if hasattr(value, "is_alive") and hasattr(value, "name") and callable(value.is_alive):
        return f"Thread {value.name!r}: " + ("alive" if value.is_alive() else "ended")
    text = repr(value)
    return text if len(text) <= WIDTH else text[:WIDTH - 3] + "..."


def worth_showing(name: str, value: Any) -> bool:
    """False for what a program defines rather than computes: modules, functions, classes,
    and names that start with ``__``."""
    if name.startswith("__"):
        return False
    return not isinstance(value, (types.ModuleType, types.FunctionType, types.BuiltinFunctionType, type))


def shown_values(names: dict[str, Any]) -> list[tuple[str, str]]:
    """``names`` (a namespace or a frame's locals) as (name, short value), in their order."""
    try:
        items = list(dict(names).items())  # (one copy: the program may add names meanwhile)
    except RuntimeError:
        return []
    return [(name, _safe(value)) for name, value in items if worth_showing(name, value)]


def _number(x: Any) -> str:
    """``1.0``, ``1.90909``, ``3``: an element, floats to 6 digits and still looking like floats."""
    if not isinstance(x, float):
        return repr(x)
    text = f"{x:.6g}"
    return text if any(c in text for c in ".eni") else text + ".0"


def _safe(value: Any) -> str:
    try:
        return short_value(value)
    except Exception as exc:  # noqa: BLE001 - a program's own __repr__ may fail
        return f"<cannot show: {exc!r}>"
