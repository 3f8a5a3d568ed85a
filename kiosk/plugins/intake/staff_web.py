"""The intake's staff desk: the case list (most overdue first), one case with its timeline and the actions
its state allows, new cases from other channels, supervision, the report with its chart, and routing.

Pages are built from escaped fragments inside the site layout; every form carries the session's CSRF
field; every action goes through :mod:`kiosk.plugins.intake.service`, as the CLI does. A refused form
is shown again with what was typed and the message next to its field.
"""

from __future__ import annotations

from datetime import date, timedelta

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from markupsafe import Markup

from kiosk.api import KioskContext, parse_day, mask_phone
from kiosk.api.web import (
    StaffIdentity, client_ip, csrf_input, require_admin, require_staff, form_body, link as _url, page, text_for as t,
)

from . import catalog, reports, service, workflow
from .validation import CHANNELS, Invalid
from .web_parts import STYLES, badge, case_table, chart, error_span, field_errors, lang_of, options

#: The fields the staff forms post (read by hand, documented in the OpenAPI description).
NEW_CASE_FIELDS = ("channel", "category", "problem", "building", "unit", "flat", "phone", "surname", "title", "name_public", "description")
ACTION_FIELDS = ("kind", "team", "due", "days", "note", "summary", "response", "into", "level", "comment")


def build_router(ctx: KioskContext) -> APIRouter:
    router = APIRouter()

    def _nav(request: Request) -> Markup:
        items = [("/staff/cases", "诉求工作台", "Desk"), ("/staff/cases/supervision", "督办", "Supervision"),
                 ("/staff/cases/new", "登记诉求", "New case"), ("/staff/cases/report", "分析报告", "Report"),
                 ("/staff/cases/routing", "楼栋与先锋队", "Buildings & teams")]
        return Markup('<p class="nav">') + Markup(" · ").join(
            Markup('<a href="{}">{}</a>').format(_url(request, p), t(request, zh, en)) for p, zh, en in items) + Markup("</p>")

    @router.get("/staff/cases")
    def desk(request: Request, state: str = "", team: str = "", category: str = "", overdue: str = "",
             user: StaffIdentity = Depends(require_staff)):
        lang = lang_of(request)
        state = state if state in workflow.STATES else ""
        cards = service.list_cases(ctx, state=state or None, team=team or None, category=category or None, overdue=bool(overdue),
                                   open_only=not state and not overdue)
        flash = request.session.pop("intake_flash", "")
        counts = {k: sum(1 for c in cards if c.level == k) for k in ("long_overdue", "overdue", "due_soon")}
        filters = Markup('<form method="get" class="q-form">{}{}{}<label><input type="checkbox" name="overdue" value="1"{}> {}</label>'
                         '<button class="button" type="submit">{}</button></form>').format(
            Markup('<select name="state" aria-label="{}"><option value="">{}</option>{}</select>').format(
                t(request, "状态", "State"), t(request, "全部办理中", "All open"),
                options([(k, workflow.state_name(k, lang)) for k in workflow.STATES], state)),
            Markup('<select name="team" aria-label="{}"><option value="">{}</option>{}</select>').format(
                t(request, "先锋队", "Team"), t(request, "全部先锋队", "All teams"), options([(x.code, x.name) for x in service.teams(ctx)], team)),
            Markup('<select name="category" aria-label="{}"><option value="">{}</option>{}</select>').format(
                t(request, "类别", "Category"), t(request, "全部类别", "All categories"),
                options([(c.code, c.title(lang)) for c in catalog.categories(ctx.settings)], category)),
            Markup(" checked") if overdue else "", t(request, "只看超期", "Overdue only"), t(request, "筛选", "Filter"))
        summary = Markup('<p>{}</p>').format(t(
            request, f"严重超期 {counts['long_overdue']} 件 · 超期 {counts['overdue']} 件 · 即将到期 {counts['due_soon']} 件",
            f"Long overdue {counts['long_overdue']} · overdue {counts['overdue']} · due soon {counts['due_soon']}"))
        body = (Markup('<p class="flash" role="status">{}</p>').format(flash) if flash else Markup("")) + _nav(request) + summary + filters + case_table(request, cards)
        return page(request, t(request, "民生诉求工作台", "Request desk"), body, stylesheets=STYLES)

    @router.get("/staff/cases/supervision")
    def supervision_page(request: Request, user: StaffIdentity = Depends(require_staff)):
        lists = service.supervision(ctx)
        body = _nav(request)
        for key, zh, en in (("long_overdue", "严重超期（通报）", "Long overdue (reported)"), ("overdue", "超期（督办）", "Overdue (supervised)"),
                            ("reopened", "两次以上重办", "Reopened twice or more")):
            body += Markup("<h2>{} · {}</h2>").format(t(request, zh, en), len(lists[key])) + case_table(request, lists[key])
        return page(request, t(request, "督办", "Supervision"), body, stylesheets=STYLES)

    def _new_form(request: Request, values: dict | None = None, errors: dict | None = None, status: int = 200):
        lang = lang_of(request)
        v = {"channel": "walk-in", "category": "", "problem": "", "building": "", "unit": "", "flat": "", "phone": "", "surname": "",
             "title": "", "name_public": "", "description": ""} | (values or {})
        e = errors or {}
        blds = service.buildings(ctx)
        body = _nav(request) + Markup('<form method="post" action="{}" class="c-form">{}').format(_url(request, "/staff/cases/new"), csrf_input(request))
        body += Markup('<label>{} <select name="channel">{}</select>{}</label>').format(
            t(request, "来源渠道", "Channel"), options([(k, zh if lang != "en" else en) for k, (zh, en) in CHANNELS.items() if k != "open311"], v["channel"]),
            error_span(e, "channel"))
        body += Markup('<label>{} <select name="category" required><option value="">—</option>{}</select>{}</label>').format(
            t(request, "类别", "Category"), options([(c.code, c.title(lang)) for c in catalog.categories(ctx.settings)], v["category"]), error_span(e, "category"))
        body += Markup('<label>{} <input name="problem" value="{}" maxlength="60" list="problems"></label>{}').format(
            t(request, "问题（可选常见问题）", "Problem"), v["problem"], error_span(e, "problem"))
        body += Markup('<datalist id="problems">{}</datalist>').format(Markup("").join(
            Markup('<option value="{}">').format(p.zh) for c in catalog.categories(ctx.settings) for p in c.problems if not p.emergency))
        body += Markup('<label>{} <select name="building" required><option value="">—</option>{}</select>{}</label>').format(
            t(request, "楼号", "Building"), options([(b.code, b.name) for b in blds], v["building"]), error_span(e, "building"))
        for name, zh, en in (("unit", "单元", "Entrance"), ("flat", "门牌号（可不填）", "Flat (optional)"), ("phone", "联系电话", "Phone"),
                             ("surname", "姓氏（可不填）", "Surname (optional)")):
            body += Markup('<label>{} <input name="{}" value="{}" maxlength="40"></label>{}').format(t(request, zh, en), name, v[name], error_span(e, name))
        body += Markup('<label>{} <select name="title">{}</select></label>').format(
            t(request, "称呼", "Title"), options([("", "—"), ("先生", "先生"), ("女士", "女士")], v["title"]))
        body += Markup('<label><input type="checkbox" name="name_public" value="1"{}> {}</label>').format(
            Markup(" checked") if v["name_public"] else "", t(request, "居民同意公示时显示姓氏（张*）", "The resident agrees to show the masked surname"))
        body += Markup('<label>{} <textarea name="description" rows="4" maxlength="2000">{}</textarea></label>{}').format(
            t(request, "描述（最多300字）", "Description (300 characters at most)"), v["description"], error_span(e, "description"))
        body += Markup('<button type="submit" class="button">{}</button></form>').format(t(request, "登记", "File"))
        return page(request, t(request, "登记诉求", "New case"), body, status, stylesheets=STYLES)

    @router.get("/staff/cases/new")
    def new_form(request: Request, user: StaffIdentity = Depends(require_staff)):
        return _new_form(request)

    @router.post("/staff/cases/new", openapi_extra=form_body(*NEW_CASE_FIELDS))
    async def new_submit(request: Request, user: StaffIdentity = Depends(require_staff)):
        form = await request.form()
        values = {k: str(form.get(k, "")) for k in NEW_CASE_FIELDS}
        try:
            r = service.file_case(ctx, values | {"name_public": bool(values["name_public"])}, by=f"staff:{user.username}")
        except Invalid as exc:
            return _new_form(request, values, field_errors(exc, lang_of(request)), 400)
        request.session["intake_flash"] = t(request, f"已登记 {r.case.case_no}", f"Filed {r.case.case_no}")
        return RedirectResponse(_url(request, f"/staff/cases/{r.case.case_no}"), status_code=303)

    def _action_forms(request: Request, c, errors: dict, values: dict) -> Markup:
        lang = lang_of(request)
        out = Markup('<section class="c-actions">')
        v = lambda k: values.get(k, "")  # noqa: E731
        for action in workflow.allowed_actions(c.case.state):
            zh, en = workflow.ACTIONS[action]
            fields = Markup("")
            if action == "accept":
                fields += Markup('<label>{} <select name="kind" required><option value="">—</option>{}</select></label>{}').format(
                    t(request, "件别", "Kind"), options([(k, zh_ if lang != "en" else en_) for k, (zh_, en_) in workflow.KINDS.items()], v("kind")),
                    error_span(errors, "kind"))
                fields += Markup('<label>{} <select name="team">{}</select></label>{}').format(
                    t(request, "承办先锋队", "Team"), options([(x.code, x.name) for x in service.teams(ctx)], v("team") or c.case.team_code or ""),
                    error_span(errors, "team"))
                fields += Markup('<label>{} <input type="date" name="due" value="{}"></label>{}').format(
                    t(request, "办结期限", "Due date"), v("due") or c.case.due_date.isoformat(), error_span(errors, "due"))
            if action == "extend":
                fields += Markup('<label>{} <input type="number" name="days" min="1" max="{}" value="{}"></label>{}').format(
                    t(request, "延期工作日", "Working days"), service.IntakeSettings.of(ctx).max_extension_days, v("days") or 5, error_span(errors, "days"))
            if action in ("resolve", "publish"):  # never prefilled with the resident's words: staff write the public text
                mine = values.get("_action") == action
                summary = v("summary") if mine else (c.case.public_summary if action == "publish" else "")
                response = v("response") if mine else (c.case.public_response if action == "publish" else "")
                fields += Markup('<label>{} <input name="summary" maxlength="500" value="{}"></label>{}').format(
                    t(request, "公示摘要（自己概括，不含姓名、电话、门牌；可不填）", "Public summary (your own words, no name, phone or flat; optional)"),
                    summary, error_span(errors, "summary") if mine else "")
                fields += Markup('<label>{} <textarea name="response" rows="3" maxlength="2000" required>{}</textarea></label>{}').format(
                    t(request, "给居民的答复（将公示）", "Response to the resident (published)"), response,
                    error_span(errors, "response") if mine else "")
            if action == "merge":
                fields += Markup('<label>{} <input name="into" maxlength="20" value="{}"></label>{}').format(
                    t(request, "合并到诉求编号", "Merge into case"), v("into"), error_span(errors, "into"))
            if action == "rate":
                fields += Markup('<label>{} <select name="level" required><option value="">—</option>{}</select></label>{}').format(
                    t(request, "回访评价", "Follow-up rating"), options([(k, zh_ if lang != "en" else en_) for k, (zh_, en_) in service.RATINGS.items()],
                                                                        v("level")), error_span(errors, "level"))
                fields += Markup('<label>{} <textarea name="comment" rows="2" maxlength="500">{}</textarea></label>{}').format(
                    t(request, "居民意见", "Comment"), v("comment"), error_span(errors, "comment"))
            if action != "rate":
                fields += Markup('<label>{} <textarea name="note" rows="2" maxlength="1000">{}</textarea></label>{}').format(
                    t(request, "备注 / 理由", "Note / reason"), v("note") if values.get("_action") == action else "",
                    error_span(errors, "note") if values.get("_action") == action else "")
            if action == "publish" and c.category and c.category.visibility == "private":
                fields += Markup('<p class="hint">{}</p>').format(t(request, "此类诉求不逐件公示，只计入数量。", "This category is published as counts only."))
            out += Markup('<form method="post" action="{}">{}<h3>{}</h3>{}<button type="submit" class="button">{}</button></form>').format(
                _url(request, f"/staff/cases/{c.case.case_no}/{action}"), csrf_input(request), t(request, zh, en), fields, t(request, zh, en))
        return out + Markup("</section>")

    def _case_page(request: Request, case_no: str, errors: dict | None = None, values: dict | None = None, status: int = 200, flash: str = ""):
        lang = lang_of(request)
        try:
            c = service.card(ctx, case_no)
        except service.NotFound:
            return page(request, t(request, "未找到这件诉求", "Case not found"), _nav(request), 404, stylesheets=STYLES)
        case = c.case
        flash = flash or request.session.pop("intake_flash", "")
        rows = [(t(request, "状态", "State"), Markup("{} {}").format(workflow.state_name(case.state, lang), badge(request, c.level))),
                (t(request, "类别", "Category"), c.category.title(lang) if c.category else case.category),
                (t(request, "问题", "Problem"), case.problem or "—"),
                (t(request, "地点", "Place"), (c.building.name if c.building else case.building) + (f" {case.unit}单元" if case.unit else "")
                 + (f" {case.flat}室" if case.flat else "")),
                (t(request, "来源", "Channel"), service.channel_name(case.channel, lang)),
                (t(request, "件别", "Kind"), workflow.KINDS.get(case.kind or "", ("—", "—"))[1 if lang == "en" else 0]),
                (t(request, "承办", "Team"), c.team.name if c.team else "—"),
                (t(request, "办结期限", "Due"), case.due_date.isoformat() + (t(request, "（已延期）", " (extended)") if case.extended else "")),
                (t(request, "联系人", "Resident"), ((case.surname or "") + (case.title or "")) or "—"),
                (t(request, "电话", "Phone"), mask_phone(case.phone) if case.phone else t(request, "（无或已删除）", "(none or erased)")),
                (t(request, "居民描述", "Description"), case.description or "—"),
                (t(request, "重办次数", "Reopened"), str(case.reopen_count))]
        if case.merged_into:
            rows.append((t(request, "合并到", "Merged into"), case.merged_into))
        if case.public_response:
            rows.append((t(request, "公示答复", "Public response"), case.public_response))
        info = Markup('<table class="c-table">') + Markup("").join(Markup("<tr><th>{}</th><td>{}</td></tr>").format(k, val) for k, val in rows) + Markup("</table>")
        timeline = Markup('<h2>{}</h2><ol class="c-timeline">').format(t(request, "办理记录", "Timeline")) + Markup("").join(
            Markup("<li><b>{}</b> {} · {} {}</li>").format(
                e.at.astimezone(ctx.settings.tz).strftime("%Y-%m-%d %H:%M"), workflow.ACTIONS.get(e.action, (e.action, e.action))[1 if lang == "en" else 0],
                e.by, Markup("<br>{}").format(e.note) if e.note else "") for e in c.events) + Markup("</ol>")
        ratings = Markup("").join(Markup("<p>{}: {} {}</p>").format(
            t(request, "评价", "Rating"), service.rating_name(r.level, lang), r.comment) for r in c.ratings)
        phone_link = Markup('<p><a href="{}" rel="nofollow">{}</a></p>').format(
            _url(request, f"/staff/cases/{case.case_no}/phone"), t(request, "显示完整号码，拨打居民电话回访（将记入审计日志）",
                                                                   "Show the full number to call the resident (recorded in the audit log)")) if case.phone else Markup("")
        body = (Markup('<p class="flash" role="status">{}</p>').format(flash) if flash else Markup("")) + _nav(request) + info + phone_link + ratings
        body += timeline + Markup("<h2>{}</h2>").format(t(request, "办理", "Actions")) + _action_forms(request, c, errors or {}, values or {})
        if case.receipt_id:
            from kiosk.api import Receipt

            with ctx.sessions() as s:
                slip = s.get(Receipt, case.receipt_id)
                failed = slip is not None and slip.printed_at is None and bool(slip.print_error)
            printed = t(request, "凭条没有打印出来，请补打", "The slip did not print: reprint it") if failed else ""
            body += Markup('<form method="post" action="{}">{}<h3>{}</h3><p class="hint">{}</p><button type="submit" class="button">{}</button></form>').format(
                _url(request, f"/staff/cases/{case.case_no}/reprint"), csrf_input(request), t(request, "补打凭条", "Reprint the slip"),
                printed, t(request, "补打凭条", "Reprint the slip"))
        return page(request, t(request, f"诉求 {case.case_no}", f"Case {case.case_no}"), body, status, stylesheets=STYLES)

    @router.get("/staff/cases/supervision/")
    def _sup_slash(request: Request):
        return RedirectResponse(_url(request, "/staff/cases/supervision"), status_code=303)

    @router.get("/staff/cases/report")
    def report_page(request: Request, start: str = "", end: str = "", user: StaffIdentity = Depends(require_staff)):
        try:
            end_d = parse_day(end) if end else ctx.today()
            start_d = parse_day(start) if start else end_d - timedelta(days=30)
        except ValueError:  # not a date, or one outside the years the product handles (DateOutOfRange)
            end_d, start_d = ctx.today(), ctx.today() - timedelta(days=30)
        groups = reports.recurring(ctx, start_d, end_d)
        stats = reports.summary_stats(ctx, start_d, end_d)
        form = Markup('<form method="get" class="q-form"><label>{} <input type="date" name="start" value="{}"></label>'
                      '<label>{} <input type="date" name="end" value="{}"></label><button class="button" type="submit">{}</button></form>').format(
            t(request, "从", "From"), start_d.isoformat(), t(request, "到", "To"), end_d.isoformat(), t(request, "生成", "Show"))
        pct = lambda x: "—" if x is None else f"{x * 100:.0f}%"  # noqa: E731
        summary = Markup("<p>{}</p>").format(t(
            request, f"受理 {stats['filed']} 件，办结 {stats['resolved']} 件，按期办结率 {pct(stats['on_time_rate'])}，满意率 {pct(stats['satisfaction_rate'])}，重办 {stats['reopened']} 件",
            f"Filed {stats['filed']}, resolved {stats['resolved']}, on time {pct(stats['on_time_rate'])}, satisfied {pct(stats['satisfaction_rate'])}, reopened {stats['reopened']}"))
        table = Markup('<table class="c-table"><tr><th>{}</th><th>{}</th><th>{}</th></tr>').format(
            t(request, "类别", "Category"), t(request, "楼栋", "Building"), t(request, "件数", "Cases")) + Markup("").join(
            Markup("<tr><td>{}</td><td>{}</td><td>{}</td></tr>").format(g["category_name"], g["building_name"], g["count"]) for g in groups) + Markup("</table>")
        body = _nav(request) + form + summary + Markup("<h2>{}</h2>").format(t(request, "各类别件数", "Cases per category")) + chart(groups)
        body += Markup("<h2>{}</h2>").format(t(request, "反复出现的问题（类别 × 楼栋，党建协调会议题）", "Recurring issues (category × building)")) + table
        return page(request, t(request, "民生诉求分析", "Request report"), body, stylesheets=STYLES)

    @router.get("/staff/cases/routing")
    def routing_page(request: Request, user: StaffIdentity = Depends(require_staff)):
        return page(request, t(request, "楼栋与先锋队", "Buildings and teams"), _routing_body(request, user), stylesheets=STYLES)

    def _routing_body(request: Request, user: StaffIdentity, error: str = "") -> Markup:
        flash = request.session.pop("intake_flash", "")
        teams = service.teams(ctx)
        out = _nav(request) + (Markup('<p class="flash" role="status">{}</p>').format(flash) if flash else Markup(""))
        out += Markup('<p class="error" role="alert">{}</p>').format(error) if error else Markup("")
        for team in teams:
            members = [b for b in service.buildings(ctx) if b.team_code == team.code]
            out += Markup("<h2>{}</h2><p>{}</p>").format(team.name, "、".join(b.name for b in members) or "—")
        if user.is_admin:
            out += Markup('<h2>{}</h2><form method="post" action="{}" class="c-form">{}<label>{} <input name="building" required maxlength="16"></label>'
                          '<label>{} <select name="team">{}</select></label><label>{} <input type="number" name="units" min="1" max="20" value=""></label>'
                          '<button class="button" type="submit">{}</button></form>').format(
                t(request, "调整楼栋归属", "Change a building"), _url(request, "/staff/cases/routing"), csrf_input(request),
                t(request, "楼号（新楼也可）", "Building (new or existing)"), t(request, "先锋队", "Team"),
                options([(x.code, x.name) for x in teams], ""), t(request, "单元数（不改可留空）", "Entrances (blank: unchanged)"), t(request, "保存", "Save"))
        return out

    @router.post("/staff/cases/routing")
    def routing_submit(request: Request, building: str = Form(""), team: str = Form(""), units: str = Form(""),
                       user: StaffIdentity = Depends(require_admin)):
        try:
            n = int(units) if units.strip() else None
        except ValueError:
            n = -1
        try:
            b = service.set_building(ctx, building, team=team, units=n, by=f"web:{user.username}", ip=client_ip(request))
        except Invalid as exc:
            return page(request, t(request, "楼栋与先锋队", "Buildings and teams"), _routing_body(request, user, exc.errors[0].text(lang_of(request))), 400,
                        stylesheets=STYLES)
        request.session["intake_flash"] = t(request, f"{b.name} 已保存", f"{b.name} saved")
        return RedirectResponse(_url(request, "/staff/cases/routing"), status_code=303)

    def _reprint(request: Request, case_no: str):
        try:
            result = service.reprint(ctx, case_no)
        except service.NotFound:
            return page(request, t(request, "未找到这件诉求", "Case not found"), _nav(request), 404, stylesheets=STYLES)
        if result is None:
            flash = t(request, "这件诉求没有凭条", "This case has no slip")
        elif result.ok:
            flash = t(request, "凭条已重新打印", "Slip reprinted")
        else:
            flash = t(request, f"打印失败：{result.error}", f"Printing failed: {result.error}")
        request.session["intake_flash"] = flash
        return RedirectResponse(_url(request, f"/staff/cases/{case_no.strip().upper()}"), status_code=303)

    @router.get("/staff/cases/{case_no}")
    def case_page(request: Request, case_no: str, user: StaffIdentity = Depends(require_staff)):
        return _case_page(request, case_no)

    @router.get("/staff/cases/{case_no}/phone")
    def case_phone(request: Request, case_no: str, user: StaffIdentity = Depends(require_staff)):
        """The full number, for a call-back: each view is recorded in the audit log."""
        try:
            number, phone = service.reveal_phone(ctx, case_no, f"web:{user.username}", client_ip(request))
        except service.NotFound:
            return page(request, t(request, "未找到这件诉求", "Case not found"), _nav(request), 404, stylesheets=STYLES)
        back = Markup('<p><a href="{}">{}</a></p>').format(_url(request, f"/staff/cases/{number}"), t(request, "返回诉求", "Back to the case"))
        if not phone:
            return page(request, number, _nav(request) + Markup("<p>{}</p>").format(t(request, "（无或已删除）", "(none or erased)")) + back,
                        stylesheets=STYLES)
        body = Markup('<p class="c-phone"><a href="tel:{}">{}</a></p><p class="meta">{}</p>').format(
            phone, phone, t(request, "这次查看已记入审计日志。请只用于回访。", "This view has been recorded in the audit log. Use it for the call-back only."))
        return page(request, t(request, f"{number} 联系电话", f"{number} phone"), _nav(request) + body + back, stylesheets=STYLES)

    @router.post("/staff/cases/{case_no}/{action}", openapi_extra=form_body(*ACTION_FIELDS))
    async def case_action(request: Request, case_no: str, action: str, user: StaffIdentity = Depends(require_staff)):
        form = await request.form()
        values = {k: str(form.get(k, "")) for k in ACTION_FIELDS}
        values["_action"] = action
        lang = lang_of(request)
        by = f"staff:{user.username}"
        if action == "reprint":
            return _reprint(request, case_no)
        try:
            if action == "rate":
                c = service.card(ctx, case_no)
                service.rate(ctx, c.case.id, values["level"], values["comment"], channel="phone", by=by)
            else:
                due = date.fromisoformat(values["due"]) if values["due"] else None
                days = int(values["days"]) if values["days"].strip() else None
                texts = {k: None if form.get(k) is None else values[k] for k in ("summary", "response")}  # absent: kept as they are
                service.transition(ctx, case_no, action, by=by, note=values["note"], kind=values["kind"] or None, team=values["team"] or None,
                                   due=due, days=days, into=values["into"], **texts)
        except Invalid as exc:
            return _case_page(request, case_no, field_errors(exc, lang), values, 400)
        except ValueError:  # a malformed date or number from the form
            return _case_page(request, case_no, {"due": t(request, "日期或天数格式不对", "Bad date or number")}, values, 400)
        except workflow.Refused as exc:
            return _case_page(request, case_no, {}, values, 409, flash=exc.en if lang == "en" else exc.zh)
        except service.NotFound:
            return page(request, t(request, "未找到这件诉求", "Case not found"), _nav(request), 404, stylesheets=STYLES)
        zh, en = workflow.ACTIONS.get(action, (action, action))
        request.session["intake_flash"] = t(request, f"已{zh}", f"Done: {en}")
        return RedirectResponse(_url(request, f"/staff/cases/{case_no.strip().upper()}"), status_code=303)

    return router
