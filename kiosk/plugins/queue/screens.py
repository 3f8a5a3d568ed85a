"""The queue's touch screens: the list of services, then one service with its materials and two big
buttons, "取号" and "绿色通道取号". Taking a ticket is one tap there.

A double tap or a retry never makes two tickets: each visit of the service screen gets a fresh
idempotency key, and every tap during that visit sends the same key. The ticket row (and its receipt)
is committed by the service before the receipt screen opens and before anything prints.
Imported only inside the screen factories: the rest of the plugin never imports Kivy.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from kivy.lang import Builder
from kivy.properties import BooleanProperty, ListProperty, ObjectProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.screenmanager import Screen

from kiosk.api import reissued

from . import service
from .service import QueueError

KV = Path(__file__).with_name("queue.kv")
_loaded = False

SERVICES_SCREEN = "queue.services"
SERVICE_SCREEN = "queue.service"


def _load_kv() -> None:
    global _loaded
    if not _loaded:
        Builder.load_file(str(KV))
        _loaded = True


def _wait_text(shell, status) -> str:
    if not status.open:
        if status.full:
            return shell.text("今天的号已取完", "No tickets left today")
        if status.opens_at is not None:
            now = shell.ctx.now()
            when = status.opens_at
            day = (shell.text("今天", "today") if when.date() == now.date()
                   else shell.text(f"{when.month}月{when.day}日", f"{when:%d %b}"))
            return shell.text(f"暂停取号，{day} {when:%H:%M} 开始", f"Closed, opens {day} {when:%H:%M}")
        return shell.text("暂停取号", "Closed")
    return shell.text(f"等候 {status.waiting} 人 · {status.wait.text()}", f"{status.waiting} waiting · {status.wait.text('en')}")


class QueueServiceRow(ButtonBehavior, BoxLayout):
    """One service on the list: its letter and name, and how long the wait is (or when it opens)."""

    code = StringProperty("")
    title = StringProperty("")
    detail = StringProperty("")
    open = BooleanProperty(True)


class QueueServicesScreen(Screen):
    """Every service: name, people waiting, the wait range, or when it opens."""

    rows = ListProperty([])
    shell = ObjectProperty(None)

    def on_pre_enter(self, *_args):
        self.refresh()

    def refresh(self) -> None:
        shell = self.shell
        self.rows = [
            {"code": s.code, "title": f"{s.code}  {shell.text(s.name, s.name_en)}", "detail": _wait_text(shell, s), "open": s.open}
            for s in service.services_overview(shell.ctx, service.QueueSettings.of(shell.ctx).hall)
        ]

    def on_rows(self, _instance, rows) -> None:
        grid = self.ids.list
        grid.clear_widgets()
        for row in rows:
            button = QueueServiceRow(code=row["code"], title=row["title"], detail=row["detail"], open=row["open"])
            button.bind(on_release=lambda b: self.choose(b.code))
            grid.add_widget(button)

    def spoken_text(self) -> str:
        """朗读: what to do, then every service with its wait (the list's letters and dots are not said)."""
        shell = self.shell
        lines = [shell.text("取号。请选择要办理的业务", "Take a number. Please choose a service")]
        lines += [f"{r['title'].split(maxsplit=1)[-1]}，{r['detail']}" for r in self.rows]
        lines.append(shell.text("七十岁以上、残疾人、孕妇可以走绿色通道，优先办理",
                                "Over seventy, disabled or pregnant: use the priority lane"))
        return "。".join(lines) + "。"

    def choose(self, code: str) -> None:
        manager = self.manager
        self.shell.open(SERVICE_SCREEN)
        if manager.has_screen(SERVICE_SCREEN):
            manager.get_screen(SERVICE_SCREEN).show(code)

    def reset(self) -> None:
        self.rows = []


class QueueServiceScreen(Screen):
    """One service: what to bring, how long the wait is, and the two ways to take a ticket."""

    shell = ObjectProperty(None)
    code = StringProperty("")
    title = StringProperty("")
    detail = StringProperty("")
    materials = StringProperty("")
    open = BooleanProperty(False)
    busy = BooleanProperty(False)

    def show(self, code: str) -> None:
        shell = self.shell
        status = next((s for s in service.services_overview(shell.ctx, service.QueueSettings.of(shell.ctx).hall) if s.code == code), None)
        if status is None:
            self.reset()
            return
        self.code = code
        self.title = shell.text(status.name, status.name_en)
        self.detail = _wait_text(shell, status)
        self.open = status.open
        items = status.materials
        self.materials = "\n".join(f"·  {m}" for m in items) if items else shell.text("无需准备材料", "Nothing to bring")
        self.key = uuid.uuid4().hex  # one key per visit: double taps and retries get the same ticket
        self.busy = False

    def spoken_text(self) -> str:
        """朗读: the service, its wait, what to bring, and the two buttons."""
        shell = self.shell
        if not self.code:
            return ""
        bring = self.materials.replace("·", "").split("\n")
        parts = [self.title, self.detail, shell.text("请带好：", "Please bring: ") + "，".join(b.strip() for b in bring if b.strip())]
        if self.open:
            parts.append(shell.text("点取号领取号码。七十岁以上、残疾人、孕妇请点绿色通道取号",
                                    "Tap Take a number. Over seventy, disabled or pregnant: tap the priority lane"))
        return "。".join(p for p in parts if p) + "。"

    def on_pre_enter(self, *_args):
        if not self.code:  # opened directly (a screenshot, a restart): show the first service
            first = next(iter(service.services_overview(self.shell.ctx, service.QueueSettings.of(self.shell.ctx).hall)), None)
            if first is not None:
                self.show(first.code)

    def take(self, priority: bool) -> None:
        if self.busy or not self.code:
            return
        self.busy = True
        shell = self.shell
        try:
            result = service.take_ticket(shell.ctx, self.code, priority=priority, key=f"{self.key}-{int(priority)}",
                                         client=f"kiosk:{shell.ctx.terminal}",
                                         hall=service.QueueSettings.of(shell.ctx).hall)
        except QueueError as exc:
            self.busy = False
            shell.refuse(exc)
            self.show(self.code)
            return
        except Exception:
            # The database is away (the shell pauses the kiosk until it answers) or something broke: the
            # buttons must work again afterwards, and the visit's key makes the next tap a safe retry.
            self.busy = False
            raise
        issued = result.issued or reissued(shell.ctx, result.ticket.receipt_id, result.url)
        shell.show_receipt(issued)

    def back(self) -> None:
        self.shell.open(SERVICES_SCREEN)

    def reset(self) -> None:
        self.code = self.title = self.detail = self.materials = ""
        self.open = self.busy = False
        self.key = uuid.uuid4().hex


def build_services_screen(shell):
    _load_kv()
    return QueueServicesScreen(shell=shell)


def build_service_screen(shell):
    _load_kv()
    screen = QueueServiceScreen(shell=shell)
    screen.key = uuid.uuid4().hex
    return screen
