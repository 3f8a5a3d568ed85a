"""CLI helpers for a plugin's commands (``kiosk_cli_commands``).

``UserError`` is a mistake in what was asked (one line on stderr, exit code 2); ``who()`` is the actor
of an action taken from a shell (the operating-system user, never ``$USER``); ``staff_by(state, by)``
signs an action as a staff login only when it is one (with its password for approvals); ``emit``
prints ``--json`` or human output; the click object passed with ``@click.pass_obj`` is a ``CliState``
(``state.ctx`` is the :class:`~kiosk.api.KioskContext`).
"""

from __future__ import annotations

from kiosk.cli_support import CliState, UserError, emit, staff_by, who

__all__ = ["UserError", "who", "staff_by", "emit", "CliState"]
