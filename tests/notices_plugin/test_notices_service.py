"""The notices' rules on SQLite and PostgreSQL: scheduling at the boundaries, approval, history, seasons,
ordering, banners, and outcomes other plugins publish."""

from __future__ import annotations

from datetime import datetime, timezone
from io import BytesIO

import pytest
from PIL import Image

from kiosk import hookimpl
from kiosk.plugins.notices import entries, images, service
from kiosk.plugins.notices.service import NoticeError
from kiosk.types import PublicOutcome


def ids(ctx, board=None):
    return [n.id for n in service.showing(ctx, board)]


def test_a_notice_ending_at_18_is_gone_at_18_in_shanghai(nctx, monkeypatch):
    n = service.create(nctx, board="notice", title="停水通知", body="今天停水", start="2026-11-30T10:00", end="2026-11-30T18:00", by="clerk")
    assert n.state == "published"
    assert n.end_at == datetime(2026, 11, 30, 10, 0, tzinfo=timezone.utc)  # 18:00 in Tai'an is 10:00 UTC
    for now, shown in [("2026-11-30T09:59:59+08:00", False), ("2026-11-30T10:00:00+08:00", True),
                       ("2026-11-30T17:59:59+08:00", True), ("2026-11-30T18:00:00+08:00", False),
                       ("2026-11-30T10:00:00+00:00", False)]:  # the same instant as 18:00 +08:00
        monkeypatch.setenv("KIOSK_NOW", now)
        assert (n.id in ids(nctx)) is shown, now
        assert (entries.find(nctx, str(n.id)) is not None) is shown, now


def test_times_with_offsets_and_dates_alone(nctx):
    a = service.create(nctx, board="notice", title="a", body="", start="2026-11-30T08:00:00+00:00", end="2026-12-31", by="x")
    assert a.start_at == datetime(2026, 11, 30, 8, 0, tzinfo=timezone.utc)
    assert a.end_at == datetime(2026, 12, 31, 16, 0, tzinfo=timezone.utc)  # the end of Dec 31 in Tai'an
    b = service.create(nctx, board="notice", title="b", body="", by="x")
    assert b.start_at == datetime(2026, 11, 30, 1, 0, tzinfo=timezone.utc)  # KIOSK_NOW, not the wall clock
    with pytest.raises(NoticeError) as err:
        service.create(nctx, board="notice", title="c", body="", start="明天", by="x")
    assert err.value.code == "bad_time"


@pytest.mark.parametrize("fields, code", [
    ({"title": "   "}, "empty_title"),
    ({"title": "\x00\x01"}, "empty_title"),
    ({"title": "长" * 101}, "long_title"),
    ({"board": "nope"}, "unknown_board"),
    ({"board": "outcomes"}, "fed_board"),
    ({"start": "2026-12-01T10:00", "end": "2026-12-01T09:00"}, "end_before_start"),
    ({"start": "2026-12-01T10:00", "end": "2026-12-01T10:00"}, "end_before_start"),
    ({"body": "字" * 20_001}, "long_body"),
    ({"season": "monsoon"}, "unknown_season"),
])
def test_invalid_notices_are_refused(sctx, fields, code):
    args = {"board": "notice", "title": "标题", "body": "正文"} | fields
    with pytest.raises(NoticeError) as err:
        service.create(sctx, by="clerk", **args)
    assert err.value.code == code and err.value.zh and err.value.en
    assert service.all_notices(sctx) == []


def test_party_notices_need_another_administrator(nctx):
    n = service.create(nctx, board="party", title="党费收缴情况公示", body="……", by="admin")
    assert n.state == "pending" and n.id not in ids(nctx)
    with pytest.raises(NoticeError) as err:
        service.approve(nctx, n.id, by="admin")  # the author
    assert err.value.code == "same_person"
    with pytest.raises(NoticeError) as err:
        service.approve(nctx, n.id, by="cli:admin")  # the same person through the CLI
    assert err.value.code == "same_person"
    with pytest.raises(NoticeError) as err:
        service.approve(nctx, n.id, by="clerk")  # not an administrator
    assert err.value.code == "not_admin"
    with pytest.raises(NoticeError):
        service.approve(nctx, n.id, by="nobody")
    approved = service.approve(nctx, n.id, by="director")
    assert approved.state == "published" and approved.approved_by == "director" and n.id in ids(nctx)
    with pytest.raises(NoticeError) as err:
        service.approve(nctx, n.id, by="director")
    assert err.value.code == "not_pending"
    # Changing the words takes the approval back; the editor cannot approve their own edit, the author can review it.
    edited = service.edit(nctx, n.id, by="director", body="更正后的内容")
    assert edited.state == "pending" and edited.approved_by is None and n.id not in ids(nctx)
    with pytest.raises(NoticeError):
        service.approve(nctx, n.id, by="director")
    assert service.approve(nctx, n.id, by="admin").state == "published"
    # Pinning is not content: no new approval.
    assert service.edit(nctx, n.id, by="clerk", pinned=True).state == "published"
    # Withdrawn and published again, the approved content needs no new approval.
    service.withdraw(nctx, n.id, by="clerk")
    assert n.id not in ids(nctx)
    assert service.publish(nctx, n.id, by="clerk").state == "published"


def test_moving_a_notice_to_the_party_board_needs_approval(nctx):
    n = service.create(nctx, board="notice", title="t", body="b", by="clerk")
    assert service.edit(nctx, n.id, by="clerk", board="party").state == "pending"
    draft = service.create(nctx, board="party", title="草稿", body="b", by="clerk", publish=False)
    assert draft.state == "draft"
    assert service.publish(nctx, draft.id, by="clerk").state == "pending"


def test_edits_keep_a_history(nctx, monkeypatch):
    n = service.create(nctx, board="notice", title="旧标题", body="第一行\n第二行", by="clerk")
    monkeypatch.setenv("KIOSK_NOW", "2026-11-30T10:30:00+08:00")
    service.edit(nctx, n.id, by="admin", title="新标题", body="第一行\n改过的第二行", urgent=True)
    service.edit(nctx, n.id, by="admin", title="新标题")  # no change, no row
    service.withdraw(nctx, n.id, by="clerk")
    rows = service.history(nctx, n.id)
    assert [(r.action, r.by) for r in rows] == [("create", "clerk"), ("edit", "admin"), ("withdraw", "clerk")]
    edit = rows[1]
    assert edit.at == datetime(2026, 11, 30, 2, 30, tzinfo=timezone.utc)
    assert edit.changes["title"] == ["旧标题", "新标题"] and edit.changes["urgent"] == [False, True]
    assert edit.changes["body"] == ["第一行\n第二行", "第一行\n改过的第二行"]
    assert rows[2].changes == {"state": ["published", "withdrawn"]}
    assert service.get(nctx, n.id).updated_by == "clerk"


def test_board_order_urgent_then_pinned_then_newest(nctx):
    old = service.create(nctx, board="notice", title="old", body="", start="2026-11-01T08:00", by="x")
    new = service.create(nctx, board="notice", title="new", body="", start="2026-11-29T08:00", by="x")
    pinned = service.create(nctx, board="notice", title="pinned", body="", start="2026-10-01T08:00", pinned=True, by="x")
    urgent = service.create(nctx, board="notice", title="urgent", body="", start="2026-09-01T08:00", urgent=True, by="x")
    service.create(nctx, board="science", title="other board", body="", by="x")
    assert ids(nctx, "notice") == [urgent.id, pinned.id, new.id, old.id]
    assert [e.key for e in entries.board_entries(nctx, "notice")] == [str(i) for i in (urgent.id, pinned.id, new.id, old.id)]


def test_seasons_future_drafts_and_banners(nctx, monkeypatch):
    heating = service.create(nctx, board="notice", title="暖气不热请登记", body="", season="heating", urgent=True, by="x")
    later = service.create(nctx, board="notice", title="下周停电", body="", start="2026-12-07T08:00", urgent=True, by="x")
    service.create(nctx, board="notice", title="草稿", body="", urgent=True, by="x", publish=False)
    assert ids(nctx) == [heating.id]
    assert service.urgent_titles(nctx) == ["暖气不热请登记"]
    monkeypatch.setenv("KIOSK_NOW", "2027-04-01T09:00:00+08:00")  # the heating season is over
    assert ids(nctx) == [later.id]
    assert service.urgent_titles(nctx) == ["下周停电"]
    assert service.display_status(heating, datetime(2027, 4, 1, tzinfo=timezone.utc), service.season_names(nctx)) == "off_season"


def test_home_banner_hook(nctx):
    service.create(nctx, board="notice", title="今天下午大厅停电", body="", urgent=True, by="x")
    assert dict(nctx.host.call("kiosk_home_banners", ctx=nctx, lang="zh_CN")) == {"notices": ["今天下午大厅停电"]}


class OutcomePlugin:
    """A stand-in for the request intake plugin: it publishes one resolved case."""

    @hookimpl
    def kiosk_public_outcomes(self, ctx, lang):
        return [
            PublicOutcome(id="C0007", title="3 号楼暖气不热已处理", body="供热公司已于 11 月 28 日更换阀门。\n\n<script>x</script>",
                          published_at=datetime(2026, 11, 29, 10, 0, tzinfo=timezone.utc), url="http://kiosk.test/t/abc"),
            PublicOutcome(id="C0008", title="future", body="", published_at=datetime(2026, 12, 5, tzinfo=timezone.utc)),
        ]


class BrokenOutcomes:
    @hookimpl
    def kiosk_public_outcomes(self, ctx, lang):
        raise RuntimeError("database of cases is down")


class SillyOutcomes:
    @hookimpl
    def kiosk_public_outcomes(self, ctx, lang):
        return ["not an outcome", PublicOutcome(id="x", title="naive", body="", published_at=datetime(2026, 1, 1))]


def test_outcomes_from_other_plugins_appear_on_their_board(nctx):
    nctx.host.register(OutcomePlugin(), name="intake")
    nctx.host.register(BrokenOutcomes(), name="broken")
    nctx.host.register(SillyOutcomes(), name="silly")
    found = entries.board_entries(nctx, "outcomes")
    assert [e.key for e in found] == ["o/intake/C0007"]  # the future one is not shown yet
    entry = found[0]
    assert entry.title == "3 号楼暖气不热已处理" and entry.link == "http://kiosk.test/t/abc"
    assert entry.date.isoformat() == "2026-11-29T18:00:00+08:00"
    assert entry.blocks[1].text() == "<script>x</script>"  # plain text: escaped wherever it is shown
    assert entries.find(nctx, "o/intake/C0007") == entry and entries.find(nctx, "o/intake/nope") is None
    errors = nctx.last_errors()
    assert "database of cases is down" in errors["broken"] and "PublicOutcome" in errors["silly"]
    assert "notices" not in errors and "intake" not in errors


def _png(size=(40, 30), mode="RGB") -> bytes:
    out = BytesIO()
    Image.new(mode, size, "red").save(out, "PNG")
    return out.getvalue()


def test_pictures_are_reencoded_and_count_as_content(nctx):
    n = service.create(nctx, board="party", title="t", body="b", by="clerk")
    service.approve(nctx, n.id, by="admin")
    big = BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    Image.new("RGB", (3200, 1600), "blue").save(big, "JPEG", exif=exif)
    row = images.set_image(nctx, n.id, big.getvalue(), by="clerk")
    assert (row.width, row.height, row.mime) == (1600, 800, "image/jpeg")
    assert b"PhoneMaker" not in row.data
    assert service.get(nctx, n.id).state == "pending"  # a new picture needs a new approval
    assert entries.find(nctx, str(n.id)) is None
    service.approve(nctx, n.id, by="admin")
    assert entries.find(nctx, str(n.id)).image
    assert images.set_image(nctx, n.id, _png(mode="RGBA"), by="x").mime == "image/png"
    for bad in (b"", b"<svg xmlns='http://www.w3.org/2000/svg'/>", b"GIF89a broken"):
        with pytest.raises(NoticeError):
            images.set_image(nctx, n.id, bad, by="x")
    images.remove_image(nctx, n.id, by="x")
    assert images.image_of(nctx, n.id) is None
    assert [r.action for r in service.history(nctx, n.id)].count("image") == 3


def test_demo_data_is_idempotent(nctx):
    from kiosk.plugins.notices import demo

    first = demo.load(nctx)
    assert len(first) >= 5 and demo.load(nctx) == []
    shown = {e.board for e in entries.showing_entries(nctx)}
    assert {"notice", "party", "science", "policy"} <= shown  # the party item was approved by admin
    party = [n for n in service.all_notices(nctx, "party")][0]
    assert party.approved_by == "admin" and party.created_by == "clerk"
    assert service.urgent_titles(nctx)  # the closure notice feeds the home banner


def test_domain_modules_do_not_import_kivy():
    import subprocess
    import sys

    code = ("import sys\nimport kiosk.plugins.notices, kiosk.plugins.notices.service, kiosk.plugins.notices.entries, "
            "kiosk.plugins.notices.markup, kiosk.plugins.notices.web, kiosk.plugins.notices.staff_web, kiosk.plugins.notices.cli, "
            "kiosk.plugins.notices.takeaway, kiosk.plugins.notices.feed, kiosk.plugins.notices.images, kiosk.plugins.notices.demo\n"
            "assert not [m for m in sys.modules if m == 'kivy' or m.startswith('kivy.')], 'kivy imported'\n")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_nobody_who_changed_a_party_notice_since_its_approval_may_approve_it(nctx):
    """Issue 14, finding 4: after another user changed one character, the author could approve their own notice."""
    from kiosk import audit

    n = service.create(nctx, board="party", title="党费收缴情况公示", body="第一季度党费已收齐。", by="admin")
    service.edit(nctx, n.id, by="director", body="第一季度党费已收齐！")  # one character, by another administrator
    for who in ("admin", "cli:admin", "director", "web:director"):  # the author, and the editor
        with pytest.raises(NoticeError) as err:
            service.approve(nctx, n.id, by=who)
        assert err.value.code == "same_person" and "审核" in err.value.zh, who
    assert service.get(nctx, n.id).state == "pending"
    # A third administrator who changed nothing approves; the audit log has it.
    with nctx.transaction() as s:
        from kiosk.staff import set_user

        set_user(s, "auditor", "auditor-password", role="admin")
    assert service.approve(nctx, n.id, by="auditor", ip="203.0.113.4").state == "published"
    [entry] = audit.entries(nctx, action="notice.approve")
    assert (entry.actor, entry.target, entry.ip) == ("auditor", f"notice:{n.id}", "203.0.113.4")
    # After that approval, only those who change it next are barred: the author may approve someone else's fix.
    service.edit(nctx, n.id, by="director", title="党费收缴情况公示（更正）")
    assert service.changes_since_approval(nctx, n.id) == {"title": ("党费收缴情况公示", "党费收缴情况公示（更正）")}
    with pytest.raises(NoticeError):
        service.approve(nctx, n.id, by="director")
    assert service.approve(nctx, n.id, by="admin").approved_by == "admin"
    assert service.changes_since_approval(nctx, n.id) == {}


def test_a_picture_change_counts_as_a_change_by_its_uploader(nctx):
    from io import BytesIO

    from PIL import Image

    from kiosk.plugins.notices import images

    n = service.create(nctx, board="party", title="公示", body="正文", by="admin")
    service.approve(nctx, n.id, by="director")
    buf = BytesIO()
    Image.new("RGB", (40, 30), "red").save(buf, "PNG")
    images.set_image(nctx, n.id, buf.getvalue(), by="director")
    assert service.get(nctx, n.id).state == "pending"
    with pytest.raises(NoticeError):
        service.approve(nctx, n.id, by="director")
    assert set(service.changes_since_approval(nctx, n.id)) == {"image"}
    assert service.approve(nctx, n.id, by="admin").state == "published"
