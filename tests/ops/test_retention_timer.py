"""What ``kiosk-tick.timer`` runs, end to end: ``kiosk tick`` erases personal data once its time has come,
once per business day however often the timer fires."""

from __future__ import annotations

import json
import sqlite3

from kit import run_kiosk


def test_hourly_kiosk_tick_erases_personal_data_after_the_retention_time(isolated_env):
    filed = {"KIOSK_NOW": "2025-11-03T09:00:00+08:00"}
    run_kiosk("demo-data", env=filed)
    case = json.loads(run_kiosk("cases", "file", "--category", "repair", "--building", "12", "--unit", "2",
                          "--phone", "13812341234", "--surname", "张", "--title", "先生", "--problem", "楼道灯不亮",
                          "--json", env=filed).stdout)
    run_kiosk("cases", "close", case["case_no"], "--note", "不属于社区职责，已告知居民拨打12345", env=filed)
    db = isolated_env / "kiosk.sqlite3"

    def personal():
        conn = sqlite3.connect(db)
        try:
            return conn.execute("SELECT phone, surname, state FROM intake_case WHERE case_no = ?", (case["case_no"],)).fetchone()
        finally:
            conn.close()

    assert personal()[:2] == ("13812341234", "张")
    early = json.loads(run_kiosk("tick", "--json", env={"KIOSK_NOW": "2026-11-02T00:05:00+08:00"}).stdout)
    assert "intake" in early["ran"] and personal()[:2] == ("13812341234", "张")  # 364 days: kept
    # A year and a day later: the 00:05 run erases; the 01:05 run the same day has nothing to do.
    first = json.loads(run_kiosk("tick", "--json", env={"KIOSK_NOW": "2026-11-05T00:05:00+08:00"}).stdout)
    again = json.loads(run_kiosk("tick", "--json", env={"KIOSK_NOW": "2026-11-05T01:05:00+08:00"}).stdout)
    assert "intake" in first["ran"] and again["ran"] == []
    assert personal() == (None, None, "archived")
