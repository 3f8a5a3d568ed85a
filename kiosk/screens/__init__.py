"""The touch shell's screens: home, receipt, staff PIN pad and admin, overlays, shared widgets.

One ``.kv`` file per screen beside its ``.py``. Screens are thin: they call the context's services and
show the result; they never open database sessions outside ``ctx.transaction()``. This package's
``__init__`` imports nothing, so ``kiosk.screens.text`` and ``kiosk.screens.api`` stay free of Kivy.
"""
