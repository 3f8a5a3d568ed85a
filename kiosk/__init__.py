"""kiosk: the self-service lobby terminal of a community service center.

Plugin authors import :data:`hookimpl` (and everything else of the core they use) from :mod:`kiosk.api`::

    from kiosk.api import hookimpl

    @hookimpl
    def kiosk_plugin_info():
        ...
"""

import pluggy

PROJECT_NAME = "kiosk"

hookimpl = pluggy.HookimplMarker(PROJECT_NAME)
hookspec = pluggy.HookspecMarker(PROJECT_NAME)

#: The one place the version is written (pyproject.toml reads it from here): no metadata scan at start-up.
__version__ = "0.1.0"

__all__ = ["hookimpl", "hookspec", "__version__", "PROJECT_NAME"]
