"""Open311 GeoReport v2 under ``/open311/v2/``: services, published requests, and POST with an API key.

Detailed states map onto Open311's two (``open``/``closed``) with the detailed one in ``status_notes``.
``requests.json`` lists published cases only (the last 90 days unless a date range is given), built from
the public projection (whose texts passed the public guard) and checked once more on the way out. A single
request that is not published (or is of a private category) shows anonymous readers its status and dates
only: no category, building or team. The API key that filed a request (``api_key`` on GET) sees its own
requests in full, published or not. Phone, name and flat are accepted on POST and never returned.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from kiosk.api import KioskContext, apikeys, FIRST_YEAR, LAST_YEAR, DateOutOfRange, parse_time
from kiosk.api.web import form_body, RateLimited, limit_lookups

from . import catalog, public, service, workflow
from .models import Case
from .validation import Invalid

PREFIX = "/open311/v2"
SCOPE = "open311"  # the API-key scope that may POST requests


def create_api_key(ctx: KioskContext, name: str, by: str = "") -> str:
    """A new key with the ``open311`` scope (``kiosk cases api-key``; the same as ``kiosk api-key create --scope open311``)."""
    return apikeys.create(ctx, name[:60], ["open311"], by=by, prefix="k311_")[1]


def _key(ctx: KioskContext, key: str) -> apikeys.KeyInfo | None:
    found = apikeys.check(ctx, key)
    return found if found is not None and SCOPE in found.scopes else None


def filer(info: apikeys.KeyInfo) -> str:
    """How a key is written as the author of the cases it files (the timeline's ``by``)."""
    return f"open311:key{info.id}"


def _error(status: int, description: str) -> JSONResponse:
    return JSONResponse([{"code": status, "description": description}], status)


def _iso(when: datetime | None) -> str | None:
    return when.astimezone(timezone.utc).isoformat().replace("+00:00", "Z") if when else None


def _service(cat: catalog.Category) -> dict:
    return {"service_code": cat.code, "service_name": cat.name, "description": cat.name_en, "metadata": True, "type": "realtime",
            "keywords": ",".join(p.zh for p in cat.problems), "group": "民生诉求"}


def _public_request(ctx: KioskContext, p: public.PublicCase) -> dict:
    return {"service_request_id": p.case_no, "status": public.open311_status(p.state), "status_notes": workflow.state_name(p.state),
            "service_name": p.category_name, "service_code": p.category, "description": p.summary, "agency_responsible": p.team,
            "service_notice": p.response, "requested_datetime": _iso(p.filed_at), "updated_datetime": _iso(p.published_at),
            "expected_datetime": p.due_date, "address": p.building, "address_id": None, "zipcode": None, "lat": None, "long": None,
            "media_url": None}


def _guarded(ctx: KioskContext, row: dict) -> dict:
    """The public guard once more on the way out: a text that holds personal data is dropped, never shown."""
    return {k: ("" if isinstance(v, str) and ctx.find_personal_data(v) else v) for k, v in row.items()}


def _status_only(c: service.CaseCard) -> dict:
    """What anyone may know of a request that is not public: its state and its dates."""
    case = c.case
    updated = max(t for t in (case.filed_at, case.resolved_at, case.published_at, case.closed_at) if t is not None)
    return {"service_request_id": case.case_no, "status": public.open311_status(case.state), "status_notes": workflow.state_name(case.state),
            "requested_datetime": _iso(case.filed_at), "updated_datetime": _iso(updated), "expected_datetime": case.due_date.isoformat()}


def _own_request(ctx: KioskContext, c: service.CaseCard) -> dict:
    """A request as the key that filed it sees it: everything but the phone, the name and the flat."""
    case = c.case
    where = (c.building.name if c.building else case.building) + (f" {case.unit}单元" if case.unit else "")
    return _status_only(c) | {
        "service_name": c.category.name if c.category else case.category, "service_code": case.category,
        "description": "\n".join(w for w in (case.problem, case.description or "") if w), "agency_responsible": c.team.name if c.team else None,
        "service_notice": case.public_response or None, "address": where, "address_id": None, "zipcode": None, "lat": None,
        "long": None, "media_url": None}


def build_router(ctx: KioskContext) -> APIRouter:
    router = APIRouter(prefix=PREFIX)

    @router.get("/services.json")
    def services():
        return [_service(c) for c in catalog.categories(ctx.settings)]

    @router.get("/services/{code}.json")
    def service_definition(code: str):
        cat = catalog.category(ctx.settings, code)
        if cat is None:
            return _error(404, f"no service {code[:20]!r}")
        blds = service.buildings(ctx)
        return {"service_code": cat.code, "attributes": [
            {"variable": True, "code": "building", "datatype": "singlevaluelist", "required": True, "datatype_description": "楼号",
             "order": 1, "description": "楼号 Building", "values": [{"key": b.code, "name": b.name} for b in blds]},
            {"variable": True, "code": "unit", "datatype": "number", "required": False, "datatype_description": "单元",
             "order": 2, "description": "单元 Entrance"},
            {"variable": True, "code": "problem", "datatype": "singlevaluelist", "required": False, "datatype_description": "常见问题",
             "order": 3, "description": "常见问题 Common problem", "values": [{"key": p.zh, "name": p.zh} for p in cat.problems if not p.emergency]},
        ]}

    def _caller(api_key: str):
        """(key, error): no key is an anonymous reader; a wrong one is refused rather than read as anonymous."""
        if not api_key:
            return None, None
        info = _key(ctx, api_key)
        return info, (None if info else _error(403, "api_key is not a valid Open311 key"))

    @router.get("/requests.json")
    def requests_list(request: Request, service_request_id: str = "", service_code: str = "", start_date: str = "", end_date: str = "",
                      status: str = "", api_key: str = ""):
        try:
            start = parse_time(start_date) if start_date else None
            end = parse_time(end_date) if end_date else None
        except DateOutOfRange:
            return _error(400, f"start_date 和 end_date 须在 {FIRST_YEAR}–{LAST_YEAR} 年之间 / "
                               f"start_date and end_date must lie between the years {FIRST_YEAR} and {LAST_YEAR}")
        except ValueError:
            return _error(400, "start_date and end_date are W3C date-times, e.g. 2026-11-01T00:00:00Z")
        if start and start.tzinfo is None or end and end.tzinfo is None:
            return _error(400, "start_date and end_date need a time zone, e.g. Z")
        if status and status not in ("open", "closed"):
            return _error(400, "status is open or closed")
        info, refused = _caller(api_key)
        if refused:
            return refused
        ids = [x.strip().upper() for x in service_request_id.split(",") if x.strip()][:50]
        if ids:
            rows = [p for i in ids for p in public.published_cases(ctx, case_no=i, limit=1)]
        else:
            # as the spec suggests: without a date range, the last 90 days (at most 1,000 requests)
            since = None if start or end else ctx.now() - timedelta(days=90)
            rows = public.published_cases(ctx, limit=1000, category=service_code or None, start=start, end=end, published_since=since)
        out = [_guarded(ctx, _public_request(ctx, p)) for p in rows]
        if info is not None:  # the key's own requests, in full, in place of their public view
            own = [c for c in service.cases_filed_by(ctx, filer(info)) if (not ids or c.case.case_no in ids)
                   and (not service_code or c.case.category == service_code) and (not start or c.case.filed_at >= start)
                   and (not end or c.case.filed_at <= end)]
            mine = {c.case.case_no for c in own}
            out = [_own_request(ctx, c) for c in own] + [r for r in out if r["service_request_id"] not in mine]
        return [r for r in out if not status or r["status"] == status]

    @router.get("/requests/{case_no}.json")
    def request_one(request: Request, case_no: str, api_key: str = ""):
        try:
            limit_lookups(request)
        except RateLimited as exc:
            return JSONResponse([{"code": 429, "description": "too many look-ups"}], 429, {"Retry-After": str(exc.retry_after)})
        info, refused = _caller(api_key)
        if refused:
            return refused
        case_no = case_no.strip().upper()
        if info is not None:
            own = service.cases_filed_by(ctx, filer(info), case_no=case_no, limit=1)
            if own:
                return [_own_request(ctx, own[0])]
        found = public.published_cases(ctx, case_no=case_no, limit=1)
        if found:
            return [_guarded(ctx, _public_request(ctx, found[0]))]
        try:
            c = service.card(ctx, case_no)
        except service.NotFound:
            return _error(404, f"no request {case_no[:24]!r}")
        # not public (yet), or of a private category: the same few fields for every such case, so the
        # answer tells nothing of what the request is about, where, or who handles it
        return [_status_only(c)]

    @router.post("/requests.json", openapi_extra=form_body(
        "api_key", "service_code", "attribute[building]", "attribute[unit]", "attribute[problem]", "phone", "last_name",
        "description", "attribute[idempotency_key]", required=("api_key", "service_code"), csrf=False))
    async def request_create(request: Request):
        form = await request.form()
        info = _key(ctx, str(form.get("api_key", "")))
        if info is None:
            return _error(403, "a valid api_key is required")
        surname = str(form.get("last_name", "") or "")
        raw = {"category": str(form.get("service_code", "")), "building": str(form.get("attribute[building]", "")),
               "unit": str(form.get("attribute[unit]", "")), "problem": str(form.get("attribute[problem]", "")),
               "phone": str(form.get("phone", "")), "surname": surname, "description": str(form.get("description", "")),
               "channel": "open311"}
        key = str(form.get("attribute[idempotency_key]", "") or "") or None
        try:
            r = service.file_case(ctx, raw, by=filer(info), key=key, client=f"open311:{info.id}")  # only this key's own case
        except Invalid as exc:
            return JSONResponse([{"code": 400, "description": f"{e.field}: {e.en}"} for e in exc.errors], 400)
        return [{"service_request_id": r.case.case_no, "service_notice": f"承诺 {r.case.due_date.isoformat()} 前办结",
                 "account_id": None, "token": None}]

    return router


__all__ = ["build_router", "create_api_key", "Case"]
