"""The Qt layer: a thin window over :mod:`app.core`. Qt is imported through ``pyqtgraph.Qt``."""
