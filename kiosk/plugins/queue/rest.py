"""The queue's write REST API under ``/api/queue/``, for a center's other systems.

A WeChat mini-program gateway takes tickets (scope ``tickets``), a counter's own desktop app calls and
finishes them (scope ``counter``), an appointment system reads a ticket's state. Every route needs an
API key (``Authorization: Bearer …``, see :mod:`kiosk.web.apikeys`) and calls the same functions of
:mod:`kiosk.plugins.queue.service` as the counter page and ``kiosk queue``; the audit trail records
``api:<key name>``. Answers have the keys of ``kiosk queue … --json`` (:mod:`.answers`); refusals are
JSON with a status code: 400 bad input, 401/403 key, 404 unknown, 409 refused in the current state.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Header, Path
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from kiosk.api import KioskContext, KeyInfo
from kiosk.api.web import ERROR_RESPONSES, ApiError, require_scope, PathId

from . import answers, service
from .service import OUTCOMES, QueueError

PREFIX = "/api/queue"
#: QueueError codes that are not "refused in the current state" (409).
STATUS = {"bad_key": 400, "bad_number": 400, "bad_outcome": 400,
          "unknown_service": 404, "unknown_counter": 404, "unknown_ticket": 404}

TicketNumber = Annotated[str, Path(min_length=1, max_length=8, description="A ticket number of today, e.g. A023")]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")  # a misspelt field is a 400, not silently ignored


class TakeBody(_Body):
    service: str = Field(min_length=1, max_length=8, description="The service's letter, e.g. A")
    priority: bool = Field(False, description="绿色通道: over 70, disabled, pregnant")


class CallBody(_Body):
    service: str | None = Field(None, min_length=1, max_length=8, description="Call only this service's letter")
    number: str | None = Field(None, min_length=1, max_length=8, description="Call this waiting or parked ticket out of order")


class FinishBody(_Body):
    outcome: Literal[OUTCOMES] = "done"  # type: ignore[valid-type]


class TransferBody(_Body):
    service: str = Field(min_length=1, max_length=8, description="The letter of the service to send the ticket to")
    return_after: bool = Field(False, description="Come back to this service, in the priority lane, when done there")


def _by(key: KeyInfo) -> str:
    return f"api:{key.name}"[:64]


def _run(fn, *args, **kwargs):
    """Call a service function; its refusal becomes the API's JSON error with the matching status."""
    try:
        return fn(*args, **kwargs)
    except QueueError as exc:
        raise ApiError(STATUS.get(exc.code, 409), exc.code, exc.zh, exc.en) from None


def build_api_router(ctx: KioskContext) -> APIRouter:
    router = APIRouter(prefix=PREFIX, tags=["queue API"], responses=ERROR_RESPONSES)
    tickets = require_scope("tickets")
    counter_scope = require_scope("counter")

    @router.post("/tickets", status_code=201)
    def take(body: TakeBody, key: KeyInfo = Depends(tickets),
             idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", min_length=1, max_length=64)] = None):
        """Take a ticket. The same ``Idempotency-Key`` from the same API key returns the same ticket (200, ``repeated``)."""
        r = _run(service.take_ticket, ctx, body.service, priority=body.priority, key=idempotency_key, by=_by(key),
                 client=f"api:{key.id}")  # one client can never fetch another's ticket
        return JSONResponse(answers.taken(r), 200 if r.repeated else 201)

    @router.get("/tickets/{number}")
    def ticket_state(number: TicketNumber, key: KeyInfo = Depends(require_scope("tickets", "counter"))):
        """Today's ticket ``number``: its state, people ahead and the expected wait while it waits."""
        with ctx.sessions() as s:
            ticket_id = _run(service.find_ticket, s, service.business_day(ctx), number).id
        t, svc, ahead, wait = service.ticket_status(ctx, ticket_id)
        waiting = t.state == "waiting"
        return {"number": t.display, "service": svc.name, "code": t.service_code, "state": t.state, "priority": t.priority,
                "counter": t.counter, "ahead": ahead if waiting else None, "wait_min": wait.low if waiting else None,
                "wait_max": wait.high if waiting else None, "return_to": t.return_to}

    @router.post("/tickets/{number}/restore")
    def restore(number: TicketNumber, key: KeyInfo = Depends(counter_scope)):
        """Put a missed (过号) ticket back in line, ahead of later arrivals."""
        return answers.restored(_run(service.restore, ctx, number, by=_by(key)))

    @router.post("/counters/{counter}/call")
    def call(counter: PathId, body: CallBody | None = None, key: KeyInfo = Depends(counter_scope)):
        """Call the next ticket (of ``service`` if given), or ticket ``number`` out of order; ``number`` is null when nobody waits."""
        body = body or CallBody()
        if body.service and body.number:
            raise ApiError(400, "service_or_number", "叫号时请只指定业务或号码之一", "give either service or number, not both")
        if body.number:
            t = _run(service.call_number, ctx, counter, body.number, by=_by(key))
        else:
            t = _run(service.call_next, ctx, counter, body.service, by=_by(key))
        return answers.called(t, counter)

    for action, fn, doc in (("recall", service.recall, "重呼: call the counter's current ticket again."),
                            ("no-show", service.no_show, "过号: the counter's current ticket did not come."),
                            ("park", service.park, "暂存: set the current ticket aside, to be called back by number.")):
        def make(fn=fn):
            def act(counter: PathId, key: KeyInfo = Depends(counter_scope)):
                return answers.at_counter(_run(fn, ctx, counter, by=_by(key)), counter)
            return act

        router.add_api_route(f"/counters/{{counter}}/{action}", make(), methods=["POST"], description=doc,
                             name=f"queue_api_{action.replace('-', '_')}")

    @router.post("/counters/{counter}/finish")
    def finish(counter: PathId, body: FinishBody | None = None, key: KeyInfo = Depends(counter_scope)):
        """办结: finish the counter's current ticket with an outcome code (default done)."""
        outcome = (body or FinishBody()).outcome
        return answers.finished(_run(service.finish, ctx, counter, outcome, by=_by(key)), counter, outcome)

    @router.post("/counters/{counter}/transfer")
    def transfer(counter: PathId, body: TransferBody, key: KeyInfo = Depends(counter_scope)):
        """一票到底: send the current ticket to another service, keeping its arrival time."""
        return answers.transferred(_run(service.transfer, ctx, counter, body.service, by=_by(key), return_after=body.return_after))

    @router.post("/counters/{counter}/pause")
    def pause(counter: PathId, key: KeyInfo = Depends(counter_scope)):
        """Pause the counter: no calls until it resumes."""
        return answers.counter_state(_run(service.set_paused, ctx, counter, True, by=_by(key)))

    @router.post("/counters/{counter}/resume")
    def resume(counter: PathId, key: KeyInfo = Depends(counter_scope)):
        return answers.counter_state(_run(service.set_paused, ctx, counter, False, by=_by(key)))

    return router
