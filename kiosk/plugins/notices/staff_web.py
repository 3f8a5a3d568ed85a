"""The staff pages of the notices: list, write, preview as the kiosk shows it, publish, withdraw, approve,
and the history of every notice.

Every form carries the session's CSRF field; every action goes through :mod:`.service` exactly as the
CLI does, signed with the staff member's username (the history says who). Approval buttons are shown
to administrators only, and the service checks the role and the "not the author" rule again.
"""

from __future__ import annotations

import difflib
from datetime import timezone

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse

from kiosk.api import KioskContext
from kiosk.api.web import (
    client_ip, link as url, message, PathId, render_plugin, request_lang, require_staff, StaffIdentity, text_for as t,
)

from . import boards, images, markup, service
from .models import Notice
from .service import NoticeError
from .web import PLUGIN, STYLES

STATE_NAMES = {
    "draft": ("草稿", "Draft"), "pending": ("待审核", "Awaiting approval"), "published": ("已发布", "Published"),
    "withdrawn": ("已撤下", "Withdrawn"), "showing": ("正在显示", "Showing now"), "scheduled": ("未到开始时间", "Scheduled"),
    "ended": ("已到期", "Ended"), "off_season": ("不在所选季节", "Out of season"),
}
ACTION_NAMES = {
    "create": ("创建", "Created"), "edit": ("修改", "Edited"), "publish": ("发布", "Published"), "submit": ("提交审核", "Submitted"),
    "approve": ("审核通过", "Approved"), "withdraw": ("撤下", "Withdrawn"), "image": ("更换图片", "Picture changed"),
}
FIELD_NAMES = {
    "board": ("栏目", "Board"), "title": ("标题", "Title"), "body": ("正文", "Body"), "start_at": ("开始", "Start"),
    "end_at": ("结束", "End"), "pinned": ("置顶", "Pinned"), "urgent": ("紧急", "Urgent"), "season": ("季节", "Season"),
    "state": ("状态", "State"), "approved_by": ("审核人", "Approved by"), "image": ("图片", "Picture"),
}


def name_of(request: Request, table: dict, key: str) -> str:
    zh, en = table.get(key, (key, key))
    return t(request, zh, en)


def _season_title(request: Request, ctx: KioskContext, name: str | None) -> str:
    season = ctx.settings.season(name) if name else None
    if season is None:
        return name or ""
    return t(request, season.title, season.title_en or season.title)


def _local(ctx: KioskContext, value) -> str:
    return value.astimezone(ctx.settings.tz).strftime("%Y-%m-%dT%H:%M") if value else ""


# -- what the templates show (templates/_staff.html) ----------------------------------------------
def preview_of(ctx, values: dict, image_src: str | None) -> dict:
    """What the kiosk preview shows: board name, flags, title, date, picture and the rendered body."""
    board = boards.BY_CODE.get(values.get("board") or "", boards.BOARDS[0])
    date = values.get("start_at")
    return {"board": board.name, "urgent": bool(values.get("urgent")), "pinned": bool(values.get("pinned")),
            "title": values.get("title") or "", "date": date.astimezone(ctx.settings.tz).strftime("%Y-%m-%d") if date else "",
            "image_src": image_src, "body": markup.to_html(markup.parse(values.get("body") or ""))}


def form_of(request: Request, ctx, action: str, values: dict, has_image: bool) -> dict:
    """The create/edit form. ``values`` holds field values as the form shows them (strings, booleans)."""
    lang = request_lang(request)
    board_options = [(b.code, b.title(lang) + (t(request, "（需审核）", " (needs approval)") if b.approval else "")) for b in boards.postable()]
    season_options = [("", t(request, "全年", "All year"))] + [
        (s.name, s.title_en if lang == "en" else s.title) for s in ctx.settings.seasons]
    return {"action": action, "fields": values, "has_image": has_image, "board_options": board_options,
            "season_options": season_options, "max_title": markup.MAX_TITLE, "max_body": markup.MAX_BODY}


def history_of(request: Request, ctx, notice_id: int) -> list[dict]:
    return [{"at": rev.at.astimezone(ctx.settings.tz).strftime("%Y-%m-%d %H:%M"), "by": rev.by,
             "action": name_of(request, ACTION_NAMES, rev.action),
             "changes": [_change(request, field, old, new) for field, (old, new) in sorted(rev.changes.items())]}
            for rev in reversed(service.history(ctx, notice_id))]


def _change(request: Request, field: str, old, new) -> dict:
    label = name_of(request, FIELD_NAMES, field)
    if field == "body" and old is not None:
        diff = list(difflib.unified_diff(str(old).split("\n"), str(new or "").split("\n"), lineterm="", n=1))[2:]
        shown = diff[:40] + (["…"] if len(diff) > 40 else [])
        return {"label": label, "diff": "\n".join(shown)}
    if field in ("state",):
        old, new = (name_of(request, STATE_NAMES, v) if v else v for v in (old, new))
    short = lambda v: "—" if v in (None, "") else (str(v)[:60] + ("…" if len(str(v)) > 60 else ""))  # noqa: E731
    return {"label": label, "diff": None, "old": short(old), "new": short(new)}


def approval_of(request: Request, ctx, notice: Notice) -> dict:
    """What an approver vouches for: each field changed since the last approved version, and who changed it."""
    changes = service.changes_since_approval(ctx, notice.id)
    with ctx.sessions() as s:
        people = sorted(service.changers_since_approval(s, notice))
    return {"approved_before": bool(notice.approved_snapshot), "people": people,
            "changes": [_change(request, field, old, new) for field, (old, new) in changes.items()]}


# -- pages ------------------------------------------------------------------------------------------
def _values_from_notice(ctx: KioskContext, notice: Notice) -> dict:
    return {"id": notice.id, "board": notice.board, "title": notice.title, "body": notice.body, "start": _local(ctx, notice.start_at),
            "end": _local(ctx, notice.end_at), "pinned": notice.pinned, "urgent": notice.urgent, "season": notice.season or "",
            "start_at": notice.start_at}


def _values_from_form(ctx: KioskContext, board, title, body, start, end, pinned, urgent, season) -> dict:
    values = {"board": board, "title": title, "body": body, "start": start, "end": end, "pinned": bool(pinned),
              "urgent": bool(urgent), "season": season}
    try:
        values["start_at"] = service.parse_time(start, ctx.settings.tz) or ctx.now()
    except NoticeError:
        values["start_at"] = None
    return values


def _read_upload(upload) -> bytes | None:
    if upload is None or not getattr(upload, "filename", ""):
        return None
    data = upload.file.read(images.MAX_UPLOAD + 1)
    return data or None


def build_staff_router(ctx: KioskContext) -> APIRouter:
    router = APIRouter()

    @router.get("/staff/notices")
    def list_page(request: Request, board: str = "", user: StaffIdentity = Depends(require_staff)):
        now, seasons = ctx.now().astimezone(timezone.utc), service.season_names(ctx)
        code = boards.board(board).code if boards.board(board) else None
        notices = service.all_notices(ctx, code)
        rows = [{"id": n.id, "title": n.title, "status": service.display_status(n, now, seasons),
                 "board": boards.BY_CODE[n.board].title(request_lang(request)),
                 "status_name": name_of(request, STATE_NAMES, service.display_status(n, now, seasons)),
                 "shown": _local(ctx, n.start_at).replace("T", " ") + (" – " + _local(ctx, n.end_at).replace("T", " ") if n.end_at else ""),
                 "marks": " ".join(x for x in (t(request, "紧急", "urgent") if n.urgent else "", t(request, "置顶", "pinned") if n.pinned else "",
                                               _season_title(request, ctx, n.season)) if x)}
                for n in notices]
        return render_plugin(request, PLUGIN, "staff_list.html", title=t(request, "通知公告管理", "Notices"), stylesheets=STYLES,
                             flash=request.session.pop("notices_flash", ""), is_admin=user.is_admin, board=code,
                             pending=sum(1 for n in notices if n.state == "pending"), boards=boards.postable(), rows=rows)

    @router.get("/staff/notices/new")
    def new_page(request: Request, board: str = "notice", user: StaffIdentity = Depends(require_staff)):
        values = {"board": boards.board(board).code if boards.board(board) and not boards.board(board).fed else "notice"}
        return _new_view(request, ctx, values, "", preview=False)

    @router.post("/staff/notices/new")
    def create(request: Request, action: str = Form("preview"), board: str = Form(""), title: str = Form(""), body: str = Form(""),
               start: str = Form(""), end: str = Form(""), pinned: str = Form(""), urgent: str = Form(""), season: str = Form(""),
               image: UploadFile | str | None = File(None), user: StaffIdentity = Depends(require_staff)):
        values = _values_from_form(ctx, board, title, body, start, end, pinned, urgent, season)
        error = ""
        if action in ("draft", "publish"):
            try:
                data = _read_upload(image)
                if data is not None:
                    images.normalise(data)  # refuse a bad picture before the notice exists
                notice = service.create(ctx, board=board, title=title, body=body, start=start or None, end=end or None,
                                        pinned=bool(pinned), urgent=bool(urgent), season=season or None, by=user.username,
                                        publish=action == "publish")
                if data is not None:
                    images.set_image(ctx, notice.id, data, by=user.username)
                request.session["notices_flash"] = t(request, f"已保存（{name_of(request, STATE_NAMES, notice.state)}）",
                                                     f"Saved ({name_of(request, STATE_NAMES, notice.state)})")
                return RedirectResponse(url(request, f"/staff/notices/{notice.id}"), status_code=303)
            except NoticeError as exc:
                error = exc.text(request_lang(request))
        return _new_view(request, ctx, values, error, preview=True)

    @router.get("/staff/notices/{notice_id:int}")
    def edit_page(request: Request, notice_id: PathId, user: StaffIdentity = Depends(require_staff)):
        notice = service.get(ctx, notice_id)
        if notice is None:
            return _missing(request)
        return _edit_view(request, ctx, notice, user, _values_from_notice(ctx, notice), request.session.pop("notices_flash", ""), "")

    @router.post("/staff/notices/{notice_id:int}")
    def save(request: Request, notice_id: PathId, action: str = Form("preview"), board: str = Form(""), title: str = Form(""),
             body: str = Form(""), start: str = Form(""), end: str = Form(""), pinned: str = Form(""), urgent: str = Form(""),
             season: str = Form(""), remove_image: str = Form(""), image: UploadFile | str | None = File(None),
             user: StaffIdentity = Depends(require_staff)):
        notice = service.get(ctx, notice_id)
        if notice is None:
            return _missing(request)
        values = _values_from_form(ctx, board, title, body, start, end, pinned, urgent, season) | {"id": notice_id}
        if action == "save":
            try:
                data = _read_upload(image)
                if data is not None:
                    images.normalise(data)
                service.edit(ctx, notice_id, by=user.username, board=board, title=title, body=body, start_at=start or None,
                             end_at=end or None, pinned=bool(pinned), urgent=bool(urgent), season=season or None)
                if data is not None:
                    images.set_image(ctx, notice_id, data, by=user.username)
                elif remove_image:
                    images.remove_image(ctx, notice_id, by=user.username)
                request.session["notices_flash"] = t(request, "已保存修改", "Changes saved")
                return RedirectResponse(url(request, f"/staff/notices/{notice_id}"), status_code=303)
            except NoticeError as exc:
                return _edit_view(request, ctx, notice, user, values, "", exc.text(request_lang(request)), 400)
        return _edit_view(request, ctx, notice, user, values, "", "", preview_submitted=True)

    @router.post("/staff/notices/{notice_id:int}/state")
    def change_state(request: Request, notice_id: PathId, action: str = Form(...), user: StaffIdentity = Depends(require_staff)):
        try:
            if action == "publish":
                notice = service.publish(ctx, notice_id, by=user.username)
            elif action == "withdraw":
                notice = service.withdraw(ctx, notice_id, by=user.username)
            elif action == "approve":
                notice = service.approve(ctx, notice_id, by=user.username, ip=client_ip(request))
            else:
                raise NoticeError("bad_action", "未知操作", "unknown action")
            flash = name_of(request, STATE_NAMES, notice.state)
        except NoticeError as exc:
            flash = exc.text(request_lang(request))
        request.session["notices_flash"] = flash
        return RedirectResponse(url(request, f"/staff/notices/{notice_id}"), status_code=303)

    return router


def _missing(request: Request):
    return message(request, t(request, "没有这条通知", "No such notice"), t(request, "请返回通知列表。", "Please go back to the list."), 404)


def _new_view(request: Request, ctx, values: dict, error: str, preview: bool):
    return render_plugin(request, PLUGIN, "staff_new.html", 400 if error else 200, title=t(request, "写新通知", "New notice"),
                         stylesheets=STYLES, error=error, form=form_of(request, ctx, "/staff/notices/new", values, False),
                         preview=preview_of(ctx, values, None) if preview else None)


def _edit_view(request: Request, ctx: KioskContext, notice: Notice, user: StaffIdentity, values: dict, flash: str, error: str,
               status_code: int = 200, preview_submitted: bool = False):
    now, seasons = ctx.now().astimezone(timezone.utc), service.season_names(ctx)
    has_image = service.has_image(ctx, notice.id)
    status = service.display_status(notice, now, seasons)
    return render_plugin(
        request, PLUGIN, "staff_edit.html", status_code, title=t(request, f"通知 {notice.id}", f"Notice {notice.id}"),
        stylesheets=STYLES, flash=flash, error=error, notice=notice, status=status, status_name=name_of(request, STATE_NAMES, status),
        is_admin=user.is_admin, approval=approval_of(request, ctx, notice) if notice.state == "pending" else None,
        form=form_of(request, ctx, f"/staff/notices/{notice.id}", values, has_image), preview_submitted=preview_submitted,
        preview=preview_of(ctx, values, f"/notices/{notice.id}/image" if has_image else None), history=history_of(request, ctx, notice.id))
