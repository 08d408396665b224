"""A program's source text: the constants at its top, and changing them in place.

A lesson's program keeps its parameters as plain constants near the top
(``SIZE = 100_000``). The parameter form, ``--set NAME=VALUE`` and the checks all go
through this module: :func:`constants` reads them, :func:`with_constants` writes new
values into the text itself, on the same lines, so what the learner reads is what
runs and every line number stays where it was.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any

#: The types a constant may have (what ``ast.literal_eval`` gives back for them).
LITERAL_TYPES = (bool, int, float, str)


@dataclass(frozen=True)
class Constant:
    """``NAME = literal`` at the top level of a program."""

    name: str
    value: Any
    line: int  # 1-based, as editors and tracebacks count
    start: tuple[int, int]  # (line, column) where the value's text begins
    end: tuple[int, int]  # (line, column) just after it


def constants(source: str) -> dict[str, Constant]:
    """The top-level ``UPPER_CASE = literal`` assignments of ``source``, by name.

    Raises ``SyntaxError`` if ``source`` does not parse. An assignment whose value is
    not a plain literal (``SIZE = 10 ** 6``) is left out: nothing can be set there.
    """
    found: dict[str, Constant] = {}
    for node in ast.parse(source).body:
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name) and node.targets[0].id.isupper()):
            continue
        try:
            value = ast.literal_eval(node.value)
        except ValueError:
            continue
        if isinstance(value, LITERAL_TYPES):
            name = node.targets[0].id
            found.setdefault(name, Constant(
                name, value, node.lineno, (node.value.lineno, node.value.col_offset),
                (node.value.end_lineno or node.value.lineno, node.value.end_col_offset or 0)))
    return found


def assigned(source: str) -> dict[str, int]:
    """Every top-level ``UPPER_CASE = ...`` of ``source`` (a literal or not), by name: its line."""
    found: dict[str, int] = {}
    for node in ast.parse(source).body:
        if (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name) and node.targets[0].id.isupper()):
            found.setdefault(node.targets[0].id, node.lineno)
    return found


def literal(value: Any) -> str:
    """``value`` written as Python source: ``100_000``, ``0.2``, ``'sleep'``, ``True``."""
    if isinstance(value, bool) or not isinstance(value, int):
        return repr(value)
    return f"{value:_}" if abs(value) >= 10_000 else str(value)


def with_constants(source: str, values: dict[str, Any]) -> str:
    """``source`` with each constant in ``values`` given its new value, in place.

    Only the value's text changes (a comment after it stays); no line is added or
    removed. ``KeyError`` names a constant the program does not have.
    """
    found = constants(source)
    missing = [name for name in values if name not in found]
    if missing:
        raise KeyError(f"the program has no constant {', '.join(missing)}")
    lines = source.splitlines(keepends=True)
    # a value equal to the one written keeps its text (RUN_FOR = 1 is not rewritten as 1.0)
    changed = [found[name] for name, value in values.items() if not _same(found[name].value, value)]
    # from the bottom up, so the positions of the ones above stay valid
    for const in sorted(changed, key=lambda c: c.start, reverse=True):
        (l0, c0), (l1, c1) = const.start, const.end
        head = _utf8_prefix(lines[l0 - 1], c0)
        tail = _utf8_suffix(lines[l1 - 1], c1)
        lines[l0 - 1:l1] = [head + literal(values[const.name]) + tail]
    return "".join(lines)


def _same(written: Any, value: Any) -> bool:
    """True if ``value`` is what ``written`` already says (1 and 1.0 are; True and 1 are not)."""
    return written == value and isinstance(written, bool) == isinstance(value, bool)


def _utf8_prefix(line: str, byte_col: int) -> str:
    """The part of ``line`` before ``byte_col`` (ast counts columns in UTF-8 bytes)."""
    return line.encode("utf-8")[:byte_col].decode("utf-8")


def _utf8_suffix(line: str, byte_col: int) -> str:
    return line.encode("utf-8")[byte_col:].decode("utf-8")
