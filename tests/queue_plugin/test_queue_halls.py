"""Several halls in one installation (政务服务中心/便民服务室): each kiosk lists, each counter calls and each
display/board shows only its own hall; statistics filter by hall; letters stay unique across halls."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from kit import CSRF, login
from queuehelpers import run

from kiosk.plugins.queue import board, service, stats
from kiosk.plugins.queue.service import QueueError, QueueSettings
from kiosk.staff import set_user
from kiosk.web.app import create_app


@pytest.fixture
def two_halls(qctx):
    """The demo's main hall (A–F, counters 1–6) plus a 便民服务室 'bm' with service G at counter 7."""
    service.create_hall(qctx, "bm", name="便民服务室", name_en="Service room")
    service.create_service(qctx, "G", name="便民代办", name_en="Errands", hall="bm")
    service.create_counter(qctx, 7, name="便民窗口", services=["G"], hall="bm")
    return qctx


def in_hall(ctx, hall: str | None):
    """This terminal's ``[plugins.queue] hall`` (None: the key is absent)."""
    queue = ctx.settings.plugin_settings.setdefault("queue", {})
    queue.pop("hall", None)
    if hall is not None:
        queue["hall"] = hall


def test_existing_data_is_in_the_main_hall(qctx):
    assert [h.code for h in service.halls(qctx)] == ["main"]
    assert QueueSettings.of(qctx).hall == "main"  # no key in the config: the main hall
    assert {x.hall for x in service.services_overview(qctx)} == {"main"}


def test_each_kiosk_lists_and_issues_only_its_halls_services(two_halls):
    ctx = two_halls
    in_hall(ctx, None)
    main_codes = [x.code for x in service.services_overview(ctx, QueueSettings.of(ctx).hall)]
    assert main_codes == list("ABCDEF")
    in_hall(ctx, "bm")
    assert [x.code for x in service.services_overview(ctx, QueueSettings.of(ctx).hall)] == ["G"]
    assert [x.code for x in service.services_overview(ctx)] == list("ABCDEFG")  # the whole installation
    with pytest.raises(QueueError) as refused:
        service.take_ticket(ctx, "A", hall="bm")
    assert refused.value.code == "other_hall" and "服务大厅" in refused.value.zh
    assert service.take_ticket(ctx, "G", hall="bm").ticket.display == "G001"
    from kiosk.plugins.queue import wait_board_line

    in_hall(ctx, "bm")
    assert "便民代办 1人" in wait_board_line(service.services_overview(ctx, "bm"), "zh_CN")
    in_hall(ctx, None)


def test_counters_call_only_their_own_halls_tickets(two_halls):
    ctx = two_halls
    service.take_ticket(ctx, "G")
    service.take_ticket(ctx, "F")
    assert service.call_next(ctx, 7).display == "G001"
    assert service.call_next(ctx, 7) is None  # F001 waits for the main hall, not for counter 7
    assert service.call_next(ctx, 6).display == "F001"  # counter 6 serves every main-hall service, never G
    g2 = service.take_ticket(ctx, "G").ticket.display
    with pytest.raises(QueueError) as other:
        service.call_number(ctx, 1, g2)
    assert other.value.code == "other_hall"
    with pytest.raises(QueueError) as refused:
        service.update_counter(ctx, 1, name="1 号窗口", services=["A", "G"])
    assert refused.value.code == "other_hall" and "G" in refused.value.zh
    with pytest.raises(QueueError):
        service.create_counter(ctx, 8, services=["A"], hall="bm")
    with pytest.raises(QueueError) as transfer:
        service.transfer(ctx, 6, "G")  # F001 cannot be sent across halls
    assert transfer.value.code == "other_hall"
    # a counter moved to the other hall serves that hall's services
    service.update_counter(ctx, 5, name="5 号窗口", services=["G"], hall="bm")
    assert service.call_next(ctx, 5).display == g2


def test_letters_are_unique_across_halls_and_a_served_service_does_not_move(two_halls):
    ctx = two_halls
    with pytest.raises(QueueError) as taken:
        service.create_service(ctx, "A", name="不动产", hall="bm")
    assert taken.value.code == "code_taken" and "服务大厅" in taken.value.zh and "其他大厅请用别的字母" in taken.value.zh
    assert "another hall uses other letters" in taken.value.en
    svc = dict(name="便民代办", name_en="Errands", hours="08:30-12:00", daily_cap=50, minutes_per_person=5, target_minutes=20,
               materials=[], active=True)
    with pytest.raises(QueueError) as served:
        service.update_service(ctx, "G", **svc, hall="main")
    assert served.value.code == "served_in_hall" and "7" in served.value.zh
    with pytest.raises(QueueError):
        service.create_hall(ctx, "bm", name="again")
    with pytest.raises(QueueError):
        service.create_hall(ctx, "Bad Code!", name="x")
    with pytest.raises(QueueError):
        service.create_service(ctx, "H", name="x", hall="nowhere")


def test_display_feed_board_and_stats_filter_by_hall(two_halls):
    ctx = two_halls
    before = board.last_event_id(ctx)
    service.take_ticket(ctx, "G")
    service.take_ticket(ctx, "A")
    service.call_next(ctx, 7)
    service.call_next(ctx, 2)
    assert [c.number for c in board.calls_since(ctx, before, hall="bm")] == ["G001"]
    assert [c.number for c in board.calls_since(ctx, before, hall="main")] == ["A001"]
    assert [c.number for c in board.calls_since(ctx, before)] == ["G001", "A001"]
    bm = board.board(ctx, hall="bm")
    assert [c.counter for c in bm.current] == [7] and [w[0] for w in bm.waiting] == ["G"]
    main = board.board(ctx, hall="main")
    assert [c.counter for c in main.current] == [2] and "G" not in [w[0] for w in main.waiting]
    small = stats.day_stats(ctx, hall="bm")
    assert [r["code"] for r in small["services"]] == ["G"] and small["tickets"] == 1 and small["hall"] == "bm"
    whole = stats.day_stats(ctx)
    assert whole["tickets"] == 2 and len(whole["services"]) == 7 and whole["hall"] is None


@pytest.fixture
def client(two_halls):
    with two_halls.transaction() as s:
        set_user(s, "clerk", "clerk-password", role="staff")
        set_user(s, "boss", "boss-password", role="admin")
    return TestClient(create_app(two_halls))


def test_web_board_and_apis_filter_by_hall(two_halls, client):
    ctx = two_halls
    service.take_ticket(ctx, "G")
    service.take_ticket(ctx, "A")
    service.call_next(ctx, 7)
    service.call_next(ctx, 1)
    small = client.get("/queue/board?hall=bm")
    assert small.status_code == 200 and "G001" in small.text and "A001" not in small.text and "便民服务室" in small.text
    big = client.get("/queue/board?hall=main")
    assert "A001" in big.text and "G001" not in big.text
    every = client.get("/queue/board")
    assert "A001" in every.text and "G001" in every.text and "全部大厅" in every.text  # links to each hall
    missing = client.get("/queue/board?hall=nowhere")
    assert missing.status_code == 404 and "便民服务室" in missing.text
    assert [c["number"] for c in client.get("/api/queue/board?hall=bm").json()["current"]] == ["G001"]
    assert client.get("/api/queue/board?hall=nowhere").status_code == 404
    listed = client.get("/api/queue/services?hall=bm").json()
    assert [x["code"] for x in listed] == ["G"] and {"code", "name", "waiting", "open", "hall"} <= set(listed[0])
    login(client)
    assert [r["code"] for r in client.get("/api/queue/stats?hall=bm").json()["services"]] == ["G"]
    assert client.get("/api/queue/stats?hall=nowhere").status_code == 404
    page = client.get("/staff/queue/stats?hall=bm").text
    assert "便民代办" in page and "社保医保" not in page
    counters = client.get("/staff/queue?hall=bm").text
    assert "便民窗口" in counters and "2 号窗口" not in counters
    desk = client.get("/staff/queue/counter/7").text
    assert "G 便民代办" in desk and "A 社保医保" not in desk  # its selects offer only its hall's services


def test_admin_adds_a_hall_and_gives_it_a_service_and_a_counter(qctx):
    with qctx.transaction() as s:
        set_user(s, "boss", "boss-password", role="admin")
    client = TestClient(create_app(qctx))
    login(client, "boss")
    page = client.get("/staff/queue/setup").text
    assert "新增大厅" in page and 'name="hall"' in page and "<select name=\"hall\">" not in page  # one hall: no choice shown
    c = CSRF.search(page).group(1)
    bad = client.post("/staff/queue/setup/new-hall", data={"csrf_token": c, "code": "B M", "name": "便民服务室"})
    assert bad.status_code == 400 and "大厅代码" in bad.text and 'value="便民服务室"' in bad.text  # what was typed stays
    ok = client.post("/staff/queue/setup/new-hall", data={"csrf_token": c, "code": "bm", "name": "便民服务室", "name_en": "Room"},
                     follow_redirects=True)
    assert "已新增大厅“便民服务室”" in ok.text and "hall = &#34;bm&#34;" in ok.text and "<select name=\"hall\">" in ok.text
    form = {"csrf_token": c, "code": "A", "name": "便民代办", "hours": "08:30-12:00", "daily_cap": 50, "minutes_per_person": 5,
            "target_minutes": 20, "materials": "", "hall": "bm"}
    dup = client.post("/staff/queue/setup/new-service", data=form)
    assert dup.status_code == 400 and "其他大厅请用别的字母" in dup.text
    client.post("/staff/queue/setup/new-service", data={**form, "code": "G"})
    assert [x.code for x in service.services_overview(qctx, "bm")] == ["G"]
    wrong = client.post("/staff/queue/setup/new-counter", data={"csrf_token": c, "number": "7", "services": ["A"], "hall": "bm"})
    assert wrong.status_code == 400 and "其他大厅" in wrong.text
    client.post("/staff/queue/setup/new-counter", data={"csrf_token": c, "number": "7", "services": ["G"], "hall": "bm"})
    service.take_ticket(qctx, "G")
    assert service.call_next(qctx, 7).display == "G001"
    client.post("/staff/queue/setup/counter/7", data={"csrf_token": c, "name": "临时窗口", "services": ["G"]})
    # every setup change that went through is in the audit log, the refused ones are not
    from kiosk import audit

    assert [(r.actor, r.action, r.target) for r in reversed(audit.entries(qctx, action="setup."))] == [
        ("web:boss", "setup.hall", "queue-hall:bm"), ("web:boss", "setup.service", "queue-service:G"),
        ("web:boss", "setup.counter", "queue-counter:7"), ("web:boss", "setup.counter", "queue-counter:7")]


def test_cli_filters_by_hall_and_keeps_its_json(isolated_env):
    run("demo-data")
    rows = json.loads(run("queue", "services", "--json").stdout)
    assert [r["code"] for r in rows] == list("ABCDEF") and {"code", "name", "waiting", "open"} <= set(rows[0])
    assert json.loads(run("queue", "services", "--hall", "main", "--json").stdout) == rows
    data = json.loads(run("queue", "stats", "--hall", "main", "--json").stdout)
    assert data["hall"] == "main" and len(data["services"]) == 6
    assert json.loads(run("queue", "halls", "--json").stdout) == [
        {"code": "main", "name": "服务大厅", "name_en": "Service hall", "services": list("ABCDEF"), "counters": [1, 2, 3, 4, 5, 6]}]
    bad = run("queue", "stats", "--hall", "nowhere", "--json", check=False)
    assert bad.returncode == 2 and "--hall" in bad.stderr
    assert json.loads(run("queue", "hall-add", "bm", "--name", "便民服务室", "--json").stdout)["code"] == "bm"
    dup = run("queue", "service-add", "A", "--name", "便民代办", "--hall", "bm", check=False)
    assert dup.returncode == 2 and "another hall uses other letters" in dup.stderr
    run("queue", "service-add", "G", "--name", "便民代办", "--hall", "bm")
    wrong = run("queue", "counter-add", "7", "--services", "A", "--hall", "bm", check=False)
    assert wrong.returncode == 2 and "another hall" in wrong.stderr
    run("queue", "counter-add", "7", "--services", "G", "--hall", "bm")
    run("queue", "take", "G")
    run("queue", "take", "A")
    assert json.loads(run("queue", "call", "--counter", "7", "--json").stdout)["number"] == "G001"
    assert json.loads(run("queue", "call", "--counter", "7", "--json").stdout)["number"] is None
    small = json.loads(run("queue", "stats", "--hall", "bm", "--json").stdout)
    assert [r["code"] for r in small["services"]] == ["G"] and small["tickets"] == 1
    assert [r["code"] for r in json.loads(run("queue", "services", "--hall", "bm", "--json").stdout)] == ["G"]


def test_the_migration_puts_existing_services_and_counters_in_the_main_hall(db_url, isolated_env):
    """Upgrading a database made before halls: its services and counters end in 'main', and back down."""
    from alembic import command
    from sqlalchemy import create_engine, text

    from kiosk.migrate import alembic_config
    from kiosk.plugins.queue import MIGRATIONS

    isolated_env.mkdir(parents=True, exist_ok=True)
    engine = create_engine(db_url)

    def migrate(action, target):
        cfg = alembic_config(engine, [MIGRATIONS])
        with engine.begin() as connection:
            cfg.attributes["connection"] = connection
            action(cfg, target)

    migrate(command.upgrade, "0004_queue")
    with engine.begin() as c:
        c.execute(text("INSERT INTO queue_service (code, name, name_en, materials, hours, daily_cap, minutes_per_person, "
                       "target_minutes, active, sort) VALUES ('A', '社保', '', '[]', '08:30-12:00', 200, 8, 30, true, 0)"))
        c.execute(text("INSERT INTO queue_counter (number, name, services, paused, normal_since_priority) "
                       "VALUES (1, '1 号窗口', '[\"A\"]', false, 0)"))
    migrate(command.upgrade, "0006_queue")
    with engine.connect() as c:
        assert c.execute(text("SELECT code, name FROM queue_hall")).all() == [("main", "服务大厅")]
        assert c.execute(text("SELECT hall FROM queue_service")).scalar_one() == "main"
        assert c.execute(text("SELECT hall FROM queue_counter")).scalar_one() == "main"
    migrate(command.downgrade, "0004_queue")
    with engine.connect() as c:
        assert c.execute(text("SELECT code FROM queue_service")).scalar_one() == "A"  # the data survives the way back
    engine.dispose()


def test_a_kiosk_checks_in_and_activates_only_its_own_halls_appointments_and_remote_tickets(two_halls):
    from datetime import datetime

    from kiosk.plugins.queue import appointments, remote

    ctx = two_halls
    slot = datetime(2026, 11, 30, 9, 10, tzinfo=ctx.settings.tz)
    booked_g = appointments.book(ctx, "G", slot).code
    with pytest.raises(QueueError) as refused:
        appointments.check_in(ctx, booked_g, hall="main")  # booked for the 便民服务室: not this hall's counters
    assert refused.value.code == "other_hall" and "便民服务室" in refused.value.zh
    assert appointments.check_in(ctx, booked_g, hall="bm").ticket.display.startswith("G")
    pending = remote.take_remote(ctx, "A").ticket
    with pytest.raises(QueueError) as elsewhere:
        remote.activate_with_ticket_code(ctx, pending.activation_code, hall="bm")
    assert elsewhere.value.code == "other_hall" and "服务大厅" in elsewhere.value.zh
    ticket, _ahead = remote.activate_with_ticket_code(ctx, pending.activation_code, hall="main")
    assert ticket.state == "waiting"


def test_a_terminal_configured_for_a_hall_that_does_not_exist_tells_staff(two_halls):
    import kiosk.plugins.queue as queue_plugin

    ctx = two_halls
    in_hall(ctx, "bm")
    ctx.host.call("kiosk_startup", ctx=ctx)
    assert "queue" not in ctx.last_errors()  # a hall that exists: nothing to say
    in_hall(ctx, "bn")  # a typo in the terminal's config
    with pytest.raises(QueueError) as wrong:
        queue_plugin.kiosk_startup(ctx)
    assert wrong.value.code == "unknown_hall" and "'bn'" in wrong.value.zh and "bm" in wrong.value.zh
    ctx.host.call("kiosk_startup", ctx=ctx)  # the host records it where staff look, and the plugin keeps running
    recorded = ctx.last_errors()["queue"]
    assert recorded.startswith("kiosk_startup") and "'bn' is not a hall of this installation" in recorded and "bm" in recorded
    in_hall(ctx, None)


@pytest.mark.parametrize(("name", "code"), [("", "bad_name"), ("   ", "bad_name"), ("社" * 21, "bad_name"), ("便民😀", "bad_name"),
                                            ("\x00\x07", "bad_name")])
def test_a_hall_name_that_the_display_cannot_show_is_refused(qctx, name, code):
    with pytest.raises(QueueError) as err:
        service.create_hall(qctx, "bm", name=name)
    assert err.value.code == code and "大厅名称" in err.value.zh
    assert [h.code for h in service.halls(qctx)] == ["main"]


def test_a_hall_name_keeps_markup_as_text_and_drops_control_characters(qctx):
    hall = service.create_hall(qctx, "bm", name="<b>便民\x1b室</b>")
    assert hall.name == "<b>便民室</b>"  # stored as typed minus the escape; every page escapes it
