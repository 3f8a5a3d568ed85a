"""What the ``kiosk`` command and every command group (core, ops, privacy, plugins) share.

Kept apart from :mod:`kiosk.cli` so that the groups registered by ``kiosk.cli`` can import these without
importing ``kiosk.cli`` back (no import circle); plugins reach them through :mod:`kiosk.api.cli`.
"""

from __future__ import annotations

import getpass
import json
import os
from dataclasses import dataclass, field

import click

from kiosk.config import Settings, load_settings
from kiosk.context import KioskContext, build_context
from kiosk.pluginhost import PluginHost


class UserError(click.ClickException):
    """A mistake in what the user asked for: one line, exit code 2."""

    exit_code = 2


@dataclass
class CliState:
    """What sub-commands share; the context (database, migrations) is built on first use only."""

    host: PluginHost
    _settings: Settings | None = None
    _ctx: KioskContext | None = None
    extra: dict = field(default_factory=dict)

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings()
        return self._settings

    @property
    def ctx(self) -> KioskContext:
        if self._ctx is None:
            self._ctx = build_context(self.settings, self.host)
        return self._ctx


def _who() -> str:
    """The actor of a CLI action in audit entries and histories: the operating-system user running it.

    Taken from the process's user id, not from ``$USER`` (anyone can set that to another name); under
    sudo the invoking user is added for the record, e.g. ``cli:kiosk(sudo:wang)``.
    """
    try:
        import pwd

        name = pwd.getpwuid(os.getuid()).pw_name
    except (ImportError, KeyError):
        name = getpass.getuser() or "unknown"
    sudo = os.environ.get("SUDO_USER", "").strip()
    return f"cli:{name}" + (f"(sudo:{sudo[:24]})" if sudo and sudo != name else "")


STAFF_PASSWORD_ENV = "KIOSK_STAFF_PASSWORD"


def staff_by(state: CliState, by: str | None, *, approval: bool = False) -> str:
    """Whom a CLI action is signed as: ``--by USER`` only if USER is an active staff login.

    Why: anyone with a shell could otherwise sign as anybody, e.g. approve a notice as "another"
    administrator. An approval (where a second person is the point) also needs that login's
    password, prompted for or, for scripts, from ``$KIOSK_STAFF_PASSWORD``. Without ``--by`` (where
    allowed) the action is signed by the operating-system user (:func:`_who`).
    """
    from kiosk.staff import verify_actor

    if not (by and by.strip()):
        if approval:
            raise UserError("--by USER is required: the staff login that approves")
        return _who()
    password = None
    if approval:
        password = os.environ.get(STAFF_PASSWORD_ENV)
        if password is None:
            password = click.prompt(f"password of staff login {by.strip()}", hide_input=True, err=True)
    with state.ctx.sessions() as session:  # a wrong login is a Refusal: main() prints it, exit code 2
        return verify_actor(session, by, password).username


def emit(data, as_json: bool, human) -> None:
    """What a command answers: ``data`` as one JSON line with ``--json``, else for people, where ``human`` is
    the line to print or a function that prints ``data`` (every command's and plugin's output goes through here)."""
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=None, default=str))
    elif callable(human):
        human(data)
    else:
        click.echo(human)


#: The public name of :func:`_who` (plugins use ``kiosk.api.cli.who``).
who = _who
