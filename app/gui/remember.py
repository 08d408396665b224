"""What the window remembers from one run to the next: its size and place, the splitters,
the tab, the Lab's choices (workers, lock, where the work runs, its settings), the
lesson and its constants, the thread switch interval and the text and code font sizes. Kept as one JSON value in threadlab's settings file (the About box names it);
View > Reset layout and settings forgets it and puts the window as it first opens.

Only the app's own launch remembers (``python main.py``, ``threadlab``): a window made by
a test or a benchmark starts as built, and ``--screenshot`` neither reads nor writes.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from pyqtgraph.Qt import QtWidgets

from ..core import logbook
from .scripts import settings

if TYPE_CHECKING:
    from .window import LabWindow

KEY = "window/state"
#: Kept only since a later version: a state saved before has none, and that is no fault
_NEWER = {"the text size": "text_step", "the Lab's choices": "lab"}


def remembered() -> dict[str, Any]:
    """What was saved last time ({} if nothing, or if it cannot be read)."""
    raw = settings().value(KEY, "")
    try:
        state = json.loads(raw) if isinstance(raw, str) and raw else {}
    except ValueError:
        return {}
    return state if isinstance(state, dict) else {}


def save(window: "LabWindow") -> None:
    """Keep the window's layout and choices for the next run."""
    lesson = window.lesson_panel.lesson()
    state = {
        "size": [window.width(), window.height()],
        "place": [window.x(), window.y()],
        "maximized": window.isMaximized(),
        "columns": window.columns.sizes(),
        "panes": window.panes.sizes(),
        "tab": window.tabs.currentIndex(),
        "lesson": lesson.id,
        "params": {name: value for name, value in window.lesson_panel.params.values().items()},
        "lab": window.controls.values(),
        "switch_s": window.switch.seconds,
        "text_step": window.text_points() - window.default_text_points,  # (not a size: the desktop's may change)
        "code_points": window.code_pane.editor.point_size(),
    }
    store = settings()
    store.setValue(KEY, json.dumps(state))
    store.sync()


def restore(window: "LabWindow", lesson_given: bool = False, tab_given: bool = False,
            lab_given: tuple[str, ...] = ()) -> bool:
    """Put the window as it was saved; False if nothing was saved. What the command line
    asked for wins: a lesson or a script over the saved lesson and tab, and the Lab's
    values named in ``lab_given`` (say ``("size",)``) over the saved ones."""
    state = remembered()
    if not state:
        return False
    steps = []  # (the lesson and the tab first: showing them moves the splitters)
    if not lesson_given:
        steps.append(("the lesson", lambda: _lesson(window, state["lesson"], state.get("params", {}))))
    if not tab_given and not lesson_given:
        steps.append(("the tab", lambda: window.tabs.setCurrentIndex(int(state["tab"]))))
    steps += [
        ("the text size", lambda: window.set_text_points(window.default_text_points + int(state["text_step"]))),
        ("the window's size", lambda: _size_and_place(window, state["size"], state["place"],
                                                      bool(state.get("maximized")))),
        ("the columns", lambda: _sizes(window.columns, state["columns"])),
        ("the panes", lambda: _sizes(window.panes, state["panes"])),
        ("the switch interval", lambda: window.set_switch_interval(float(state["switch_s"]))),
        ("the code's font", lambda: window.code_pane.editor.set_point_size(int(state["code_points"]))),
        ("the Lab's choices", lambda: _lab(window, state["lab"], lab_given)),
    ]
    steps = [(what, step) for what, step in steps if what not in _NEWER or _NEWER[what] in state]
    for what, step in steps:
        try:
            step()
        except (KeyError, TypeError, ValueError, OverflowError) as exc:  # (a file from another version, or edited)
            window.lab.log.write(f"settings: {what} could not be restored ({exc!r}); left as it was",
                                 logbook.NOTE, thread="GUI")
    return True


def forget(window: "LabWindow") -> None:
    """Forget what was saved, and put the window as it first opens."""
    store = settings()
    store.remove(KEY)
    store.sync()
    window.lay_out_as_first()


def _size_and_place(window: "LabWindow", size: Any, place: Any, maximized: bool) -> None:
    """The window's size and place, kept within the screen it is on now (a laptop after a
    large monitor gets a window that fits, not one cut off)."""
    width, height = (int(v) for v in size)
    x, y = (int(v) for v in place)
    screen = QtWidgets.QApplication.primaryScreen()
    if screen is not None:
        room = screen.availableGeometry()
        width, height = min(width, room.width()), min(height, room.height())
        x = min(max(x, room.left()), room.right() - width + 1)
        y = min(max(y, room.top()), room.bottom() - height + 1)
    window.resize(width, height)
    window.move(x, y)
    if maximized:
        window.showMaximized()


def _sizes(splitter: Any, sizes: Any) -> None:
    if not (isinstance(sizes, list) and len(sizes) == splitter.count() and all(isinstance(s, int) for s in sizes)):
        raise ValueError(f"{sizes!r} does not fit {splitter.count()} parts")
    splitter.setSizes(sizes)


def _lab(window: "LabWindow", values: Any, given: tuple[str, ...]) -> None:
    if not isinstance(values, dict):
        raise ValueError(f"{values!r} is not the Lab's choices")
    window.controls.set_values({name: value for name, value in values.items() if name not in given})
    window.reset_array_if_resized()


def _lesson(window: "LabWindow", lesson_id: str, params: dict[str, Any]) -> None:
    from ..lessons import LESSONS

    if lesson_id not in LESSONS:
        raise ValueError(f"no lesson {lesson_id!r}")
    window.lesson_panel.select(lesson_id)
    lesson = LESSONS[lesson_id]
    for name, value in params.items():
        try:
            value = lesson.param(name).parse(value)
        except (ValueError, TypeError):
            continue  # (a constant gone, or bounds changed since: keep the program's own value)
        window.lesson_panel.params.set_value(name, value)
