"""The instrument: what a program gets in place of ``threading``, ``time``, ``queue``,
``sys`` and ``print``, so that its threads can be watched without being changed.

One :class:`Instrument` serves one run of one program. Its modules look like the real
ones (every name of the real module is there) and behave like them; what differs is
that their threads, locks, events, conditions, semaphores, barriers, timers, queues
and sleeps record what they do (:mod:`app.core.recorder`), and that Stop can end
every wait. The program asks for them with its ordinary ``import threading`` or
``from threading import Thread, Lock``: the program runs with a ``__builtins__``
whose ``__import__`` hands these out and passes everything else to Python's own. The
rest of the process (the window, its helper threads, the standard library) keeps the
real modules and is never recorded.

What it does not change: a blocking wait blocks in the real primitive, so the
interpreter and the OS decide who goes next exactly as without the instrument
(``bench/fidelity.py`` measures it). ``print`` calls Python's own ``print`` on a real
text stream buffered as this process's stdout is, so the writes of two threads
interleave as they would in a terminal; the instrument only notes, beside it, which
thread printed what and when.
"""

from __future__ import annotations

import ast
import builtins
import codecs
import ctypes
import gc
import io
import itertools
import linecache
import os
import queue as _queue
import sys
import threading
import time as _time
import types
import weakref
from collections import deque
from typing import Any, Callable

from . import primitives
from . import recorder as rec
from .frames import COLLECTION_SWITCH, current_frames
from .primitives import RunStopped
from .recorder import Recorder

_real_import = builtins.__import__
_real_print = builtins.print
_real_sleep = _time.sleep
_THREADING_FILE = threading.__file__
#: Files whose frames are the instrument's machinery, never the maker of a primitive.
_MACHINERY = {__file__, primitives.__file__, _THREADING_FILE}

#: What the program's ``time.sleep`` records itself as (a name for the lanes).
SLEEP = types.SimpleNamespace(name="sleep")
#: Lines of output kept per run, and characters of raw output (the oldest go first).
MAX_PRINTS = 100_000
MAX_RAW_CHARS = 4_000_000
#: The pipe behind the program's stdout holds this much before a print waits for the
#: instrument to read it (as a terminal that is not read makes a program wait).
PIPE_BYTES = 1 << 20


# -- output ----------------------------------------------------------------------------------
class Printed:
    """One ``print`` call of the program: when, which thread, what (with its ``end``)."""

    __slots__ = ("serial", "t", "thread", "text", "stream")

    def __init__(self, serial: int, t: float, thread: str, text: str, stream: str) -> None:
        self.serial, self.t, self.thread, self.text, self.stream = serial, t, thread, text, stream

    def __repr__(self) -> str:
        return f"Printed({self.thread!r}, {self.text!r})"


class ProgramOutput:
    """The program's stdout and stderr: real text streams over one pipe, as a terminal.

    :attr:`stdout` and :attr:`stderr` are ``io.TextIOWrapper`` s, buffered as this
    process's own stdout and stderr are (so, for instance, with ``PYTHONUNBUFFERED``
    every write goes straight through, and two threads' writes can meet on one line).
    :meth:`drain` reads what has come through the pipe so far, in the order it was
    written; :attr:`printed` keeps each ``print`` call with its thread and time.
    """

    def __init__(self) -> None:
        read_fd, write_fd = os.pipe()
        os.set_blocking(read_fd, False)
        _grow_pipe(write_fd)
        self._read_fd = read_fd
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._raw: deque[tuple[int, str]] = deque()  # (serial, text), oldest first
        self._raw_chars = 0
        self._serial = 0
        self.dropped_chars = 0
        self._lock = threading.Lock()
        out, err = sys.__stdout__, sys.__stderr__
        self.stdout = io.TextIOWrapper(
            io.FileIO(write_fd, "w"), encoding="utf-8", errors="backslashreplace",
            line_buffering=getattr(out, "line_buffering", True),
            write_through=getattr(out, "write_through", False))
        self.stderr = io.TextIOWrapper(
            io.FileIO(os.dup(write_fd), "w"), encoding="utf-8", errors="backslashreplace",
            line_buffering=True, write_through=getattr(err, "write_through", True))
        self.printed: deque[Printed] = deque(maxlen=MAX_PRINTS)
        self._print_serials = itertools.count(1)
        self._note_lock = threading.Lock()
        self.closed = False

    def note(self, text: str, stream: str) -> None:
        """Remember that the calling thread printed ``text`` (called before it is written)."""
        t, name = _time.monotonic(), threading.current_thread().name
        with self._note_lock:  # numbered in the order they go in: a reader never skips one
            self.printed.append(Printed(next(self._print_serials), t, name, text, stream))

    def drain(self) -> str:
        """Read what has come through since the last call (any thread may call it)."""
        with self._lock:
            if self.closed:
                return ""
            return self._read_available()

    def _read_available(self) -> str:
        parts = []
        while True:
            try:
                chunk = os.read(self._read_fd, 65536)
            except BlockingIOError:
                break
            if not chunk:
                break
            parts.append(self._decoder.decode(chunk))
        text = "".join(parts)
        if text:
            self._serial += 1
            self._raw.append((self._serial, text))
            self._raw_chars += len(text)
            while self._raw_chars > MAX_RAW_CHARS and len(self._raw) > 1:
                _, dropped = self._raw.popleft()
                self._raw_chars -= len(dropped)
        return text

    def text(self) -> str:
        """Everything read so far, as a terminal would show it (the newest part, if long)."""
        with self._lock:
            return "".join(text for _, text in self._raw)

    def text_since(self, cursor: int) -> tuple[str, int]:
        """What was read after ``cursor`` (0 at first), and the cursor for next time."""
        with self._lock:
            return "".join(text for serial, text in self._raw if serial > cursor), self._serial

    def printed_since(self, serial: int) -> list[Printed]:
        """The ``print`` calls noted after the one numbered ``serial`` (0: all), in order."""
        if not self.printed or self.printed[-1].serial <= serial:
            return []
        calls = list(self.printed.copy())
        first = len(calls)
        while first and calls[first - 1].serial > serial:  # (from the newest back: few, not all)
            first -= 1
        return calls[first:]

    def close(self) -> str:
        """Flush and close the streams, read what is left; return what was read last.

        Never waits for more: what a forked child of the program may still write to the
        pipe later is not waited for, and the lock readers need is held only while
        reading what is there."""
        if self.closed:
            return ""
        self.drain()  # room in the pipe, so that the flushes below cannot wait for a reader
        for stream in (self.stdout, self.stderr):
            try:
                stream.flush()
                stream.close()
            except (OSError, ValueError):
                pass
        with self._lock:
            if self.closed:
                return ""
            text = self._read_available()
            tail = self._decoder.decode(b"", final=True)  # (a character cut in two at the end)
            if tail:
                self._serial += 1
                self._raw.append((self._serial, tail))
            os.close(self._read_fd)
            self.closed = True
            return text + tail


class TerminalOutput:
    """The program's stdout and stderr are this process's own (``threadlab trace``: the
    program writes to the terminal, or wherever its output was sent, as with ``python``).

    The same interface as :class:`ProgramOutput`; nothing comes through a pipe, so
    :meth:`drain` and :meth:`text` have nothing to give; :attr:`printed` keeps each
    ``print`` call with its thread and time, as there."""

    def __init__(self) -> None:
        self.stdout = sys.__stdout__
        self.stderr = sys.__stderr__
        self.printed: deque[Printed] = deque(maxlen=MAX_PRINTS)
        self._print_serials = itertools.count(1)
        self._note_lock = threading.Lock()
        self.dropped_chars = 0
        self.closed = False

    note = ProgramOutput.note
    printed_since = ProgramOutput.printed_since

    def drain(self) -> str:
        return ""

    def text(self) -> str:
        return ""

    def text_since(self, cursor: int) -> tuple[str, int]:
        return "", cursor

    def close(self) -> str:
        """Flush what the program wrote (the streams stay open: they are this process's)."""
        for stream in (self.stdout, self.stderr):
            try:
                stream.flush()
            except (OSError, ValueError, AttributeError):
                pass
        self.closed = True
        return ""


def in_packages(module: str, packages: tuple[str, ...]) -> bool:
    """True if ``module`` is one of ``packages`` or inside one of them."""
    return any(module == package or module.startswith(package + ".") for package in packages)


def _grow_pipe(fd: int) -> None:
    try:
        import fcntl

        fcntl.fcntl(fd, getattr(fcntl, "F_SETPIPE_SZ", 1031), PIPE_BYTES)
    except (ImportError, OSError):
        pass  # the system's default size: a chatty program waits for the reader sooner


# -- naming ----------------------------------------------------------------------------------
def name_from_source(kind: str, frame: types.FrameType | None) -> str:
    """A name for a primitive from the line that made it: ``lock = Lock()`` gives ``'lock'``,
    ``self.ready = Event()`` gives ``'ready'``, ``a, b = Lock(), Lock()`` gives ``'a'`` and
    ``'b'``, ``locks = {'A': Lock(), ...}`` gives ``"locks['A']"``; otherwise
    ``'Lock at line 12'``."""
    if frame is None:
        return kind
    fallback = f"{kind} at line {frame.f_lineno}"
    line = linecache.getline(frame.f_code.co_filename, frame.f_lineno)
    text = line.lstrip()
    try:
        statement = ast.parse(text).body[0]
    except (SyntaxError, IndexError):  # a statement over several lines: the line is enough
        return fallback
    if isinstance(statement, ast.AnnAssign):
        targets, value = [statement.target], statement.value
    elif isinstance(statement, ast.Assign):
        targets, value = statement.targets, statement.value
    else:
        return fallback
    column = _call_column(frame)
    index = _call_index(frame) if column is None else None
    call = _the_call(value, kind, None if column is None else column - (len(line) - len(text)), index)
    if call is None:
        return fallback
    return _target_of(targets[0], value, call) or fallback


def _the_call(value: ast.AST, kind: str, column: int | None, index: int | None = None) -> ast.Call | None:
    """The call in ``value`` that is being made: the one at ``column`` (Python 3.11+), or
    the ``index``-th call to finish on the line (before 3.11, from the bytecode), or the
    only call of ``kind``."""
    calls = [node for node in ast.walk(value) if isinstance(node, ast.Call)]
    if column is not None:
        at = [c for c in calls if c.col_offset == column]
        if at:
            return at[0]
    if index is not None:
        finished = _calls_as_they_finish(value)
        if 0 <= index < len(finished):
            return finished[index]
    named = [c for c in calls if getattr(c.func, "id", getattr(c.func, "attr", "")) == kind]
    return named[0] if len(named) == 1 else None


def _calls_as_they_finish(node: ast.AST) -> list[ast.Call]:
    """The calls in ``node`` in the order Python finishes them (inner ones first)."""
    done: list[ast.Call] = []
    for child in ast.iter_child_nodes(node):
        done += _calls_as_they_finish(child)
    if isinstance(node, ast.Call):
        done.append(node)
    return done


def _call_index(frame: types.FrameType) -> int | None:
    """Which call of its line ``frame`` is making, counted in bytecode order (for Pythons
    that keep no columns)."""
    import dis

    line, calls = None, []
    for instruction in dis.get_instructions(frame.f_code):
        if instruction.starts_line is not None:
            line = instruction.starts_line
        if line == frame.f_lineno and instruction.opname.startswith("CALL"):
            calls.append(instruction.offset)
    return calls.index(frame.f_lasti) if frame.f_lasti in calls else None


def _target_of(target: ast.AST, value: ast.AST, call: ast.Call) -> str | None:
    if isinstance(target, ast.Tuple) and isinstance(value, ast.Tuple) and len(target.elts) == len(value.elts):
        for sub_target, sub_value in zip(target.elts, value.elts):
            if any(node is call for node in ast.walk(sub_value)):
                return _target_of(sub_target, sub_value, call)
        return None
    if isinstance(target, ast.Name):
        name = target.id
    elif isinstance(target, ast.Attribute):
        name = target.attr
    else:
        return None
    if isinstance(value, ast.Dict):
        for key, item in zip(value.keys, value.values):
            if any(node is call for node in ast.walk(item)) and isinstance(key, ast.Constant):
                return f"{name}[{key.value!r}]"
    return name


def _call_column(frame: types.FrameType) -> int | None:
    """The column of the call being made in ``frame`` (Python 3.11+), else ``None``."""
    positions = getattr(frame.f_code, "co_positions", None)
    if positions is None:
        return None
    try:
        for i, position in enumerate(positions()):
            if i == frame.f_lasti // 2:
                return position[2]
    except (TypeError, ValueError):
        return None
    return None


# -- async exceptions ------------------------------------------------------------------------
def raise_in_thread(ident: int, exc_type: type[BaseException] | None) -> bool:
    """Make ``exc_type`` raise in thread ``ident`` at its next Python instruction (``None``
    takes back one not yet raised). A thread blocked in C sees it when it comes back."""
    exc = ctypes.py_object(exc_type) if exc_type is not None else None
    done = ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(ident), exc)
    return done == 1


#: How long :func:`clear_async_signal` looks for the exception it sent itself (it comes at once).
ASYNC_SIGNAL_WAIT_S = 0.5


class _SignalCleared(Exception):
    """Sent by :func:`clear_async_signal` to the calling thread itself, and caught there."""


def clear_async_signal() -> None:
    """Clear CPython's "an asynchronous exception may be waiting" signal if it is stuck.

    CPython 3.11 raises that signal, for every thread, whenever an exception is sent to
    a thread, and also when one is taken back, or when a thread ends before it could see
    one; only a thread that receives one clears it. Stuck, it costs plain code a little, but
    a thread under a trace function (the stepper) loops for good at the first instruction of
    its next call. So: send one to this thread and receive it here."""
    me = threading.get_ident()
    # With the collector on, a collection may run at the very check that would receive the
    # exception (3.12 and later run it there), and a finalizer or weakref callback of that
    # collection received it instead: "Exception ignored in WeakSet._remove", seen once.
    with COLLECTION_SWITCH:
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            for _ in range(2):  # (a collection already asked for runs here, before the exception is sent)
                pass
            raise_in_thread(me, _SignalCleared)
            give_up_at = _time.monotonic() + ASYNC_SIGNAL_WAIT_S
            while _time.monotonic() < give_up_at:  # (received at the loop's first turn: it looks for it there)
                pass
            raise_in_thread(me, None)  # (never seen: taken back, so it cannot surface later)
        except _SignalCleared:
            pass
        finally:
            if was_enabled:
                gc.enable()


# -- the instrument --------------------------------------------------------------------------
class Instrument:
    """The instrumented modules for one run of one program, and what they made.

    ``program_files``: the file names of the program's own code (its primitives are
    named from these lines). ``argv``: the program's ``sys.argv``.
    """

    def __init__(self, recorder: Recorder, output: ProgramOutput | TerminalOutput, program_files: set[str],
                 argv: list[str] | None = None, own_folder: str | None = None,
                 libraries: tuple[str, ...] = ()) -> None:
        self.recorder = recorder
        self.output = output
        self.program_files = set(program_files)
        #: Modules the program imports from this folder are its own code: loaded with these
        #: modules too (``threadlab trace``, in a process of its own: they go in sys.modules).
        self.own_folder = os.path.abspath(own_folder) if own_folder is not None else None
        #: Packages of the standard library loaded the same way (never stepped into: Stop
        #: and naming stay with the program's own lines), so that the threads, locks and
        #: queues they make for the program are recorded (``concurrent.futures``).
        self.libraries = libraries
        self.stop_reason = ""
        self.silenced = False  # True once the program has ended (leftover daemons print nothing)
        self.threads: list[primitives.Thread] = []  # started by the program, in start order
        self.locks: list[primitives.Lock] = []
        self._stoppable: weakref.WeakSet = weakref.WeakSet()  # events, conditions, ... to wake
        self._sleep_gate = threading.Lock()  # held until Stop: a sleep is a timed wait on it
        self._sleep_gate.acquire()
        self._guard = threading.Lock()
        self._thread_numbers = itertools.count(1)
        self._names: dict[tuple, str] = {}
        self._made_at: dict[tuple, int] = {}  # how many primitives each line has made
        self.library_made: set[str] = set()  # names of what a library made for the program
        self.main: primitives.Thread | None = None
        #: Called on each program thread (its main thread too) just before its first line of
        #: the program's code: the stepper sets its trace function there.
        self.on_thread_start: Callable[[], None] | None = None
        #: True: the program's time.sleep returns at once (explore, where only one thread
        #: runs at a time, so a sleep lets nothing else happen and only costs time)
        self.skip_sleeps = False
        self.threading = self._make_threading()
        self.time = self._make_time()
        self.queue = self._make_queue()
        self.sys = self._make_sys(argv if argv is not None else [])
        self.modules = {"threading": self.threading, "time": self.time, "queue": self.queue,
                        "sys": self.sys}

    # -- what the program's code sees ------------------------------------------------------
    def builtins(self) -> dict[str, Any]:
        """A ``__builtins__`` for the program: Python's, with this ``__import__`` and ``print``."""
        names = dict(vars(builtins))
        names["__import__"] = self._import
        names["print"] = self._print
        return names

    def _import(self, name: str, globals: Any = None, locals: Any = None, fromlist: Any = (),
                level: int = 0) -> Any:
        if level == 0 and name in self.modules:
            return self.modules[name]
        if self.own_folder is not None or self.libraries:
            self._load_own(name, globals, fromlist, level)
        return _real_import(name, globals, locals, fromlist, level)

    def _load_own(self, name: str, globals: Any, fromlist: Any, level: int) -> None:
        """Load the modules of ``name`` (its packages, and what ``fromlist`` names in it)
        that are files of the program's folder, each with this instrument's builtins, so
        that their ``import threading`` is the program's; leave everything else alone."""
        import importlib.util

        try:
            absolute = importlib.util.resolve_name("." * level + name, (globals or {}).get("__package__")) \
                if level else name
        except (ImportError, ValueError):
            return
        parts = absolute.split(".")
        wanted = [".".join(parts[:i]) for i in range(1, len(parts) + 1)]
        wanted += [f"{absolute}.{item}" for item in fromlist or () if isinstance(item, str) and item != "*"]
        for module_name in wanted:
            if module_name in sys.modules:
                continue
            try:
                spec = importlib.util.find_spec(module_name)
            except (ImportError, ValueError):
                return
            origin = getattr(spec, "origin", None)
            if spec is None or spec.loader is None or not origin or not origin.endswith(".py"):
                continue
            own = self.own_folder is not None and os.path.abspath(origin).startswith(self.own_folder + os.sep)
            if not own and not in_packages(module_name, self.libraries):
                continue
            module = importlib.util.module_from_spec(spec)
            module.__builtins__ = self.builtins()
            if own:
                self.program_files.add(origin)
            sys.modules[module_name] = module
            try:
                spec.loader.exec_module(module)
            except BaseException:
                sys.modules.pop(module_name, None)
                raise

    def _print(self, *args: Any, sep: str | None = " ", end: str | None = "\n", file: Any = None,
               flush: bool = False) -> None:
        out = self.output
        if file is None:
            file = self.sys.stdout  # (the program may have set sys.stdout to a stream of its own)
        if file is out.stdout or file is sys.__stdout__:
            file, stream = out.stdout, "stdout"
        elif file is out.stderr or file is sys.__stderr__:
            file, stream = out.stderr, "stderr"
        else:
            return _real_print(*args, sep=sep, end=end, file=file, flush=flush)
        if self.silenced:
            return  # the program has ended: a daemon left over says nothing more, as in Python
        texts = tuple(map(str, args))  # (once: a __str__ is called once, as by print)
        # Python's own print, piece by piece, on a real stream: the same writes as ever; what
        # was printed is noted after, so that nothing comes between the call and its writes
        _real_print(*texts, sep=sep, end=end, file=file, flush=flush)
        out.note((" " if sep is None else sep).join(texts) + ("\n" if end is None else end), stream)

    # -- stop ------------------------------------------------------------------------------
    @property
    def stopping(self) -> bool:
        return bool(self.stop_reason)

    def stop(self, reason: str = "the run was stopped") -> None:
        """End every wait of the program now and from now on; stop its Python threads at
        their next instruction (:meth:`interrupt_threads`, repeated by the run's watch)."""
        with self._guard:
            if self.stop_reason:
                return
            self.stop_reason = reason
        self._sleep_gate.release()  # every sleep ends, one after the other
        for lock in list(self.locks):
            lock.stop_waits(reason)
        for waitable in list(self._stoppable):
            waitable.stop(reason)
        self.interrupt_threads()

    def interrupt_threads(self) -> None:
        """After a Stop: raise :class:`RunStopped` in every live thread of the program that
        is running the program's own code right now (never inside the instrument or a
        library, whose state it could leave half changed: a wait there is woken instead,
        and ends with the same exception by itself); wake every wait again (one that
        began as Stop came may have missed it)."""
        for lock in list(self.locks):
            lock.kick()
        for waitable in list(self._stoppable):
            waitable.stop(self.stop_reason)
        frames = current_frames()
        with self._guard:  # (a thread leaving the program's code takes it too)
            for thread in self.live_threads():
                frame = frames.get(thread.ident) if thread.ident is not None else None
                if (frame is not None and getattr(thread, "_in_program", False)
                        and frame.f_code.co_filename in self.program_files):
                    raise_in_thread(thread.ident, RunStopped)
                    thread._stop_sent = True

    def live_threads(self) -> list[primitives.Thread]:
        """The program's threads (its main thread included) that are alive now."""
        threads = ([self.main] if self.main is not None else []) + list(self.threads)
        return [t for t in threads if t.is_alive()]

    # -- the modules -----------------------------------------------------------------------
    def _adopt(self, made: Any, collection: list | weakref.WeakSet | None = None) -> Any:
        if collection is not None:
            collection.append(made) if isinstance(collection, list) else collection.add(made)
        if self.stopping and hasattr(made, "stop"):
            made.stop(self.stop_reason)
        return made

    def _name(self, kind: str) -> str:
        """Name a new primitive after the program's line that made it (worked out once per
        line: a program may make many). The second made there is ``'fork #2'``, and so on:
        a loop or a comprehension that makes several gives each a name of its own. What a
        library makes for the program is named after the library's line, with the module in
        front (``'concurrent.futures._base: _condition'``), and listed in
        :attr:`library_made`."""
        frame = sys._getframe(2)
        maker = frame  # the first frame that is not the instrument's or threading's own
        while maker is not None and maker.f_code.co_filename in _MACHINERY:
            maker = maker.f_back
        library = None
        if maker is not None and maker.f_code.co_filename not in self.program_files \
                and not maker.f_code.co_filename.startswith("<"):  # (code generated for it: a dataclass's __init__)
            library = maker.f_globals.get("__name__", "?")  # made by a library for the program
            frame = maker
        else:
            while frame is not None and frame.f_code.co_filename not in self.program_files:
                frame = frame.f_back
        if frame is None:
            return kind
        key = (kind, frame.f_code, frame.f_lasti)
        name = self._names.get(key)
        if name is None:
            name = self._names[key] = name_from_source(kind, frame) if library is None else \
                f"{library}: {name_from_source(kind, frame)}"
        made = self._made_at[key] = self._made_at.get(key, 0) + 1
        if made > 1:
            name = f"{name} #{made}"
        if library is not None:
            self.library_made.add(name)
        return name

    def _make_threading(self) -> types.ModuleType:
        inst, recorder = self, self.recorder
        module = _copy_of(threading)

        class Thread(primitives.Thread):
            __doc__ = threading.Thread.__doc__

            def __init__(self, group: None = None, target: Callable[..., Any] | None = None,
                         name: str | None = None, args: tuple = (), kwargs: dict | None = None, *,
                         daemon: bool | None = None) -> None:
                if name:
                    name = str(name)
                else:  # numbered per run, as in a fresh interpreter: Thread-1 (count)
                    name = f"Thread-{next(inst._thread_numbers)}"
                    if target is not None and hasattr(target, "__name__"):
                        name += f" ({target.__name__})"
                if daemon is None:  # inherited from the thread that makes it, as threading does
                    current = threading.current_thread()
                    daemon = getattr(current, "_program_daemon", current.daemon)
                # Really a daemon, whatever the program asked: this process (the window)
                # never waits at exit for a thread of a program; the program still sees
                # its own choice, and its run waits for its non-daemon threads as Python would.
                super().__init__(group, target, name, args, kwargs, daemon=True, recorder=recorder)
                self._program_daemon = bool(daemon)
                self._in_program = False  # True while it runs the program's code
                self.error: str | None = None  # its exception in words (see ``run_body``)

            @property
            def daemon(self) -> bool:
                if sys._getframe(1).f_code.co_filename == _THREADING_FILE:
                    return self._daemonic  # threading's own bookkeeping: a daemon
                return self._program_daemon

            @daemon.setter
            def daemon(self, daemonic: bool) -> None:
                if not self._initialized:
                    raise RuntimeError("Thread.__init__() not called")
                if self._started.is_set():
                    raise RuntimeError("cannot set daemon status of active thread")
                self._program_daemon = bool(daemonic)

            def start(self) -> None:
                if inst.stopping:
                    raise RunStopped(inst.stop_reason)
                if self is not inst.main:
                    with inst._guard:
                        inst.threads.append(self)
                super().start()

            def isDaemon(self) -> bool:  # noqa: N802 - threading's old name
                return self._program_daemon

            def __repr__(self) -> str:
                text = super().__repr__()
                return text if self._program_daemon else text.replace(" daemon", "", 1)

            def _recorded(self, body: Callable[[], None]) -> None:
                # all in one frame: the way from start() to the program's first line must
                # stay as short as a plain thread's (a slow start lets a thread started
                # later get ahead: measured in bench/fidelity.py's main-holds-lock row)
                lane = self.lane
                recorder._local.lane = lane
                recorder.record(rec.STARTED, None, lane)
                try:
                    inst.run_body(self, body)
                finally:
                    failed = self.error is not None
                    recorder.record(rec.FAILED if failed else rec.FINISHED, self.error, lane)
                    lane.ended = True

        class Timer(Thread):
            __doc__ = threading.Timer.__doc__

            def __init__(self, interval: float, function: Callable[..., Any], args: Any = None,
                         kwargs: Any = None) -> None:
                super().__init__()
                self.interval = interval
                self.function = function
                self.args = args if args is not None else []
                self.kwargs = kwargs if kwargs is not None else {}
                self.finished = module.Event()

            def cancel(self) -> None:
                self.finished.set()

            def run(self) -> None:
                self.finished.wait(self.interval)
                if not self.finished.is_set():
                    self.function(*self.args, **self.kwargs)
                self.finished.set()

        def Lock() -> primitives.Lock:  # noqa: N802 - threading's name
            return inst._adopt(primitives.Lock(inst._name("Lock"), recorder=recorder), inst.locks)

        def RLock() -> primitives.RLock:  # noqa: N802
            return inst._adopt(primitives.RLock(inst._name("RLock"), recorder=recorder), inst.locks)

        class Event(primitives.Event):
            def __init__(self) -> None:
                super().__init__(inst._name("Event"), recorder=recorder)
                inst._adopt(self, inst._stoppable)

        class Condition(primitives.Condition):
            def __init__(self, lock: Any = None) -> None:
                name = inst._name("Condition")
                super().__init__(lock if lock is not None else RLock(), name, recorder=recorder)
                inst._adopt(self, inst._stoppable)

        class Semaphore(primitives.Semaphore):
            def __init__(self, value: int = 1) -> None:
                super().__init__(value, inst._name("Semaphore"), recorder=recorder)
                inst._adopt(self, inst._stoppable)

        class BoundedSemaphore(primitives.BoundedSemaphore):
            def __init__(self, value: int = 1) -> None:
                super().__init__(value, inst._name("BoundedSemaphore"), recorder=recorder)
                inst._adopt(self, inst._stoppable)

        class Barrier(primitives.Barrier):
            def __init__(self, parties: int, action: Callable[[], Any] | None = None,
                         timeout: float | None = None) -> None:
                super().__init__(parties, action, timeout, inst._name("Barrier"), recorder=recorder)
                inst._adopt(self, inst._stoppable)

        def main_thread() -> threading.Thread:
            return inst.main if inst.main is not None else threading.main_thread()

        def enumerate_() -> list[threading.Thread]:
            return inst.live_threads()

        def active_count() -> int:
            return len(inst.live_threads())

        for cls in (Thread, Timer, Event, Condition, Semaphore, BoundedSemaphore, Barrier):
            cls.__module__ = "threading"
            cls.__qualname__ = cls.__name__
        module.__dict__.update(
            Thread=Thread, Timer=Timer, Lock=Lock, RLock=RLock, Event=Event, Condition=Condition,
            Semaphore=Semaphore, BoundedSemaphore=BoundedSemaphore, Barrier=Barrier,
            main_thread=main_thread, enumerate=enumerate_, active_count=active_count,
            activeCount=active_count, excepthook=threading.__excepthook__,
        )
        return module

    def _make_time(self) -> types.ModuleType:
        inst, recorder = self, self.recorder
        module = _copy_of(_time)

        def sleep(seconds: float) -> None:
            """``time.sleep``, recorded; Stop ends it."""
            if not isinstance(seconds, (int, float)) or seconds <= 0 or seconds != seconds:
                return _real_sleep(seconds)  # Python's own errors, and sleep(0)'s yield
            recorder.record(rec.SLEEPING, SLEEP)
            if inst.skip_sleeps:  # (explore: under the stepper nothing else runs meanwhile)
                recorder.record(rec.RUNNING)
                return None
            try:
                # a timed wait on a lock that only Stop lets go: no lock shared with other
                # sleepers on the way in or out (an Event would share its Condition's)
                if inst._sleep_gate.acquire(timeout=min(seconds, threading.TIMEOUT_MAX)):
                    inst._sleep_gate.release()  # (the next sleeper wakes too)
                    raise RunStopped(inst.stop_reason)
            finally:
                recorder.record(rec.RUNNING)

        module.sleep = sleep
        return module

    def _make_queue(self) -> types.ModuleType:
        inst, recorder = self, self.recorder
        module = _copy_of(_queue)

        def recorded(base: type) -> type:
            class Recorded(base):  # type: ignore[misc, valid-type]
                kind = base.__name__

                def __init__(self, maxsize: int = 0) -> None:
                    super().__init__(maxsize)
                    self.name = inst._name(base.__name__)
                    stoppable = primitives.StoppableCondition
                    self.not_empty = stoppable(self.mutex)
                    self.not_full = stoppable(self.mutex)
                    self.all_tasks_done = stoppable(self.mutex)
                    inst._adopt(self, inst._stoppable)

                def get(self, block: bool = True, timeout: float | None = None) -> Any:
                    if not block or self._qsize():
                        return super().get(block, timeout)
                    recorder.record(rec.WAIT_COND, self)
                    try:
                        return super().get(block, timeout)
                    finally:
                        recorder.record(rec.RUNNING)

                def put(self, item: Any, block: bool = True, timeout: float | None = None) -> None:
                    if not block or self.maxsize <= 0 or self._qsize() < self.maxsize:
                        return super().put(item, block, timeout)
                    recorder.record(rec.WAIT_COND, self)
                    try:
                        return super().put(item, block, timeout)
                    finally:
                        recorder.record(rec.RUNNING)

                def join(self) -> None:
                    recorder.record(rec.WAIT_COND, self)
                    try:
                        super().join()
                    finally:
                        recorder.record(rec.RUNNING)

                def stop(self, reason: str) -> None:
                    for condition in (self.not_empty, self.not_full, self.all_tasks_done):
                        condition.stop(reason)

            Recorded.__name__ = Recorded.__qualname__ = base.__name__
            Recorded.__module__ = "queue"
            return Recorded

        module.Queue = recorded(_queue.Queue)
        module.LifoQueue = recorded(_queue.LifoQueue)
        module.PriorityQueue = recorded(_queue.PriorityQueue)

        class SimpleQueue(recorded(_queue.Queue)):  # type: ignore[misc]
            """``queue.SimpleQueue`` (C code, whose waits nobody could see) as an unbounded
            Queue: the same put and get, recorded."""

            kind = "SimpleQueue"

            def __init__(self) -> None:
                super().__init__(0)

        SimpleQueue.__module__ = "queue"
        module.SimpleQueue = SimpleQueue
        return module

    def _make_sys(self, argv: list[str]) -> types.ModuleType:
        module = types.ModuleType("sys", sys.__doc__)
        module.__getattr__ = lambda name: getattr(sys, name)  # type: ignore[attr-defined]
        module.stdout = self.output.stdout
        module.stderr = self.output.stderr
        module.argv = list(argv)
        return module

    # -- the program's threads -------------------------------------------------------------
    def run_body(self, thread: primitives.Thread, body: Callable[[], None]) -> None:
        """Run a program thread's ``body`` as Python would: its exception printed to the
        program's stderr (or given to the program's ``threading.excepthook``), a
        ``SystemExit`` ending it quietly; a Stop ends it."""
        try:
            thread._in_program = True
            try:
                if self.on_thread_start is not None:
                    self.on_thread_start()
                body()
            finally:
                self.leave_program(thread)
        except RunStopped:
            thread.stopped = True
        except SystemExit:
            pass  # as in Python: sys.exit() in a thread ends that thread, and says nothing
        except BaseException as exc:  # noqa: BLE001 - shown as Python shows it, never lost
            # words, not the exception: its traceback holds the thread's frames and every
            # local in them, which Python lets go once the thread has said its error; kept
            # on the thread, they would live to the end of the run
            thread.error = exception_words(exc)
            if self.stopping:
                # a Stop's exception arrives between any two instructions, also halfway through
                # a lock's release: what fails then is the Stop's doing. Kept (the report says
                # it), not printed as the program's own traceback.
                thread.stopped = True
                return
            self.thread_failed(thread, exc)

    def leave_program(self, thread: primitives.Thread) -> None:
        """The thread stops running the program's code: no Stop is raised in it any more
        (one still on its way is taken back), whatever arrives meanwhile."""
        while True:
            try:
                with self._guard:
                    thread._in_program = False
                    # only a thread sent one can have one on its way. (Taking back "none"
                    # still signals every thread to look for one, for good: under a trace
                    # function CPython 3.11 then loops at the next function's first instruction.)
                    if thread.ident is not None and getattr(thread, "_stop_sent", False):
                        raise_in_thread(thread.ident, None)
                return
            except RunStopped:
                continue  # it arrived before we could take it back: that is all

    def thread_failed(self, thread: threading.Thread, exc: BaseException) -> None:
        hook = self.threading.excepthook
        if hook is not threading.__excepthook__:
            try:
                hook(threading.ExceptHookArgs((type(exc), exc, exc.__traceback__, thread)))
                return
            except Exception as hook_error:  # noqa: BLE001 - as threading does
                exc = hook_error
        self.write_error(f"Exception in thread {thread.name}:\n{format_exception(exc, self.program_files)}")

    def write_error(self, text: str) -> None:
        """Write ``text`` to the program's stderr, as Python writes a traceback."""
        self.output.note(text, "stderr")
        try:
            self.output.stderr.write(text)
            self.output.stderr.flush()
        except (OSError, ValueError):
            pass


def _copy_of(real: types.ModuleType) -> types.ModuleType:
    """A new module with every name of ``real`` (its ``__all__`` too, so that ``from
    queue import *`` brings in what it always does), to be given instrumented parts."""
    module = types.ModuleType(real.__name__, real.__doc__)
    keep = {"__all__"}
    module.__dict__.update({k: v for k, v in vars(real).items() if not k.startswith("__") or k in keep})
    return module


def exception_words(exc: BaseException) -> str:
    """``repr(exc)``; its type's name if the program's ``__repr__`` fails (what failed in
    the thread must still be said)."""
    try:
        return repr(exc)
    except Exception:  # noqa: BLE001 - the program's own code
        return f"{type(exc).__name__}(<repr failed>)"


def format_exception(exc: BaseException, program_files: set[str]) -> str:
    """A traceback as Python prints it, keeping the frames of the program's own files."""
    import traceback

    frames = traceback.extract_tb(exc.__traceback__)
    kept = [f for f in frames if f.filename in program_files] or list(frames[-1:])
    lines = ["Traceback (most recent call last):\n"] + traceback.format_list(kept)
    lines += traceback.format_exception_only(type(exc), exc)
    return "".join(lines)
