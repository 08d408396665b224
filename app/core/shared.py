"""The shared state every worker sees: one numpy array and the Lock that guards it."""

from __future__ import annotations

import numpy as np

from .params import ARRAY_SIZE, check_fits_in_memory, check_int
from .primitives import Lock
from .recorder import Recorder

START_VALUE = 1.0


class SharedArray:
    """A float64 array shared by the workers and the display, with its Lock.

    ``use_lock`` says whether the mutators hold :attr:`lock` around each pass
    over the array. It is read by the workers at the start of every pass, so
    flipping it takes effect on the next pass.

    The display reads :attr:`data` *without* the lock, on purpose (and
    :meth:`snapshot` copies it the same way): the display must never wait for a
    worker, and a half-finished pass is exactly what a learner should be able to
    see when the lock is off.

    The lock is an instrumented :class:`~app.core.primitives.Lock`: its holds and
    waits go to :attr:`recorder`, which the window's thread lanes read.
    """

    def __init__(self, size: int = int(ARRAY_SIZE.default), *, use_lock: bool = True,
                 recorder: Recorder | None = None) -> None:
        self.recorder = recorder if recorder is not None else Recorder()
        self.lock = Lock("shared array lock", recorder=self.recorder)
        self.use_lock = use_lock
        self.data = self._allocate(size)

    @staticmethod
    def _allocate(size: int) -> np.ndarray:
        size = check_int(ARRAY_SIZE, size)
        check_fits_in_memory(size * 8 * 2, f"an array of {size} elements")
        try:
            return np.full(size, START_VALUE, dtype=np.float64)
        except MemoryError as exc:  # the OS refused after all
            raise ValueError(f"no memory for an array of {size} elements") from exc

    @property
    def size(self) -> int:
        """Number of elements."""
        return int(self.data.size)

    def reset(self, size: int | None = None) -> None:
        """Refill with the start value; with ``size``, replace by a new array.

        Call only while no worker runs (the :class:`~app.core.lab.Lab` enforces it).
        """
        if size is None or size == self.size:
            self.data.fill(START_VALUE)
        else:
            self.data = self._allocate(size)

    def snapshot(self) -> np.ndarray:
        """Return a copy of the array for display (lock-free, see the class docstring)."""
        return self.data.copy()
