"""The notices on the web: public pages and feeds (scheduling, safety, English chrome), the staff pages
(write, preview, publish, approve, history, CSRF), and the take-away receipt's tracking page."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime, timezone
from io import BytesIO

import pytest
from fastapi.testclient import TestClient
from kit import login
from PIL import Image

from kiosk import hookimpl
from kiosk.plugins.notices import images, service, takeaway
from kiosk.types import PublicOutcome
from kiosk.web.app import create_app

ATOM = "{http://www.w3.org/2005/Atom}"
NASTY = ("# 标题 <script>alert('h')</script>\n\n正文 <script>alert(1)</script> <img src=x onerror=alert(2)>\x00\x1b\x07 "
         "🎉👨‍👩‍👧 [b]kivy[/b] & ]]> \u202e反向\n\n- **粗体 <b>x</b>**\n")


@pytest.fixture
def client(nctx):
    return TestClient(create_app(nctx))


@pytest.fixture
def sclient(sctx):
    return TestClient(create_app(sctx))


def feed(client: TestClient, board: str) -> ET.Element:
    r = client.get(f"/notices/feed/{board}.atom")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/atom+xml")
    return ET.fromstring(r.content)


def test_boards_as_tabs_urgent_first_and_english_chrome(nctx, client):
    service.create(nctx, board="notice", title="周六停电暂停办公", body="x", urgent=True, start="2026-11-20T08:00", by="x")
    service.create(nctx, board="notice", title="老年大学报名", body="x", pinned=True, by="x")
    service.create(nctx, board="science", title="防诈骗", body="x", by="x")
    page = client.get("/notices").text
    for tab in ("通知", "党务公开", "科普宣传", "政策解读", "公示反馈"):
        assert f">{tab}</a>" in page
    assert page.index("周六停电暂停办公") < page.index("老年大学报名") and "防诈骗" not in page
    assert "n-item-urgent" in page and ">紧急</span>" in page and "2026-11-20" in page
    assert "防诈骗" in client.get("/notices?board=science").text
    english = client.get("/notices?lang=en").text
    assert ">Urgent</span>" in english and ">Party affairs</a>" in english and "board=science&amp;lang=en" in english
    assert "这个栏目暂时没有内容" in client.get("/notices?board=policy").text


def test_pages_and_feeds_follow_the_schedule_at_18_00(nctx, client, monkeypatch):
    n = service.create(nctx, board="notice", title="今日停水", body="**18 点**恢复", start="2026-11-30T08:00", end="2026-11-30T18:00", by="x")
    monkeypatch.setenv("KIOSK_NOW", "2026-11-30T17:59:59+08:00")
    page = client.get(f"/notices/{n.id}")
    assert page.status_code == 200 and "<strong>18 点</strong>恢复" in page.text
    entries = feed(client, "notice").findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}title").text for e in entries] == ["今日停水"]
    monkeypatch.setenv("KIOSK_NOW", "2026-11-30T18:00:00+08:00")
    assert client.get(f"/notices/{n.id}").status_code == 404
    assert "今日停水" not in client.get("/notices").text
    assert feed(client, "notice").findall(f"{ATOM}entry") == []
    assert client.get("/notices/99999").status_code == 404 and client.get("/notices/feed/nope.atom").status_code == 404


def test_atom_feed_is_valid_and_in_shanghai_time(nctx, client):
    n = service.create(nctx, board="policy", title="一卡通 <政策> & “解读”", body="体检费用**减免**", start="2026-11-29T10:00", by="x")
    root = feed(client, "policy")
    assert root.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated", "author"):
        assert root.find(f"{ATOM}{name}") is not None
    assert root.find(f"{ATOM}title").text == "华新社区服务中心 · 政策解读"
    assert root.find(f"{ATOM}link[@rel='self']").get("href").endswith("/notices/feed/policy.atom")
    entry = root.find(f"{ATOM}entry")
    assert entry.find(f"{ATOM}title").text == "一卡通 <政策> & “解读”"  # escaped in XML, exact when parsed
    assert entry.find(f"{ATOM}id").text.endswith(f"/notices/{n.id}")
    assert entry.find(f"{ATOM}published").text == "2026-11-29T10:00:00+08:00"  # its start time
    assert entry.find(f"{ATOM}updated").text == "2026-11-30T09:00:00+08:00"  # written later (KIOSK_NOW)
    assert entry.find(f"{ATOM}content").get("type") == "html"
    assert entry.find(f"{ATOM}content").text == "<p>体检费用<strong>减免</strong></p>"
    assert root.find(f"{ATOM}updated").text.endswith("+08:00")
    assert ET.fromstring(client.get("/notices/feed/policy.atom?lang=en").content).find(f"{ATOM}title").text.endswith("Policies explained")


def test_hostile_bodies_render_safely_everywhere(sctx, sclient):
    n = service.create(sctx, board="notice", title="<script>alert('t')</script> 🎉", body=NASTY, by="x")
    huge = service.create(sctx, board="notice", title="长文", body=("很长的正文" * 4000)[:20_000], by="x")
    for path in (f"/notices/{n.id}", "/notices", f"/notices/{huge.id}"):
        html = client_text(sclient, path)
        assert "<script>" not in html and "<img src=x" not in html and "\x00" not in html and "\u202e" not in html
    page = client_text(sclient, f"/notices/{n.id}")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "🎉👨‍👩‍👧" in page and "[b]kivy[/b]" in page
    assert "<strong>粗体 &lt;b&gt;x&lt;/b&gt;</strong>" in page
    root = feed(sclient, "notice")  # well-formed XML although the body had control characters and "]]>"
    content = {e.find(f"{ATOM}title").text: e.find(f"{ATOM}content").text for e in root.findall(f"{ATOM}entry")}
    assert "<script>" not in content["<script>alert('t')</script> 🎉"]
    assert len(client_text(sclient, f"/notices/{huge.id}")) > 20_000


def client_text(client, path):
    r = client.get(path)
    assert r.status_code == 200, path
    return r.text


def test_picture_is_served_only_while_the_notice_shows(sctx, sclient):
    n = service.create(sctx, board="science", title="图", body="x", by="x")
    buf = BytesIO()
    Image.new("RGB", (20, 10), "green").save(buf, "PNG")
    images.set_image(sctx, n.id, buf.getvalue(), by="x")
    assert f'src="/notices/{n.id}/image"' in sclient.get(f"/notices/{n.id}").text
    r = sclient.get(f"/notices/{n.id}/image")
    assert r.status_code == 200 and r.headers["content-type"] == "image/jpeg"
    service.withdraw(sctx, n.id, by="x")
    assert sclient.get(f"/notices/{n.id}/image").status_code == 404


class Outcomes:
    @hookimpl
    def kiosk_public_outcomes(self, ctx, lang):
        return [PublicOutcome(id="C/12", title="5 号楼路灯已修复", body="已于 11 月 29 日修复。<b>谢谢</b>",
                              published_at=datetime(2026, 11, 29, 2, 0, tzinfo=timezone.utc), url="https://kiosk.test/t/tok")]


def test_outcomes_published_by_another_plugin(nctx):
    nctx.host.register(Outcomes(), name="intake")
    client = TestClient(create_app(nctx))
    board = client.get("/notices?board=outcomes").text
    assert "5 号楼路灯已修复" in board and "/notices/outcome/intake/C%2F12" in board
    page = client.get("/notices/outcome/intake/C%2F12")
    assert page.status_code == 200 and "&lt;b&gt;谢谢&lt;/b&gt;" in page.text and 'href="https://kiosk.test/t/tok"' in page.text
    entry = feed(client, "outcomes").find(f"{ATOM}entry")
    assert entry.find(f"{ATOM}title").text == "5 号楼路灯已修复" and entry.find(f"{ATOM}updated").text == "2026-11-29T10:00:00+08:00"
    assert client.get("/notices/outcome/intake/nope").status_code == 404


def test_take_away_receipt_opens_the_notice(nctx, client):
    n = service.create(nctx, board="science", title="防诈骗五要点", body="- 不转账\n- **拿不准就问**", by="x")
    issued = takeaway.issue(nctx, str(n.id))
    assert issued.receipt.number == f"N{n.id}" and issued.receipt.kind == "notice" and issued.receipt.plugin == "notices"
    assert issued.layout.title == "防诈骗五要点" and "栏目：科普宣传" in issued.layout.lines
    path = "/t/" + issued.url.rsplit("/t/", 1)[1]
    page = client.get(path).text
    assert "防诈骗五要点" in page and "<strong>拿不准就问</strong>" in page and f'href="/notices/{n.id}"' in page
    assert 'href="/notices/%d?lang=en"' % n.id in client.get(path + "?lang=en").text
    service.withdraw(nctx, n.id, by="x")
    page = client.get(path).text
    assert "已下架" in page and "拿不准就问" not in page
    with pytest.raises(service.NoticeError):
        takeaway.issue(nctx, str(n.id))


def test_staff_write_preview_publish_and_history(nctx, client):
    token = login(client, "clerk")
    form = client.get("/staff/notices/new").text
    assert 'name="csrf_token"' in form and 'value="outcomes"' not in form  # the fed board is not offered
    data = {"csrf_token": token, "board": "notice", "title": "社区义诊", "body": "## 时间\n周三上午 <script>x</script>",
            "start": "", "end": "2026-12-31T18:00", "pinned": "on", "season": ""}
    preview = client.post("/staff/notices/new", data=data | {"action": "preview"})
    assert preview.status_code == 200 and "n-kiosk" in preview.text and "<h3>时间</h3>" in preview.text
    assert "&lt;script&gt;x" in preview.text and service.all_notices(nctx) == []  # a preview saves nothing
    bad = client.post("/staff/notices/new", data=data | {"action": "publish", "end": "2026-01-01T00:00"})
    assert bad.status_code == 400 and "结束时间必须晚于开始时间" in bad.text
    made = client.post("/staff/notices/new", data=data | {"action": "publish"}, follow_redirects=False)
    assert made.status_code == 303
    notice = service.all_notices(nctx)[0]
    assert notice.created_by == "clerk" and notice.pinned and notice.state == "published"
    assert notice.end_at == datetime(2026, 12, 31, 10, 0, tzinfo=timezone.utc)
    r = client.post(f"/staff/notices/{notice.id}", data=data | {"action": "save", "title": "社区义诊（改期）", "pinned": ""},
                    follow_redirects=False)
    assert r.status_code == 303
    page = client.get(f"/staff/notices/{notice.id}").text
    assert "社区义诊（改期）" in page and "修改记录" in page and "clerk" in page and "社区义诊 → 社区义诊（改期）" in page
    assert client.post(f"/staff/notices/{notice.id}/state", data={"csrf_token": token, "action": "withdraw"}).status_code == 200
    assert service.get(nctx, notice.id).state == "withdrawn"
    listing = client.get("/staff/notices").text
    assert "社区义诊（改期）" in listing and "已撤下" in listing
    # Without the CSRF field nothing happens.
    assert client.post(f"/staff/notices/{notice.id}/state", data={"action": "publish"}).status_code == 403
    assert service.get(nctx, notice.id).state == "withdrawn"


def test_staff_approval_on_the_web(nctx):
    clerk, admin = TestClient(create_app(nctx)), TestClient(create_app(nctx))
    token = login(clerk, "clerk")
    data = {"csrf_token": token, "board": "party", "title": "党费收缴公示", "body": "……", "action": "publish"}
    clerk.post("/staff/notices/new", data=data)
    notice = service.all_notices(nctx)[0]
    assert notice.state == "pending"
    page = clerk.get(f"/staff/notices/{notice.id}").text
    assert "待审核" in page and 'value="approve"' not in page
    clerk.post(f"/staff/notices/{notice.id}/state", data={"csrf_token": token, "action": "approve"})
    assert service.get(nctx, notice.id).state == "pending"  # the service refuses a non-admin too
    admin_token = login(admin, "admin")
    assert "等待审核" in admin.get("/staff/notices").text
    assert 'value="approve"' in admin.get(f"/staff/notices/{notice.id}").text
    admin.post(f"/staff/notices/{notice.id}/state", data={"csrf_token": admin_token, "action": "approve"})
    assert service.get(nctx, notice.id).approved_by == "admin"
    assert client_text(admin, f"/notices/{notice.id}")


def test_staff_pages_need_a_login_and_link_from_the_dashboard(nctx, client):
    r = client.get("/staff/notices", follow_redirects=False)
    assert r.status_code == 303 and "/staff/login" in r.headers["location"]
    login(client, "clerk")
    assert 'href="/staff/notices"' in client.get("/staff").text


def test_staff_upload_a_picture_and_an_empty_file_field(sctx, sclient):
    token = login(sclient, "clerk")
    buf = BytesIO()
    Image.new("RGB", (30, 20), "white").save(buf, "PNG")
    data = {"csrf_token": token, "board": "science", "title": "有图", "body": "x", "action": "publish"}
    r = sclient.post("/staff/notices/new", data=data, files={"image": ("photo.png", buf.getvalue(), "image/png")}, follow_redirects=False)
    assert r.status_code == 303
    pictured = service.all_notices(sctx)[0]
    assert images.image_of(sctx, pictured.id).mime == "image/jpeg"
    # A browser sends an empty part when no file is chosen.
    r = sclient.post("/staff/notices/new", data=data | {"title": "无图"}, files={"image": ("", b"", "application/octet-stream")},
                     follow_redirects=False)
    assert r.status_code == 303
    plain = service.all_notices(sctx)[0]
    assert plain.title == "无图" and images.image_of(sctx, plain.id) is None
    bad = sclient.post("/staff/notices/new", data=data | {"title": "坏图"}, files={"image": ("x.png", b"not an image", "image/png")})
    assert bad.status_code == 400 and "图片无法识别" in bad.text and len(service.all_notices(sctx)) == 2
    edit = {"csrf_token": token, "board": "science", "title": "有图", "body": "x", "action": "save", "remove_image": "on"}
    assert sclient.post(f"/staff/notices/{pictured.id}", data=edit, follow_redirects=False).status_code == 303
    assert images.image_of(sctx, pictured.id) is None


def test_slips_carry_only_printable_text(sctx):
    n = service.create(sctx, board="notice", title="🎉 重阳节活动 𠮷 ✅", body="x", by="x")
    issued = takeaway.issue(sctx, str(n.id))
    assert issued.receipt.title == "重阳节活动" and issued.layout.title == "重阳节活动"
    assert takeaway.slip_text("🎉🎉") == ""


def test_the_approver_sees_what_changed_and_an_editor_cannot_approve(nctx):
    admin, director = TestClient(create_app(nctx)), TestClient(create_app(nctx))
    n = service.create(nctx, board="party", title="党费公示", body="第一行\n第二行", by="admin")
    service.approve(nctx, n.id, by="director")
    service.edit(nctx, n.id, by="admin", body="第一行\n第二行！")
    token = login(director, "director")
    page = director.get(f"/staff/notices/{n.id}").text
    assert "自上次审核以来的改动" in page and "+第二行！" in page and "-第二行" in page and "admin" in page
    admin_token = login(admin, "admin")
    refused = admin.post(f"/staff/notices/{n.id}/state", data={"csrf_token": admin_token, "action": "approve"})
    assert service.get(nctx, n.id).state == "pending"  # the editor's own approval is refused
    assert "不能自己审核" in refused.text
    director.post(f"/staff/notices/{n.id}/state", data={"csrf_token": token, "action": "approve"})
    assert service.get(nctx, n.id).approved_by == "director"
