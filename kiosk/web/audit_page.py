"""``/staff/audit``: the audit log for administrators, newest first, filtered by time, action and actor.

Why only administrators: the log names who looked at which case's phone number and who logged in
from where; it is there to answer for the staff's own actions, so the staff do not browse it.
"""

from __future__ import annotations

import json

from fastapi import APIRouter, Depends, Request

from kiosk import audit
from kiosk.web.auth import StaffIdentity, require_admin
from kiosk.web.templating import gettext_for, render

router = APIRouter()
LIMIT = 500


@router.get("/staff/audit")
def audit_page(request: Request, since: str = "", action: str = "", actor: str = "",
               user: StaffIdentity = Depends(require_admin)):
    ctx = request.app.state.ctx
    _ = gettext_for(request)
    tz = ctx.settings.tz
    error, status, rows = "", 200, []
    try:
        start = audit.parse_since(since, tz)
    except audit.BadSince:
        error, status, start = _("“Since” must be a date like 2026-12-01 or a date and time like 2026-12-01T08:30."), 400, None
    if not error:
        found = audit.entries(ctx, since=start, action=audit.action_filter(action), actor=actor.strip()[:64] or None,
                              limit=LIMIT)
        rows = [{"at": r.at.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S"), "actor": r.actor, "action": r.action,
                 "target": r.target, "ip": r.ip,
                 "detail": json.dumps(r.detail, ensure_ascii=False, sort_keys=True) if r.detail else ""}
                for r in found]
    return render(request, "staff_audit.html", status, title=_("Audit log"), rows=rows, error=error, limit=LIMIT,
                  since=since[:40], action=action[:64], actor=actor[:64])
