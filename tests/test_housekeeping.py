"""The daily tick runs once per business day across every terminal sharing the database."""

from __future__ import annotations

from kiosk import hookimpl
from kiosk.housekeeping import run_daily_tick


class Ticker:
    def __init__(self):
        self.days = []

    @hookimpl
    def kiosk_daily_tick(self, ctx, today):
        self.days.append(today)


class BrokenTicker:
    @hookimpl
    def kiosk_daily_tick(self, ctx, today):
        raise RuntimeError("tick broke")


def test_tick_runs_once_per_day_across_terminals(db_url, make_host, make_ctx, monkeypatch):
    first, second = Ticker(), Ticker()
    a = make_ctx(make_host(t=first, broken=BrokenTicker()), db_url, KIOSK_NOW="2026-11-30T00:05:00+08:00")
    b = make_ctx(make_host(t=second), db_url)
    assert run_daily_tick(a) == ["t"]  # the broken one is not reported as done
    assert "tick broke" in a.host.errors["broken"]
    assert run_daily_tick(b) == [] and run_daily_tick(a) == []
    # 23:59 on the 30th in Tai'an is still the same business day, 00:00 the next one.
    monkeypatch.setenv("KIOSK_NOW", "2026-11-30T15:59:00+00:00")
    assert run_daily_tick(b) == []
    monkeypatch.setenv("KIOSK_NOW", "2026-11-30T16:00:00+00:00")
    assert run_daily_tick(b) == ["t"]
    assert [d.isoformat() for d in first.days + second.days] == ["2026-11-30", "2026-12-01"]
    assert run_daily_tick(a, force=True) == ["t"]
