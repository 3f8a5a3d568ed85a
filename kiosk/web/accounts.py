"""Staff accounts on the web: every user changes their own password; administrators list, add,
deactivate and reset logins.

Why a reset sets ``must_change_password``: the administrator then knows the user's password, and the
audit log would name the user for what the administrator did. Each change bumps the user's session
generation (kiosk.staff), so it ends that user's sessions everywhere, and is audited in the same
transaction. A refused form keeps what was typed, except passwords (never echoed back into a page).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import select

from kiosk import audit
from kiosk.models import StaffUser
from kiosk.staff import ROLES, StaffError, change_password, deactivate, find, set_user
from kiosk.web.auth import StaffIdentity, client_ip, log_in, require_admin, require_staff
from kiosk.web.staff import ROLES as ROLE_TITLES
from kiosk.web.templating import gettext_for, lang_url, render, request_lang, text_for

router = APIRouter()


def _refusal(request: Request, exc: StaffError) -> str:
    return text_for(request, exc.zh, exc.en)


# -- one's own password --------------------------------------------------------------------------
@router.get("/staff/password")
def password_form(request: Request, user: StaffIdentity = Depends(require_staff)):
    return _password_page(request, user, "", 200)


def _password_page(request: Request, user: StaffIdentity, error: str, status_code: int):
    _ = gettext_for(request)
    return render(request, "staff_password.html", status_code, title=_("Change your password"), error=error,
                  forced=user.must_change, flash=request.session.pop("flash", ""))


@router.post("/staff/password")
def password_submit(request: Request, current: str = Form(""), password: str = Form(""), confirm: str = Form(""),
                    user: StaffIdentity = Depends(require_staff)):
    _ = gettext_for(request)
    if password != confirm:
        return _password_page(request, user, _("The two new passwords are not the same."), 400)
    ctx = request.app.state.ctx
    try:
        with ctx.transaction() as session:
            row = change_password(session, user.username, password, current=current)
            audit.record(session, f"web:{user.username}", "staff.password", f"staff:{user.username}", {"by": "self"},
                         client_ip(request))
            log_in(request, row)  # this browser stays logged in with the new generation; all others end
    except StaffError as exc:
        return _password_page(request, user, _refusal(request, exc), 400)
    request.session["flash"] = _("Your password has been changed. Other sessions of yours have ended.")
    return RedirectResponse(lang_url(request_lang(request), "/staff"), status_code=303)


# -- administrators: every login -----------------------------------------------------------------
def _accounts_page(request: Request, error: str = "", status_code: int = 200, keep: dict | None = None):
    _ = gettext_for(request)
    ctx = request.app.state.ctx
    tz = ctx.settings.tz
    with ctx.sessions() as session:
        rows = [{"username": u.username, "name": u.display_name, "role": _(ROLE_TITLES.get(u.role, u.role)),
                 "active": u.active, "must_change": u.must_change_password,
                 "changed": u.password_changed_at.astimezone(tz).strftime("%Y-%m-%d %H:%M") if u.password_changed_at else ""}
                for u in session.scalars(select(StaffUser).order_by(StaffUser.active.desc(), StaffUser.username))]
    roles = [(r, _(ROLE_TITLES[r])) for r in ROLES]
    return render(request, "staff_accounts.html", status_code, title=_("Staff accounts"), rows=rows, roles=roles,
                  error=error, keep=keep or {"username": "", "name": "", "role": "staff"},
                  flash=request.session.pop("flash", ""))


@router.get("/staff/accounts")
def accounts_page(request: Request, user: StaffIdentity = Depends(require_admin)):
    return _accounts_page(request)


def _done(request: Request, text: str) -> RedirectResponse:
    request.session["flash"] = text
    return RedirectResponse(lang_url(request_lang(request), "/staff/accounts"), status_code=303)


@router.post("/staff/accounts/new")
def account_add(request: Request, username: str = Form(""), name: str = Form(""), role: str = Form("staff"),
                password: str = Form(""), user: StaffIdentity = Depends(require_admin)):
    _ = gettext_for(request)
    keep = {"username": username[:64], "name": name[:64], "role": role if role in ROLES else "staff"}
    username = username.strip().lower()
    try:
        with request.app.state.ctx.transaction() as session:
            if find(session, username) is not None:
                raise StaffError("这个用户名已经有人使用", "this username is taken", "username")
            set_user(session, username, password, role=role, display_name=name, must_change=True)
            audit.record(session, f"web:{user.username}", "staff.add", f"staff:{username}", {"role": role},
                         client_ip(request))
    except StaffError as exc:
        return _accounts_page(request, _refusal(request, exc), 400, keep)
    return _done(request, _("Login {name} added. Give them the password: they must change it when they first log in.").format(name=username))


@router.post("/staff/accounts/{username}/deactivate")
def account_deactivate(request: Request, username: str, user: StaffIdentity = Depends(require_admin)):
    _ = gettext_for(request)
    try:
        with request.app.state.ctx.transaction() as session:
            row = find(session, username)
            if row is None:
                raise StaffError("没有这个账号", "no such login", "username")
            if row.username == user.username:
                raise StaffError("不能停用自己正在使用的账号", "you cannot deactivate your own login", "username")
            deactivate(session, username)
            audit.record(session, f"web:{user.username}", "staff.deactivate", f"staff:{username}", ip=client_ip(request))
    except StaffError as exc:
        return _accounts_page(request, _refusal(request, exc), 400)
    return _done(request, _("Login {name} deactivated; its sessions have ended.").format(name=username))


@router.post("/staff/accounts/{username}/password")
def account_reset(request: Request, username: str, password: str = Form(""), user: StaffIdentity = Depends(require_admin)):
    _ = gettext_for(request)
    try:
        if username == user.username:
            raise StaffError("自己的密码请在“修改密码”页面修改", "change your own password on the “Change password” page", "username")
        with request.app.state.ctx.transaction() as session:
            change_password(session, username, password, must_change=True)
            audit.record(session, f"web:{user.username}", "staff.password", f"staff:{username}", {"by": "admin"},
                         client_ip(request))
    except StaffError as exc:
        return _accounts_page(request, _refusal(request, exc), 400)
    return _done(request, _("New password set for {name}: they must change it when they next log in.").format(name=username))
