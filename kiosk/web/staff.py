"""The staff area: a dashboard (plugin links, plugin errors, printer) and, for admins, the table of
which plugin is on in which season.

Switching a plugin here writes the same override rows as ``kiosk plugins enable/disable``, signed
``web:<username>`` so the table can say who changed what.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse

from kiosk.i18n import N_
from kiosk.printing import printer_status
from kiosk.seasons import UnknownSeason, enablement, overrides, set_enabled
from kiosk.types import StaffLink
from kiosk.web.auth import StaffIdentity, client_ip, require_admin, require_staff
from kiosk.web.templating import gettext_for, lang_url, message, render, request_lang

router = APIRouter()

PRINTER_STATES = {
    "online": N_("Ready"),
    "offline": N_("Not answering"),
    "paper-out": N_("Out of paper"),
    "disabled": N_("No printer configured"),
    "unknown": N_("Unknown"),
}
ROLES = {"admin": N_("Administrator"), "staff": N_("Staff")}
TRUE_WORDS, FALSE_WORDS = {"1", "true", "on", "yes"}, {"0", "false", "off", "no"}


def staff_links(request: Request, user: StaffIdentity) -> list[dict[str, str]]:
    """Navigation: the core's pages plus every plugin's ``kiosk_staff_links`` (admin-only ones hidden)."""
    ctx, lang = request.app.state.ctx, request_lang(request)
    _ = gettext_for(request)
    links = [{"title": _("Plugins and seasons"), "href": lang_url(lang, "/staff/plugins")}] if user.is_admin else []
    if user.is_admin:
        links.append({"title": _("Staff accounts"), "href": lang_url(lang, "/staff/accounts")})
        links.append({"title": _("Audit log"), "href": lang_url(lang, "/staff/audit")})
    links.append({"title": _("Change your password"), "href": lang_url(lang, "/staff/password")})
    links.append({"title": _("Help requests"), "href": lang_url(lang, "/staff/help")})
    links.append({"title": _("Terminals"), "href": lang_url(lang, "/staff/terminals")})
    if user.is_admin:
        links.append({"title": "Personal data" if lang == "en" else "个人信息查询与删除", "href": lang_url(lang, "/staff/privacy")})
    for plugin, result in ctx.host.call("kiosk_staff_links", ctx=ctx):
        for link in result if isinstance(result, (list, tuple)) else [result]:
            if not isinstance(link, StaffLink) or not link.path.startswith("/") or link.path.startswith("//"):
                ctx.host.record_error(plugin, "kiosk_staff_links", f"not a StaffLink with a local path: {link!r}")
                continue
            if link.admin_only and not user.is_admin:
                continue
            title = link.title_en if lang == "en" and link.title_en else link.title
            links.append({"title": title, "href": lang_url(lang, link.path)})
    return links


@router.get("/staff")
def dashboard(request: Request, user: StaffIdentity = Depends(require_staff)):
    ctx = request.app.state.ctx
    _ = gettext_for(request)
    state, detail = printer_status(ctx.settings)
    return render(
        request,
        "staff_dashboard.html",
        title=_("Staff area"),
        role=_(ROLES.get(user.role, user.role)),
        links=staff_links(request, user),
        errors=sorted(ctx.last_errors().items()),
        printer_state=state,
        printer_label=_(PRINTER_STATES.get(state, PRINTER_STATES["unknown"])),
        printer_detail=detail,
        enabled=[plugin_title(request, name) for name in ctx.enabled_plugins()],
        flash=request.session.pop("flash", ""),
        refresh=30,  # the help-request banner appears without anyone reloading
    )


def plugin_title(request: Request, name: str) -> str:
    info = request.app.state.ctx.host.info(name)
    return (info.title_en or info.title) if request_lang(request) == "en" else info.title


@router.get("/staff/plugins")
def plugins_page(request: Request, user: StaffIdentity = Depends(require_admin)):
    ctx, lang = request.app.state.ctx, request_lang(request)
    _ = gettext_for(request)
    with ctx.sessions() as session:
        snap = enablement(session, ctx.settings)
        latest = overrides(session)
    today = ctx.today()
    seasons = [
        {"name": s.name, "title": s.title_en if lang == "en" else s.title, "current": s.contains(today), "cfg": s}
        for s in ctx.settings.seasons
    ]
    rows = []
    for name in ctx.host.plugins:
        cells = []
        for s in seasons:
            row = latest.get((s["name"], name))
            changed = ""
            if row is not None:
                when = row.changed_at.astimezone(ctx.settings.tz).strftime("%Y-%m-%d %H:%M")
                changed = _("{who}, {when}").format(who=row.changed_by, when=when)
            cells.append({"season": s["name"], "enabled": snap.in_season(s["cfg"], name), "changed": changed})
        rows.append({"name": name, "title": plugin_title(request, name), "cells": cells})
    return render(
        request,
        "staff_plugins.html",
        title=_("Plugins and seasons"),
        seasons=seasons,
        current=[s["title"] for s in seasons if s["current"]],
        rows=rows,
        flash=request.session.pop("flash", ""),
    )


@router.post("/staff/plugins")
def plugins_toggle(
    request: Request,
    plugin: str = Form(""),
    season: str = Form(""),
    enabled: str = Form(""),
    user: StaffIdentity = Depends(require_admin),
):
    ctx = request.app.state.ctx
    _ = gettext_for(request)
    flag = enabled.strip().lower()
    if plugin not in ctx.host.plugins:
        text = _("There is no installed plugin named “{name}”.").format(name=plugin)
        return message(request, _("Unknown plugin"), text, 400)
    if ctx.settings.season(season) is None:
        return message(request, _("Unknown season"), _("There is no season named “{name}”.").format(name=season), 400)
    if flag not in TRUE_WORDS | FALSE_WORDS:
        return message(request, _("Invalid request"), _("Choose whether to switch the plugin on or off."), 400)
    on = flag in TRUE_WORDS
    try:
        with ctx.transaction() as session:
            set_enabled(session, ctx.settings, plugin, on, by=f"web:{user.username}", day=ctx.today(), season=season,
                        ip=client_ip(request))
    except UnknownSeason:
        return message(request, _("Unknown season"), _("There is no season named “{name}”.").format(name=season), 400)
    text = _("{plugin} switched on for {season}.") if on else _("{plugin} switched off for {season}.")
    cfg = ctx.settings.season(season)
    request.session["flash"] = text.format(
        plugin=plugin_title(request, plugin), season=cfg.title_en if request_lang(request) == "en" else cfg.title
    )
    return RedirectResponse(lang_url(request_lang(request), "/staff/plugins"), status_code=303)



TERMINAL_ROLES = {"kiosk": N_("Kiosk"), "display": N_("Hall display"), "web": N_("Web host")}


def _ago(_, seconds: int) -> str:
    if seconds < 120:
        return _("{n} s ago").format(n=seconds)
    if seconds < 7200:
        return _("{n} min ago").format(n=seconds // 60)
    if seconds < 2 * 86400:
        return _("{n} h ago").format(n=seconds // 3600)
    return _("{n} days ago").format(n=seconds // 86400)


@router.get("/staff/terminals")
def terminals_page(request: Request, user: StaffIdentity = Depends(require_staff)):
    """Every terminal's last heartbeat; the ones that stopped reporting first, in red."""
    from kiosk.heartbeat import STALE_BEATS, terminals

    ctx = request.app.state.ctx
    _ = gettext_for(request)
    tz = ctx.settings.tz
    rows = []
    for t in terminals(ctx):
        rows.append({
            "terminal": t.terminal,
            "hostname": t.hostname if t.hostname != t.terminal else "",
            "role": _(TERMINAL_ROLES[t.role]) if t.role in TERMINAL_ROLES else t.role,
            "version": t.version,
            "stale": t.stale,
            "last_beat": t.last_beat.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S"),
            "ago": _ago(_, t.age_seconds),
            "printer_state": t.printer_state or "unknown",
            "printer": _(PRINTER_STATES.get(t.printer_state, PRINTER_STATES["unknown"])),
            "printer_detail": t.printer_detail if t.printer_state in ("offline", "unknown") else "",
            "error": t.last_error,
            "error_at": t.last_error_at.astimezone(tz).strftime("%Y-%m-%d %H:%M") if t.last_error_at else "",
        })
    return render(
        request,
        "staff_terminals.html",
        title=_("Terminals"),
        rows=rows,
        stale=sum(r["stale"] for r in rows),
        beats=STALE_BEATS,
        refresh=30,
    )
