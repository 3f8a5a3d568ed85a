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
from markupsafe import Markup

from kiosk.api.web import PathId, StaffIdentity, client_ip, csrf_input, require_staff, page, request_lang
from kiosk.api import KioskContext

from . import boards, images, markup, service
from .models import Notice
from .service import NoticeError
from .web import STYLES, t, url

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


# -- building blocks -------------------------------------------------------------------------------
def kiosk_preview(request: Request, ctx: KioskContext, values: dict, image_src: str | None) -> Markup:
    """The notice framed like the kiosk's reader: the board bar, large text, the three big buttons."""
    board = boards.BY_CODE.get(values.get("board") or "", boards.BOARDS[0])
    date = values.get("start_at")
    flags = Markup("")
    if values.get("urgent"):
        flags += Markup('<span class="n-flag n-urgent">紧急</span>')
    if values.get("pinned"):
        flags += Markup('<span class="n-flag n-pinned">置顶</span>')
    picture = Markup('<p class="n-picture"><img src="{}" alt=""></p>').format(image_src) if image_src else Markup("")
    return Markup(
        '<section class="n-kiosk" aria-label="{label}"><div class="n-kiosk-bar">通知公告 · {board}</div>'
        '<div class="n-kiosk-page"><h2 class="n-kiosk-title">{flags}{title}</h2><p class="n-kiosk-date">{date}</p>{picture}'
        '<div class="n-body">{body}</div></div>'
        '<div class="n-kiosk-buttons"><span>上一页</span><span>下一页</span><span>扫码带走</span><span>返回</span></div></section>'
    ).format(label=t(request, "自助机预览", "Kiosk preview"), board=board.name, flags=flags, title=values.get("title") or "",
             date=date.astimezone(ctx.settings.tz).strftime("%Y-%m-%d") if date else "", picture=picture,
             body=markup.to_html(markup.parse(values.get("body") or "")))


def _checkbox(name: str, label: str, checked: bool) -> Markup:
    return Markup('<label class="n-check"><input type="checkbox" name="{}"{}> {}</label>').format(
        name, Markup(" checked") if checked else "", label)


def notice_form(request: Request, ctx: KioskContext, action: str, values: dict, has_image: bool) -> Markup:
    """The create/edit form. ``values`` holds field values as the form shows them (strings, booleans)."""
    lang = request_lang(request)
    board_opts = Markup("").join(Markup('<option value="{}"{}>{}</option>').format(
        b.code, Markup(" selected") if b.code == values.get("board") else "", b.title(lang) + (t(request, "（需审核）", " (needs approval)") if b.approval else ""))
        for b in boards.postable())
    season_opts = Markup('<option value="">{}</option>').format(t(request, "全年", "All year")) + Markup("").join(
        Markup('<option value="{}"{}>{}</option>').format(s.name, Markup(" selected") if s.name == values.get("season") else "",
                                                            s.title_en if lang == "en" else s.title) for s in ctx.settings.seasons)
    syntax = t(request, "格式：空一行分段；“# ”开头为标题，“## ”为小标题；“- ”开头为列表；**两个星号之间**为粗体。",
               "Format: a blank line between paragraphs; '# ' heading, '## ' sub-heading; '- ' list item; **bold**.")
    image_field = Markup('<label>{}<input type="file" name="image" accept="image/jpeg,image/png,image/gif,image/webp"></label>').format(
        t(request, "配图（可选，JPG/PNG，不超过 900 KB）", "Picture (optional, JPG/PNG, up to 900 KB)"))
    if has_image:
        image_field += _checkbox("remove_image", t(request, "删除现有图片", "Remove the current picture"), False)
    buttons = Markup('<button type="submit" name="action" value="preview" class="secondary">{}</button>').format(t(request, "预览", "Preview"))
    if values.get("id"):
        buttons += Markup('<button type="submit" name="action" value="save">{}</button>').format(t(request, "保存修改", "Save changes"))
    else:
        buttons += Markup('<button type="submit" name="action" value="draft" class="secondary">{}</button>'
                          '<button type="submit" name="action" value="publish">{}</button>').format(
            t(request, "存为草稿", "Save as draft"), t(request, "发布", "Publish"))
    return Markup(
        '<form method="post" action="{action}" enctype="multipart/form-data" class="card n-form">{csrf}'
        '<label>{l_board}<select name="board">{boards}</select></label>'
        '<label>{l_title}<input name="title" value="{title}" maxlength="{max_title}" required></label>'
        '<label>{l_body}<textarea name="body" rows="14" maxlength="{max_body}">{body}</textarea></label><p class="meta">{syntax}</p>'
        '<div class="n-row"><label>{l_start}<input type="datetime-local" name="start" value="{start}"></label>'
        '<label>{l_end}<input type="datetime-local" name="end" value="{end}"></label></div>'
        '<p class="meta">{time_hint}</p>'
        '<div class="n-row">{pinned}{urgent}<label>{l_season}<select name="season">{seasons}</select></label></div>'
        '{image}<div class="n-buttons">{buttons}</div></form>'
    ).format(action=url(request, action), csrf=csrf_input(request), l_board=t(request, "栏目", "Board"), boards=board_opts,
             l_title=t(request, "标题", "Title"), title=values.get("title", ""), max_title=markup.MAX_TITLE,
             l_body=t(request, "正文", "Body"), body=values.get("body", ""), max_body=markup.MAX_BODY, syntax=syntax,
             l_start=t(request, "开始显示", "Shows from"), start=values.get("start", ""),
             l_end=t(request, "结束显示（可不填）", "Shows until (optional)"), end=values.get("end", ""),
             time_hint=t(request, "时间按北京时间；不填开始时间则立即显示；到结束时间自动下架。",
                         "Times are Beijing time; no start means now; the notice disappears by itself at its end time."),
             pinned=_checkbox("pinned", t(request, "置顶", "Pinned"), bool(values.get("pinned"))),
             urgent=_checkbox("urgent", t(request, "紧急（首页横幅提示）", "Urgent (home screen banner)"), bool(values.get("urgent"))),
             l_season=t(request, "季节", "Season"), seasons=season_opts, image=image_field, buttons=buttons)


def history_table(request: Request, ctx: KioskContext, notice_id: int) -> Markup:
    rows = Markup("")
    for rev in reversed(service.history(ctx, notice_id)):
        changes = Markup("").join(_change(request, field, old, new) for field, (old, new) in sorted(rev.changes.items()))
        rows += Markup("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>").format(
            rev.at.astimezone(ctx.settings.tz).strftime("%Y-%m-%d %H:%M"), rev.by, name_of(request, ACTION_NAMES, rev.action), changes)
    head = Markup("<tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>").format(
        t(request, "时间", "When"), t(request, "操作人", "Who"), t(request, "操作", "Action"), t(request, "改动", "What changed"))
    return Markup('<h2>{}</h2><div class="table-wrap"><table class="n-history"><thead>{}</thead><tbody>{}</tbody></table></div>').format(
        t(request, "修改记录", "History"), head, rows)


def _change(request: Request, field: str, old, new) -> Markup:
    label = name_of(request, FIELD_NAMES, field)
    if field == "body" and old is not None:
        diff = list(difflib.unified_diff(str(old).split("\n"), str(new or "").split("\n"), lineterm="", n=1))[2:]
        shown = diff[:40] + (["…"] if len(diff) > 40 else [])
        return Markup('<div><b>{}</b><pre class="n-diff">{}</pre></div>').format(label, "\n".join(shown))
    if field in ("state",):
        old, new = (name_of(request, STATE_NAMES, v) if v else v for v in (old, new))
    short = lambda v: "—" if v in (None, "") else (str(v)[:60] + ("…" if len(str(v)) > 60 else ""))  # noqa: E731
    return Markup("<div><b>{}</b>：{} → {}</div>").format(label, short(old), short(new))


def changes_for_approver(request: Request, ctx: KioskContext, notice: Notice) -> Markup:
    """What an approver vouches for: each field changed since the last approved version, and who changed it."""
    changes = service.changes_since_approval(ctx, notice.id)
    with ctx.sessions() as s:
        people = sorted(service.changers_since_approval(s, notice))
    title = (t(request, "自上次审核以来的改动", "Changed since the last approval") if notice.approved_snapshot
             else t(request, "待审核内容（尚未审核过）", "Content to approve (never approved before)"))
    rows = Markup("").join(_change(request, field, old, new) for field, (old, new) in changes.items()) or Markup("<p>{}</p>").format(
        t(request, "内容与上次审核的版本相同", "The same as the approved version"))
    who = Markup('<p class="meta">{}</p>').format(t(request, f"修改人（不能审核）：{'、'.join(people)}",
                                                     f"Changed by (cannot approve): {', '.join(people)}"))
    return Markup('<section class="card n-approval"><h2>{}</h2>{}{}</section>').format(title, rows, who)


def action_form(request: Request, notice_id: int, action: str, label: str, css: str = "") -> Markup:
    return Markup('<form method="post" action="{}" class="n-inline">{}<input type="hidden" name="action" value="{}">'
                  '<button type="submit" class="{}">{}</button></form>').format(
        url(request, f"/staff/notices/{notice_id}/state"), csrf_input(request), action, css, label)


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
        flash = request.session.pop("notices_flash", "")
        out = Markup('<p class="flash" role="status">{}</p>').format(flash) if flash else Markup("")
        pending = [n for n in notices if n.state == "pending"]
        if pending and user.is_admin:
            out += Markup('<p class="notice">{}</p>').format(t(request, f"有 {len(pending)} 条党务公开通知等待审核",
                                                                f"{len(pending)} notice(s) awaiting approval"))
        out += Markup('<p><a class="button" href="{}">{}</a> <a href="{}">{}</a></p>').format(
            url(request, "/staff/notices/new", board=code), t(request, "写新通知", "New notice"), url(request, "/notices"),
            t(request, "查看公开页面", "Public pages"))
        filters = Markup(" · ").join([Markup('<a href="{}">{}</a>').format(url(request, "/staff/notices"), t(request, "全部", "All"))] + [
            Markup('<a href="{}">{}</a>').format(url(request, "/staff/notices", board=b.code), b.title(request_lang(request)))
            for b in boards.postable()])
        out += Markup('<p class="n-filter">{}</p>').format(filters)
        rows = Markup("").join(
            Markup('<tr class="n-{}"><td><a href="{}">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>').format(
                service.display_status(n, now, seasons), url(request, f"/staff/notices/{n.id}"), n.title,
                boards.BY_CODE[n.board].title(request_lang(request)), name_of(request, STATE_NAMES, service.display_status(n, now, seasons)),
                _local(ctx, n.start_at).replace("T", " ") + (" – " + _local(ctx, n.end_at).replace("T", " ") if n.end_at else ""),
                " ".join(x for x in (t(request, "紧急", "urgent") if n.urgent else "", t(request, "置顶", "pinned") if n.pinned else "",
                                     _season_title(request, ctx, n.season)) if x))
            for n in notices)
        head = Markup("<tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>").format(
            t(request, "标题", "Title"), t(request, "栏目", "Board"), t(request, "状态", "Status"), t(request, "显示时间", "Shown"),
            t(request, "标记", "Marks"))
        out += Markup('<div class="table-wrap"><table class="n-table"><thead>{}</thead><tbody>{}</tbody></table></div>').format(head, rows)
        return page(request, t(request, "通知公告管理", "Notices"), out, stylesheets=STYLES)

    @router.get("/staff/notices/new")
    def new_page(request: Request, board: str = "notice", user: StaffIdentity = Depends(require_staff)):
        values = {"board": boards.board(board).code if boards.board(board) and not boards.board(board).fed else "notice"}
        return page(request, t(request, "写新通知", "New notice"), notice_form(request, ctx, "/staff/notices/new", values, False),
                    stylesheets=STYLES)

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
        body_html = _error(error) + notice_form(request, ctx, "/staff/notices/new", values, False)
        body_html += _preview_section(request, ctx, values, None)
        return page(request, t(request, "写新通知", "New notice"), body_html, status_code=400 if error else 200, stylesheets=STYLES)

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


def _error(text: str) -> Markup:
    return Markup('<p class="error" role="alert">{}</p>').format(text) if text else Markup("")


def _missing(request: Request):
    from kiosk.api.web import message

    return message(request, t(request, "没有这条通知", "No such notice"), t(request, "请返回通知列表。", "Please go back to the list."), 404)


def _preview_section(request: Request, ctx: KioskContext, values: dict, image_src: str | None) -> Markup:
    note = t(request, "预览：自助机上的样子（新上传的图片保存后显示）", "Preview: as the kiosk shows it (a new picture appears once saved)")
    return Markup('<h2>{}</h2>{}').format(note, kiosk_preview(request, ctx, values, image_src))


def _edit_view(request: Request, ctx: KioskContext, notice: Notice, user: StaffIdentity, values: dict, flash: str, error: str,
               status_code: int = 200, preview_submitted: bool = False):
    now, seasons = ctx.now().astimezone(timezone.utc), service.season_names(ctx)
    has_image = service.has_image(ctx, notice.id)
    status = service.display_status(notice, now, seasons)
    out = Markup('<p class="flash" role="status">{}</p>').format(flash) if flash else Markup("")
    out += _error(error)
    out += Markup('<p class="n-status">{}：<b>{}</b>{}</p>').format(
        t(request, "状态", "Status"), name_of(request, STATE_NAMES, status),
        Markup(' · <a href="{}">{}</a>').format(url(request, f"/notices/{notice.id}"), t(request, "公开页面", "Public page"))
        if status == "showing" else "")
    if notice.approved_by:
        out += Markup('<p class="meta">{}</p>').format(t(request, f"审核人：{notice.approved_by}", f"Approved by {notice.approved_by}"))
    actions = Markup("")
    if notice.state in ("draft", "withdrawn"):
        actions += action_form(request, notice.id, "publish", t(request, "发布", "Publish"))
    if notice.state in ("published", "pending"):
        actions += action_form(request, notice.id, "withdraw", t(request, "撤下", "Withdraw"), "secondary")
    if notice.state == "pending":
        out += changes_for_approver(request, ctx, notice)
        if user.is_admin:
            actions += action_form(request, notice.id, "approve", t(request, "审核通过并发布", "Approve and publish"))
        else:
            actions += Markup('<p class="meta">{}</p>').format(t(request, "等待另一位管理员审核", "Waiting for another administrator's approval"))
    out += Markup('<div class="n-actions">{}</div>').format(actions)
    out += notice_form(request, ctx, f"/staff/notices/{notice.id}", values, has_image)
    image_src = f"/notices/{notice.id}/image" if has_image else None
    out += _preview_section(request, ctx, values, image_src) if preview_submitted else Markup('<h2>{}</h2>{}').format(
        t(request, "自助机上的样子", "As the kiosk shows it"), kiosk_preview(request, ctx, values, image_src))
    out += history_table(request, ctx, notice.id)
    return page(request, t(request, f"通知 {notice.id}", f"Notice {notice.id}"), out, status_code=status_code, stylesheets=STYLES)
