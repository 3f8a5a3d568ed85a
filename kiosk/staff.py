"""Staff logins: create, update, authenticate. Passwords are stored with scrypt (kiosk.security)."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.models import StaffUser
from kiosk.security import hash_secret, verify_secret

USERNAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{1,31}$")
ROLES = ("admin", "staff")
_DUMMY_HASH = hash_secret("timing-equaliser")


class StaffError(ValueError):
    pass


def set_user(session: Session, username: str, password: str, role: str = "staff", display_name: str = "") -> StaffUser:
    if not USERNAME.match(username):
        raise StaffError("a username is 2–32 lowercase letters, digits, '.', '_' or '-'")
    if role not in ROLES:
        raise StaffError(f"role must be one of {', '.join(ROLES)}")
    if len(password) < 8:
        raise StaffError("a password needs at least 8 characters")
    user = session.scalar(select(StaffUser).where(StaffUser.username == username))
    if user is None:
        user = StaffUser(username=username)
        session.add(user)
    user.password_hash = hash_secret(password)
    user.role = role
    user.display_name = display_name.strip()[:64] or username
    user.active = True
    session.flush()
    return user


def ensure_user(session: Session, username: str, password: str, role: str, display_name: str) -> StaffUser:
    """Create the login if it does not exist; leave an existing one (and its changed password) alone."""
    user = session.scalar(select(StaffUser).where(StaffUser.username == username))
    return user or set_user(session, username, password, role, display_name)


def authenticate(session: Session, username: str, password: str) -> StaffUser | None:
    user = session.scalar(select(StaffUser).where(StaffUser.username == username))
    if user is None or not user.active:
        verify_secret(password, _DUMMY_HASH)  # same work whether or not the user exists
        return None
    return user if verify_secret(password, user.password_hash) else None
