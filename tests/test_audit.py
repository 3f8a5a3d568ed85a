"""The audit log is written in the action's own transaction: a rolled-back action leaves no entry."""

from datetime import timedelta

import pytest

from kiosk import audit
from kiosk.clock import utcnow


def test_entries_commit_and_roll_back_with_their_action(make_host, make_ctx):
    ctx = make_ctx(make_host())
    with ctx.transaction() as session:
        audit.record(session, "admin", "staff.add", "staff:clerk2", {"role": "staff"}, ip="127.0.0.1")
    with pytest.raises(RuntimeError):
        with ctx.transaction() as session:
            audit.record(session, "admin", "staff.deactivate", "staff:clerk2")
            raise RuntimeError("the action failed")
    rows = audit.entries(ctx)
    assert [(r.actor, r.action, r.target) for r in rows] == [("admin", "staff.add", "staff:clerk2")]
    assert rows[0].as_json()["detail"] == {"role": "staff"} and rows[0].ip == "127.0.0.1"
    assert audit.entries(ctx, since=utcnow() + timedelta(minutes=1)) == []
    assert len(audit.entries(ctx, action="staff.")) == 1 and audit.entries(ctx, action="auth.") == []
