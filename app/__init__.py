"""threadlab: watch real Python threads run, share data, take locks and freeze a window.

The package has two layers:

* :mod:`app.core` owns the threads, the shared array, the Lock, the Events and the
  measurements. It imports no Qt, so the command line and the tests use it directly.
* :mod:`app.gui` is a thin Qt layer that wires buttons to the core and draws what the
  core holds, on the GUI thread, at display rate.
"""

__version__ = "0.1.0"
