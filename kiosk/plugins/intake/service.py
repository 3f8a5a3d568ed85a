"""The 民生流水线 as operations: file a case, move it through its states, rate it, grade and erase it.

The kiosk screens, the staff web desk, the CLI and Open311 all call these functions, so a rule is
enforced once. Every transition runs in one transaction with its timeline row; a refused move changes
nothing and says why (:class:`kiosk.plugins.intake.workflow.Refused`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kiosk.api import KioskContext, DateOutOfRange, usable, utcnow, IssuedReceipt, scoped_key, seal_token, unseal_token, Refusal
from kiosk.api.storage import bump_counter

from . import catalog, deadlines, workflow
from .models import Building, Case, CaseEvent, CaseRating, DayCounter, Team
from .validation import CHANNELS, Invalid, Submission, clean_text, validate
from .workflow import Refused

PLUGIN = "intake"
_KEY = re.compile(r"^[A-Za-z0-9_.:-]{1,80}$")
_CASE_NO = re.compile(r"^MS\d{6}-\d{3,5}$")
RATINGS = {"satisfied": ("满意", "Satisfied"), "basic": ("基本满意", "Mostly satisfied"), "unsatisfied": ("不满意", "Unsatisfied")}
NOTE_MAX = 1000


class NotFound(Refusal, LookupError):
    """No case with that number (a :class:`~kiosk.refusal.Refusal` answered with 404 on the web)."""

    status = 404

    def __init__(self, case_no: str):
        super().__init__("not_found", f"没有找到诉求编号 {case_no[:24]}", f"no case with the number {case_no[:24]!r}")
        self.args = (f"no case {case_no!r}",)
        self.case_no = case_no


@dataclass(frozen=True)
class IntakeSettings:
    retention_days: int = 365  # personal data erased this long after a case ends
    autoclose_days: int = 7  # a published case nobody rated closes after this many days
    max_extension_days: int = deadlines.MAX_EXTENSION_DAYS

    @classmethod
    def of(cls, ctx: KioskContext) -> "IntakeSettings":
        raw = ctx.settings.plugin_settings.get(PLUGIN, {})
        return cls(retention_days=max(1, int(raw.get("retention_days", 365))),
                   autoclose_days=max(1, int(raw.get("autoclose_days", 7))),
                   max_extension_days=max(1, int(raw.get("max_extension_days", deadlines.MAX_EXTENSION_DAYS))))


@dataclass
class FileResult:
    case: Case
    team: Team | None
    issued: IssuedReceipt | None
    url: str
    repeated: bool = False


@dataclass
class CaseCard:
    """A case with what every surface shows beside it (team, category, live deadline grade, timeline)."""

    case: Case
    category: catalog.Category | None
    team: Team | None
    building: Building | None
    level: str
    events: list[CaseEvent] = field(default_factory=list)
    ratings: list[CaseRating] = field(default_factory=list)


# -- reference data ------------------------------------------------------------------------------------
def category_map(ctx: KioskContext) -> dict[str, catalog.Category]:
    return {c.code: c for c in catalog.categories(ctx.settings)}


def buildings(ctx: KioskContext) -> list[Building]:
    with ctx.sessions() as s:
        return list(s.scalars(select(Building).order_by(Building.sort, Building.code)))


def teams(ctx: KioskContext) -> list[Team]:
    with ctx.sessions() as s:
        return list(s.scalars(select(Team).order_by(Team.sort, Team.code)))


def set_building(ctx: KioskContext, code: str, *, team: str | None = None, name: str | None = None, units: int | None = None,
                 by: str = "", ip: str = "") -> Building:
    """Add or change a building: its team (the routing map staff edit), name and number of entrances (audited)."""
    from kiosk.api import audit

    code = clean_text(code).removesuffix("号楼")
    if not code or len(code) > 16:
        raise Invalid([validation_error("building", "楼号为 1 到 16 个字符", "a building code is 1 to 16 characters")])
    if units is not None and not 1 <= units <= 20:
        raise Invalid([validation_error("units", "单元数应为 1 到 20", "a building has 1 to 20 entrances")])
    with ctx.transaction() as s:
        if team is not None and team != "" and s.get(Team, team) is None:
            raise Invalid([validation_error("team", f"没有“{team[:16]}”这个先锋队", f"no team {team[:16]!r}")])
        b = s.get(Building, code)
        if b is None:
            b = Building(code=code, name=name or f"{code}号楼", units=units or 3, sort=_sort_key(code))
            s.add(b)
        if team is not None:
            b.team_code = team or None
        if name:
            b.name = clean_text(name)[:40]
        if units is not None:
            b.units = units
        s.flush()
        audit.record(s, by, "setup.routing", f"building:{b.code}", {"team": b.team_code, "units": b.units}, ip)
        s.expunge(b)
        return b


def validation_error(field_name: str, zh: str, en: str):
    from .validation import FieldError

    return FieldError(field_name, zh, en)


def _sort_key(code: str) -> int:
    return int(code) if code.isdigit() else 10_000


# -- filing ----------------------------------------------------------------------------------------------
def _next_number(s: Session, day: str) -> int:
    return bump_counter(s, DayCounter, {"day": day})


def common_problem(cat: catalog.Category | None, problem: str) -> str:
    """``problem`` when it is one of the category's listed problems (a fixed label), else "": anything else
    was typed by a resident or a clerk (CLI ``--problem``, the staff form, Open311) and is never public."""
    return problem if cat is not None and problem and any(p.zh == problem for p in cat.problems) else ""


def known_values(case: Case) -> dict:
    """What is stored about the case's resident, for the public guard (their phone, surname with title)."""
    names = [case.surname + (case.title or ""), case.surname] if case.surname else []
    return {"phones": [case.phone] if case.phone else [], "names": names}


def _slip_lines(ctx: KioskContext, case: Case, cat: catalog.Category, building: Building, team: Team | None) -> list[str]:
    """The slip: fixed labels only (a typed problem stays off it), each line through the public guard."""
    where = building.name + (f" {case.unit}单元" if case.unit else "")
    lines = [f"类别：{cat.name}"]
    if common_problem(cat, case.problem):
        lines.append(f"问题：{case.problem}")
    lines += [f"地点：{where}", f"承办：{team.name if team else '社区服务中心'}",
              f"承诺办结：{case.due_date:%Y年%m月%d日}前", "办结后将在公示栏公示办理结果", "扫码可查看进度并评价"]
    return [ctx.mask_personal_data(line, **known_values(case)) for line in lines]


def resident_words(case: Case, cat: catalog.Category | None) -> list[str]:
    """The resident's own free text on the case (a typed problem, the description): never a public summary."""
    return [w for w in (case.problem if not common_problem(cat, case.problem) else "", case.description or "") if w]


def check_publishable(ctx: KioskContext, case: Case, summary: str, response: str) -> None:
    """Refuse a public summary or response that holds personal data or copies the resident's own words.

    Raises :class:`Invalid` with one message per field naming what was found, so staff edit the text
    (the form keeps what they typed)."""
    errors = []
    words = resident_words(case, catalog.category(ctx.settings, case.category))
    for name, text, zh, en in (("summary", summary, "公示摘要", "public summary"), ("response", response, "答复", "response")):
        try:
            ctx.refuse_personal_data(text, what=zh, what_en=en, **known_values(case))
        except ctx.PersonalDataFound as exc:
            errors.append(validation_error(name, exc.zh, exc.en))
            continue
        if text and any(clean_text(text) == clean_text(w) for w in words):
            errors.append(validation_error(name, f"{zh}不能照抄居民的原话，请用概括的说法（不含姓名、电话、门牌）",
                                           f"the {en} cannot copy the resident's own words: summarise it (no name, phone or flat)"))
    if errors:
        raise Invalid(errors)


def _existing(ctx: KioskContext, key: str) -> FileResult | None:
    with ctx.sessions() as s:
        case = s.scalar(select(Case).where(Case.idempotency_key == key))
        if case is None:
            return None
        token = unseal_token(ctx.settings.secret_key(), f"intake-case:{case.id}", case.token_sealed or "")
        team = s.get(Team, case.team_code) if case.team_code else None
        s.expunge_all()
        return FileResult(case, team, None, ctx.tracking_url(token), repeated=True)


def file_case(ctx: KioskContext, raw: dict, *, by: str = "", key: str | None = None, receipt: bool = True, client: str | None = None) -> FileResult:
    """Validate and store a new case with its first timeline row and (by default) its receipt, at once.

    The same idempotency ``key`` from the same ``client`` (``kiosk:<terminal>``, ``open311:<key id>``, ``cli``)
    twice returns the first case (a double tap or a retry after a timeout never files two); another client's
    key finds nothing (:func:`kiosk.receipts.scoped_key`). Raises :class:`Invalid` naming every wrong field.
    """
    if key is not None and not _KEY.match(key):
        raise Invalid([validation_error("key", "请求无效，请重试", "the idempotency key must be 1–80 letters, digits or . _ : -")])
    if key is not None and client:
        key = scoped_key(client, key)
    if key:
        found = _existing(ctx, key)
        if found:
            return found
    cats = category_map(ctx)
    with ctx.sessions() as s:
        units = {b.code: b.units for b in s.scalars(select(Building))}
    sub: Submission = validate(raw, cats, units, phone_required=raw.get("channel", "kiosk") in ("kiosk", "open311", "", None))
    cat = cats[sub.category]
    now = ctx.now()
    try:
        with ctx.transaction() as s:
            building = s.get(Building, sub.building)
            team = s.get(Team, building.team_code) if building.team_code else None
            day = now.strftime("%y%m%d")
            number = _next_number(s, day)
            case = Case(
                case_no=f"MS{day}-{number:03d}", category=sub.category, problem=sub.problem, building=sub.building, unit=sub.unit,
                channel=sub.channel, state="submitted", team_code=team.code if team else None, filed_at=utcnow(), filed_on=now.date(),
                due_date=deadlines.due_date(ctx.calendar, now.date(), cat.deadline_days), phone=sub.phone or None,
                surname=sub.surname or None, title=sub.title if sub.surname else "", name_public=sub.name_public, flat=sub.flat or None,
                description=sub.description or None, idempotency_key=key, terminal=ctx.terminal,
            )
            s.add(case)
            s.flush()
            s.add(CaseEvent(case_id=case.id, action="file", to_state="submitted", by=by or f"{sub.channel}:{ctx.terminal}",
                            detail={"channel": sub.channel}))
            issued = None
            url = ""
            if receipt:
                issued = ctx.issue_receipt(s, plugin=PLUGIN, kind="case", subject=str(case.id), number=case.case_no,
                                           title="民生诉求受理回执", lines=_slip_lines(ctx, case, cat, building, team), valid_days=0)
                case.receipt_id = issued.receipt.id
                url = issued.url
                if key:
                    case.token_sealed = seal_token(ctx.settings.secret_key(), f"intake-case:{case.id}", issued.token)
            s.flush()
            s.expunge_all()
            result = FileResult(case, team, issued, url)
    except IntegrityError:
        if key:
            found = _existing(ctx, key)
            if found:
                return found
        raise
    return result


# -- reading ---------------------------------------------------------------------------------------------
def _load(s: Session, case_no: str) -> Case:
    case_no = (case_no or "").strip().upper()
    case = s.scalar(select(Case).where(Case.case_no == case_no)) if _CASE_NO.match(case_no) else None
    if case is None:
        raise NotFound(case_no)
    return case


def reprint(ctx: KioskContext, case_no: str):
    """Staff reprint of a case's slip (the printer failed, or the slip was lost).

    The receipt stays the one committed with the case; a fresh token is added to it (only token hashes
    are stored, so the old one cannot be printed again) and the old slip's QR keeps working. Returns the
    :class:`kiosk.printing.PrintResult`, or None when the case was filed without a slip.
    """
    from kiosk.api import Receipt, add_token

    with ctx.transaction() as s:
        case = _load(s, case_no)
        receipt = s.get(Receipt, case.receipt_id) if case.receipt_id else None
        if receipt is None:
            return None
        issued = add_token(s, ctx.settings, receipt)
    return ctx.print_receipt(receipt.id, issued.layout)


def card(ctx: KioskContext, case_no: str | None = None, case_id: int | None = None) -> CaseCard:
    with ctx.sessions() as s:
        case = s.get(Case, case_id) if case_id is not None else _load(s, case_no or "")
        if case is None:
            raise NotFound(str(case_id))
        out = _card(ctx, s, case, with_events=True)
        s.expunge_all()
        return out


def reveal_phone(ctx: KioskContext, case_no: str, by: str, ip: str = "") -> tuple[str, str]:
    """The case number and the resident's full phone number for a call-back ("" once erased).

    Why a separate step: the case page shows the number masked; every look at the full number is an
    audit entry (``phone.view``), written in the same transaction that reads it.
    """
    from kiosk.api import audit

    with ctx.transaction() as s:
        case = _load(s, case_no or "")
        if case is None:
            raise NotFound(case_no)
        if case.phone:
            audit.record(s, by, "phone.view", f"case:{case.case_no}", ip=ip)
        return case.case_no, case.phone or ""


def _card(ctx: KioskContext, s: Session, case: Case, with_events: bool = False) -> CaseCard:
    cat = catalog.category(ctx.settings, case.category)
    events = list(s.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id))) if with_events else []
    ratings = list(s.scalars(select(CaseRating).where(CaseRating.case_id == case.id).order_by(CaseRating.id))) if with_events else []
    lvl = deadlines.level(ctx.calendar, case.due_date, ctx.today()) if workflow.is_open(case.state) and case.state not in ("resolved", "waiting_resident") else ""
    return CaseCard(case, cat, s.get(Team, case.team_code) if case.team_code else None, s.get(Building, case.building), lvl, events, ratings)


def cases_filed_by(ctx: KioskContext, by: str, *, case_no: str | None = None, limit: int = 1000) -> list[CaseCard]:
    """The cases whose first timeline row was written by ``by`` (an Open311 key: ``open311:key<id>``), newest first."""
    with ctx.sessions() as s:
        filed = select(CaseEvent.case_id).where(CaseEvent.action == "file", CaseEvent.by == by)
        q = select(Case).where(Case.id.in_(filed))
        if case_no is not None:
            q = q.where(Case.case_no == case_no)
        cards = [_card(ctx, s, c) for c in s.scalars(q.order_by(Case.id.desc()).limit(limit))]
        s.expunge_all()
    return cards


_LEVEL_ORDER = {"long_overdue": 0, "overdue": 1, "due_soon": 2, "": 3}


def list_cases(ctx: KioskContext, *, state: str | None = None, overdue: bool = False, team: str | None = None, category: str | None = None,
               open_only: bool = False, limit: int = 500) -> list[CaseCard]:
    """Cases for the desk: the most overdue first, then by due date (what the center head reads first)."""
    with ctx.sessions() as s:
        q = select(Case)
        if state:
            q = q.where(Case.state == state)
        if open_only or overdue:
            q = q.where(Case.state.in_([k for k, v in workflow.STATES.items() if v[2]]))
        if overdue:
            q = q.where(Case.due_date < ctx.today(), Case.state.not_in(("resolved", "waiting_resident")))
        if team:
            q = q.where(Case.team_code == team)
        if category:
            q = q.where(Case.category == category)
        cards = [_card(ctx, s, c) for c in s.scalars(q.order_by(Case.due_date, Case.id).limit(limit))]
        s.expunge_all()
    cards.sort(key=lambda c: (_LEVEL_ORDER[c.level], not workflow.is_open(c.case.state), c.case.due_date, c.case.id))
    return cards


def supervision(ctx: KioskContext) -> dict[str, list[CaseCard]]:
    """The supervisor's lists: long overdue (通报), overdue (督办), reopened twice or more."""
    open_cards = list_cases(ctx, open_only=True)
    with ctx.sessions() as s:
        reopened = [_card(ctx, s, c) for c in s.scalars(select(Case).where(Case.reopen_count >= 2).order_by(Case.id))]
        s.expunge_all()
    return {"long_overdue": [c for c in open_cards if c.level == "long_overdue"],
            "overdue": [c for c in open_cards if c.level == "overdue"],
            "reopened": reopened}


# -- transitions -----------------------------------------------------------------------------------------
def _require(value: str, field_name: str, zh: str, en: str, limit: int = NOTE_MAX) -> str:
    text = clean_text(value)
    if not text:
        raise Invalid([validation_error(field_name, zh, en)])
    if len(text) > limit:
        raise Invalid([validation_error(field_name, f"最多 {limit} 字", f"at most {limit} characters")])
    return text


def transition(ctx: KioskContext, case_no: str, action: str, *, by: str, note: str = "", kind: str | None = None, team: str | None = None,
               due: date | None = None, days: int | None = None, summary: str | None = None, response: str | None = None,
               into: str = "") -> Case:
    """Apply a staff action to a case; refuses illegal moves and missing inputs, changes nothing then.

    ``resolve`` and ``publish`` pass the public summary and response through the public guard
    (:func:`check_publishable`): personal data or a copy of the resident's words is refused, naming it."""
    note = clean_text(note)
    if len(note) > NOTE_MAX:
        raise Invalid([validation_error("note", f"备注最多 {NOTE_MAX} 字", f"a note is at most {NOTE_MAX} characters")])
    today = ctx.today()
    settings = IntakeSettings.of(ctx)
    with ctx.transaction() as s:
        case = _load(s, case_no)
        before = case.state
        after = workflow.next_state(before, action)
        detail: dict = {}
        if action == "accept":
            if kind not in workflow.KINDS:
                raise Invalid([validation_error("kind", "请选择件别（即办/承诺/补办/上报/建议）", f"the kind is one of {', '.join(workflow.KINDS)}")])
            case.kind = kind
            if team:
                if s.get(Team, team) is None:
                    raise Invalid([validation_error("team", f"没有“{team[:16]}”这个先锋队", f"no team {team[:16]!r}")])
                case.team_code = team
            if due is not None:
                if due < today:
                    raise Invalid([validation_error("due", "办结期限不能早于今天", "the due date cannot be in the past")])
                try:
                    case.due_date = usable(due)  # 9999-12-31 would overflow when the case is extended or paused
                except DateOutOfRange as exc:
                    raise Invalid([validation_error("due", exc.zh, exc.en)]) from None
            elif kind == "instant":
                case.due_date = min(case.due_date, ctx.calendar.next_workday(today))
            detail = {"kind": kind, "team": case.team_code, "due": case.due_date.isoformat()}
        elif action == "wait":
            note = _require(note, "note", "请写明需要居民补充什么", "say what the resident must provide")
            case.paused_on = today
        elif action == "resume":
            if case.paused_on:
                case.due_date = deadlines.after_pause(ctx.calendar, case.due_date, case.paused_on, today)
                detail = {"paused_since": case.paused_on.isoformat(), "due": case.due_date.isoformat()}
            case.paused_on = None
        elif action == "escalate":
            note = _require(note, "note", "请写明上报给哪个部门、为什么", "say where it goes and why")
        elif action == "reply":
            note = _require(note, "note", "请写明上级的答复", "write the higher level's reply")
        elif action == "extend":
            if case.extended:
                raise Refused("这件诉求已经延期过一次，不能再延期", "a case can be extended only once")
            note = _require(note, "note", "延期必须写明理由", "an extension needs a reason")
            if not days or not 1 <= days <= settings.max_extension_days:
                raise Invalid([validation_error("days", f"延期天数应为 1 到 {settings.max_extension_days} 个工作日",
                                                f"extend by 1 to {settings.max_extension_days} working days")])
            old = case.due_date
            case.due_date = ctx.calendar.add_workdays(old, days)
            case.extended = True
            detail = {"from": old.isoformat(), "to": case.due_date.isoformat(), "days": days}
        elif action == "resolve":
            response = _require(response, "response", "办结时必须填写给居民的答复", "a resolved case needs a public response", 2000)
            summary = clean_text(summary or "")[:500]  # no summary: the public sees the category, state and dates only
            check_publishable(ctx, case, summary, response)
            case.public_summary, case.public_response = summary, response
            case.resolved_at = utcnow()
        elif action == "publish":
            if summary is not None:  # staff may correct the texts as they publish (None: keep them)
                case.public_summary = clean_text(summary)[:500]
            if response is not None:
                case.public_response = _require(response, "response", "公示时必须有给居民的答复", "a published case needs a public response", 2000)
            check_publishable(ctx, case, case.public_summary, case.public_response)
            case.published_at = utcnow()
        elif action == "close":
            if before == "submitted":
                note = _require(note, "note", "不予受理必须写明理由", "say why the case is not accepted")
            case.closed_at = utcnow()
        elif action == "reopen":
            note = _require(note, "note", "重新办理请写明原因", "say why the case is reopened")
            _reopen(ctx, case, today)
        elif action == "withdraw":
            case.closed_at = utcnow()
        elif action == "merge":
            target = _load(s, into) if into else None
            if target is None or target.id == case.id:
                raise Invalid([validation_error("into", "请填写要合并到的另一件诉求编号", "give the number of the other case")])
            if target.state in ("merged", "archived", "withdrawn"):
                raise Refused(f"{target.case_no} 已{workflow.state_name(target.state)}，不能作为合并目标",
                              f"{target.case_no} is {workflow.state_name(target.state, 'en').lower()} and cannot take a duplicate")
            case.merged_into = target.case_no
            case.closed_at = utcnow()
            s.add(CaseEvent(case_id=target.id, action="note", from_state=target.state, to_state=target.state, by=by,
                            note=f"{case.case_no} 作为重复诉求合并到本件"))
            detail = {"into": target.case_no}
        elif action == "note":
            note = _require(note, "note", "备注不能为空", "the note is empty")
        elif action == "archive":
            pass
        elif action == "rate":
            raise Refused("评价请用评价功能", "use rate() for ratings")
        case.state = after
        s.add(CaseEvent(case_id=case.id, action=action, from_state=before, to_state=after, by=by, note=note, detail=detail))
        s.flush()
        s.expunge(case)
        return case


def _reopen(ctx: KioskContext, case: Case, today: date) -> None:
    cat = catalog.category(ctx.settings, case.category)
    case.reopen_count += 1
    case.due_date = deadlines.due_date(ctx.calendar, today, cat.deadline_days if cat else 5)
    case.extended = False
    case.resolved_at = case.published_at = case.closed_at = None
    case.supervision = ""


def rate(ctx: KioskContext, case_id: int, level: str, comment: str = "", *, channel: str = "web", by: str = "") -> Case:
    """跟踪监督: the resident's rating. 满意/基本满意 close the case; 不满意 reopens it (twice: the supervisor's list)."""
    if level not in RATINGS:
        raise Invalid([validation_error("level", "请选择 满意、基本满意 或 不满意", "choose satisfied, basic or unsatisfied")])
    comment = clean_text(comment)
    if len(comment) > 500:
        raise Invalid([validation_error("comment", "意见最多 500 字", "a comment is at most 500 characters")])
    if level == "unsatisfied" and not comment:
        raise Invalid([validation_error("comment", "请简单说说哪里不满意，我们重新办理", "tell us what is not right so we can work on it again")])
    today = ctx.today()
    with ctx.transaction() as s:
        case = s.get(Case, case_id)
        if case is None:
            raise NotFound(str(case_id))
        if case.state not in workflow.RATEABLE:
            raise Refused("这件诉求现在不能评价（办结后才能评价，每次办结评价一次）",
                          "this case cannot be rated now (once, after it is resolved)")
        before = case.state
        s.add(CaseRating(case_id=case.id, level=level, comment=comment, channel=channel, by=by))
        if level == "unsatisfied":
            _reopen(ctx, case, today)
            case.state = "reopened"
        else:
            case.state = "closed"
            case.closed_at = utcnow()
        s.add(CaseEvent(case_id=case.id, action="rate", from_state=before, to_state=case.state, by=by or channel,
                        note=comment, detail={"level": level, "channel": channel}))
        s.flush()
        s.expunge(case)
        return case


def channel_name(code: str, lang: str = "zh") -> str:
    zh, en = CHANNELS.get(code, (code, code))
    return en if lang == "en" else zh


def rating_name(code: str, lang: str = "zh") -> str:
    zh, en = RATINGS.get(code, (code, code))
    return en if lang == "en" else zh
