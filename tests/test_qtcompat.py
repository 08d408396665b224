"""What differs between the Qt bindings, and a guard against one binding's lost references."""

import sys

from pyqtgraph.Qt import QT_LIB

from app.gui import qtcompat


def test_a_binding_that_loses_references_to_none_has_them_raised_out_of_reach():
    from conftest import SINGLETONS_LEAKED

    found_now = qtcompat.leaked_singletons()
    assert found_now == SINGLETONS_LEAKED  # (the same binding, the same finding as at the start)
    if found_now:  # (PySide6 6.12.0 on Python 3.10 or 3.11)
        assert QT_LIB == "PySide6" and sys.version_info < (3, 12)
        assert sys.getrefcount(None) > qtcompat.SINGLETON_RESERVE // 2
    else:
        assert sys.getrefcount(None) < qtcompat.SINGLETON_RESERVE // 2 or sys.version_info >= (3, 12)
