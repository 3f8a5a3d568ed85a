"""The web host as an ASGI factory, for ``kiosk serve --workers N``.

Why: uvicorn starts several worker processes only from an import string, so each worker builds its
own context (settings, engine, plugins) here and beats as its own ``web`` terminal row. The parent
(``kiosk serve``) has already migrated the database, so the workers find it current.
"""

from __future__ import annotations

import os

from kiosk.context import build_context
from kiosk.heartbeat import Heartbeat
from kiosk.web.app import create_app


def create():
    ctx = build_context()
    Heartbeat(ctx, "web").start()  # a daemon thread: it ends with the worker
    app = create_app(ctx)
    app.state.worker_pid = os.getpid()
    return app
