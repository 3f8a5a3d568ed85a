"""kiosk: the self-service lobby terminal of a community service center.

Plugin authors import :data:`hookimpl` from here to mark their hook implementations::

    from kiosk import hookimpl

    @hookimpl
    def kiosk_plugin_info():
        ...
"""

from importlib import metadata as _metadata

import pluggy

PROJECT_NAME = "kiosk"

hookimpl = pluggy.HookimplMarker(PROJECT_NAME)
hookspec = pluggy.HookspecMarker(PROJECT_NAME)

try:
    __version__ = _metadata.version(PROJECT_NAME)
except _metadata.PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.1.0"

__all__ = ["hookimpl", "hookspec", "__version__", "PROJECT_NAME"]
