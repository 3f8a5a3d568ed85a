"""The whole web host for the resilience and security tests: every built-in plugin, the Huaxin demo
data, a few tickets and cases, an administrator, and rate limits on a clock the test moves."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from webhelpers import ADMIN_PASSWORD, StepClock


@pytest.fixture
def full_web(make_ctx, kiosk_now):
    from kiosk.pluginhost import PluginHost
    from kiosk.plugins.intake import service as intake
    from kiosk.plugins.queue import service as queue
    from kiosk.staff import set_user
    from kiosk.web.app import create_app

    ctx = make_ctx(PluginHost(load_entrypoints=False))
    for name in ctx.host.plugins:
        ctx.host.call_one(name, "kiosk_demo_data", ctx=ctx)
    tickets = [queue.take_ticket(ctx, "A") for _ in range(3)]
    cases = [intake.file_case(ctx, {"category": "repair", "problem": "楼道灯不亮", "building": "3", "unit": "2",
                                    "phone": "13812345678"}) for _ in range(3)]
    with ctx.transaction() as s:
        set_user(s, "admin", ADMIN_PASSWORD, "admin")
    clock = StepClock()
    return SimpleNamespace(ctx=ctx, app=create_app(ctx, clock=clock), clock=clock, tickets=tickets, cases=cases)
