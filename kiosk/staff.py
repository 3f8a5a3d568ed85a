"""Staff logins: create, change a password, deactivate, authenticate. Passwords are stored with scrypt
(kiosk.security).

Every change that must end the user's sessions (a new password, deactivation, logging out) bumps
``StaffUser.session_gen``; the web session carries the generation it was issued with (kiosk.web.auth).

The demo logins (``kiosk demo-data``) are published in the README, so they are created with
``must_change_password`` set, and :func:`demo_logins_in_use` tells ``kiosk doctor`` which still work.
"""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.clock import utcnow
from kiosk.models import StaffUser
from kiosk.refusal import Refusal
from kiosk.security import hash_secret, verify_secret

USERNAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{1,31}$")
ROLES = ("admin", "staff")
PASSWORD_MIN = 10
PASSWORD_MAX = 128
_DUMMY_HASH = hash_secret("timing-equaliser")

#: (username, display name, role, password): the README's demo logins, loaded by ``kiosk demo-data``.
DEMO_STAFF = (("admin", "管理员", "admin", "huaxin-admin"), ("clerk", "窗口工作人员", "staff", "huaxin-staff"))
#: Passwords nobody may choose: the published demo ones and the first guesses of anyone trying.
_REFUSED = {p for *_x, p in DEMO_STAFF} | {"huaxin-admin", "huaxin-staff", "password", "password1", "password123",
                                           "1234567890", "0123456789", "12345678910", "qwertyuiop", "admin12345",
                                           "kiosk12345", "huaxin1234"}


class StaffError(Refusal, ValueError):
    """A refused staff-account request, in both languages (``str()`` is the English text for the CLI)."""

    def __init__(self, zh: str, en: str, field: str = ""):
        super().__init__("staff_refused", zh, en, field=field)


def password_problem(password: str, username: str = "") -> StaffError | None:
    """Why ``password`` is refused, or None. Long enough, not all digits or all letters, not the username, not a published or common one."""
    if len(password) < PASSWORD_MIN:
        return StaffError(f"密码至少需要 {PASSWORD_MIN} 个字符", f"a password needs at least {PASSWORD_MIN} characters", "password")
    if len(password) > PASSWORD_MAX:
        return StaffError(f"密码不能超过 {PASSWORD_MAX} 个字符", f"a password has at most {PASSWORD_MAX} characters", "password")
    if any(not ch.isprintable() for ch in password):
        return StaffError("密码不能包含控制字符", "a password cannot contain control characters", "password")
    if password.isdigit() or password.isalpha():
        return StaffError("密码不能只有数字或只有字母，请混合使用字母、数字或符号",
                          "a password cannot be only digits or only letters: mix letters, digits or symbols", "password")
    if len(set(password)) < 4:
        return StaffError("密码中不同的字符太少", "a password needs more different characters", "password")
    lowered = password.lower()
    if lowered in _REFUSED:
        return StaffError("这个密码是公开的演示密码或常见密码，不能使用", "this is a published demo password or a common one", "password")
    if username and lowered in (username.lower(), username.lower()[::-1]):
        return StaffError("密码不能与用户名相同", "a password cannot be the username", "password")
    return None


def check_username(username: str) -> None:
    if not USERNAME.match(username or ""):
        raise StaffError("用户名为 2–32 个小写字母、数字或 . _ -，以字母或数字开头",
                         "a username is 2–32 lowercase letters, digits, '.', '_' or '-'", "username")


def find(session: Session, username: str) -> StaffUser | None:
    """The login named ``username``. A name with a control character is no login's (``check_username`` refuses
    them) and is not sent to the database: PostgreSQL rejects a NUL in a query, which read as an outage (503)."""
    if not username.isprintable():
        return None
    return session.scalar(select(StaffUser).where(StaffUser.username == username))


def set_user(session: Session, username: str, password: str, role: str = "staff", display_name: str = "",
             must_change: bool = False) -> StaffUser:
    """Create a login or replace an existing one's password, role and name (it is active afterwards)."""
    check_username(username)
    if role not in ROLES:
        raise StaffError("角色只能是 admin 或 staff", f"role must be one of {', '.join(ROLES)}", "role")
    problem = password_problem(password, username)
    if problem:
        raise problem
    user = find(session, username)
    if user is None:
        user = StaffUser(username=username, session_gen=0)
        session.add(user)
    user.role = role
    shown = "".join(ch if ch.isprintable() else " " for ch in display_name or "")  # no NUL for PostgreSQL, no line breaks
    user.display_name = " ".join(shown.split())[:64] or username
    user.active = True
    _store_password(user, password, must_change)
    session.flush()
    return user


def _store_password(user: StaffUser, password: str, must_change: bool) -> None:
    user.password_hash = hash_secret(password)
    user.must_change_password = must_change
    user.password_changed_at = utcnow()
    end_sessions(user)


def end_sessions(user: StaffUser) -> None:
    """Every session cookie this user holds (and every copy of it) stops working."""
    user.session_gen = (user.session_gen or 0) + 1


def ensure_user(session: Session, username: str, password: str, role: str, display_name: str,
                must_change: bool = False) -> StaffUser:
    """Create the login if it does not exist; leave an existing one (and its changed password) alone.

    No password rules here: this is how the demo logins with their published passwords are made.
    """
    user = find(session, username)
    if user is not None:
        return user
    user = StaffUser(username=username, password_hash=hash_secret(password), role=role, active=True,
                     display_name=display_name.strip()[:64] or username, session_gen=0, must_change_password=must_change)
    session.add(user)
    session.flush()
    return user


def change_password(session: Session, username: str, new_password: str, *, current: str | None = None,
                    must_change: bool = False) -> StaffUser:
    """Set a new password. With ``current`` (a user changing their own) the old one must be right.

    ``must_change`` is for an administrator's reset: the user then picks their own at next login.
    """
    user = find(session, username)
    if user is None or not user.active:
        raise StaffError("没有这个在用的账号", f"no active staff login {username!r}", "username")
    if current is not None and not verify_secret(current, user.password_hash):
        raise StaffError("当前密码不正确", "the current password is wrong", "current")
    problem = password_problem(new_password, username)
    if problem:
        raise problem
    if verify_secret(new_password, user.password_hash):
        raise StaffError("新密码不能与原密码相同", "the new password must differ from the old one", "password")
    _store_password(user, new_password, must_change)
    session.flush()
    return user


def deactivate(session: Session, username: str) -> StaffUser:
    """Switch a login off (kept as history, so the audit log's names still mean someone) and end its sessions."""
    user = find(session, username)
    if user is None:
        raise StaffError("没有这个账号", f"no staff login {username!r}", "username")
    if user.role == "admin" and user.active and active_admins(session) <= 1:
        raise StaffError("这是最后一个在用的管理员账号，不能停用，请先新增另一位管理员",
                         "this is the last active administrator: add another one first", "username")
    user.active = False
    end_sessions(user)
    session.flush()
    return user


def active_admins(session: Session) -> int:
    return len(list(session.scalars(select(StaffUser.id).where(StaffUser.role == "admin", StaffUser.active.is_(True)))))


def authenticate(session: Session, username: str, password: str) -> StaffUser | None:
    user = find(session, username)
    if user is None or not user.active:
        verify_secret(password, _DUMMY_HASH)  # same work whether or not the user exists
        return None
    return user if verify_secret(password, user.password_hash) else None


def is_demo_password(username: str, password: str) -> bool:
    return any(username == u and password == p for u, _d, _r, p in DEMO_STAFF)


def demo_logins_in_use(session: Session) -> list[str]:
    """The demo logins that are active and still accept their published password."""
    demo = {u: p for u, _d, _r, p in DEMO_STAFF}
    # Only columns every schema version has, so `kiosk doctor` can ask before the last migration ran.
    rows = session.execute(select(StaffUser.username, StaffUser.password_hash, StaffUser.active)
                           .where(StaffUser.username.in_(demo)).order_by(StaffUser.username))
    return [u for u, hashed, active in rows if active and verify_secret(demo[u], hashed)]


def verify_actor(session: Session, username: str, password: str | None) -> StaffUser:
    """The active login ``username`` (for the CLI's ``--by``), checking its password unless ``password`` is None."""
    user = find(session, (username or "").strip().lower())
    if user is None or not user.active:
        raise StaffError(f"--by 必须是在用的工作人员账号（{username}）", f"--by must name an active staff login, not {username!r}", "by")
    if password is not None and not verify_secret(password, user.password_hash):
        raise StaffError(f"账号 {user.username} 的密码不正确", f"wrong password for staff login {user.username!r}", "password")
    return user
