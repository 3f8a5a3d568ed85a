"""The 民生流水线 state machine: which action moves a case from which state to which, and nothing else.

Pure data and one function, so the rules can be read in one screen and tested exhaustively:
every (state, action) pair not in :data:`TRANSITIONS` is refused with a reason in both languages.
The four public steps of the 流水线 map onto the states as :data:`STEPS` says.
"""

from __future__ import annotations

from kiosk.api import Refusal

# state: (Chinese, English, open?)
STATES: dict[str, tuple[str, str, bool]] = {
    "submitted": ("已提交，待受理", "Submitted", True),
    "accepted": ("已受理", "Accepted", True),
    "in_progress": ("办理中", "In progress", True),
    "waiting_resident": ("待居民补充", "Waiting for the resident", True),
    "escalated": ("已上报", "Escalated", True),
    "reopened": ("重新办理", "Reopened", True),
    "resolved": ("已办结，待公示", "Resolved", True),
    "published": ("已公示", "Published", False),
    "closed": ("已完结", "Closed", False),
    "withdrawn": ("已撤回", "Withdrawn", False),
    "merged": ("已合并", "Merged as duplicate", False),
    "archived": ("已归档", "Archived", False),
}

KINDS: dict[str, tuple[str, str]] = {
    "instant": ("即办件", "Handled at once"),
    "promised": ("承诺件", "Promised by a date"),
    "needs_docs": ("补办件", "Needs documents"),
    "escalated": ("上报件", "Reported upward"),
    "suggestion": ("建议件", "Suggestion"),
}

ACTIONS: dict[str, tuple[str, str]] = {
    "file": ("提交诉求", "Filed"),
    "accept": ("受理", "Accept"),
    "start": ("开始办理", "Start"),
    "wait": ("待居民补充", "Wait for the resident"),
    "resume": ("恢复办理", "Resume"),
    "escalate": ("上报", "Escalate"),
    "reply": ("上级答复", "Higher level replied"),
    "extend": ("延期", "Extend the deadline"),
    "resolve": ("办结", "Resolve"),
    "publish": ("公示", "Publish"),
    "rate": ("评价", "Rating"),
    "close": ("完结", "Close"),
    "reopen": ("重新办理", "Reopen"),
    "withdraw": ("撤回", "Withdraw"),
    "merge": ("合并重复", "Merge as duplicate"),
    "archive": ("归档", "Archive"),
    "note": ("备注", "Note"),
    "supervise": ("督办", "Supervision"),
    "erase": ("删除个人信息", "Personal data erased"),
}

_WORKING = ("accepted", "in_progress", "reopened")

#: (from state, action) -> to state. ``rate`` goes to closed or reopened depending on the level (see service).
TRANSITIONS: dict[tuple[str, str], str] = {
    ("submitted", "accept"): "accepted",
    ("submitted", "close"): "closed",  # 不予受理, with a reason
    **{(s, "start"): "in_progress" for s in ("accepted", "reopened")},
    **{(s, "wait"): "waiting_resident" for s in _WORKING},
    ("waiting_resident", "resume"): "in_progress",
    **{(s, "escalate"): "escalated" for s in _WORKING},
    ("escalated", "reply"): "in_progress",
    **{(s, "extend"): s for s in (*_WORKING, "escalated", "waiting_resident")},
    **{(s, "resolve"): "resolved" for s in (*_WORKING, "escalated")},
    ("resolved", "publish"): "published",
    ("resolved", "reopen"): "reopened",
    ("published", "reopen"): "reopened",
    ("closed", "reopen"): "reopened",
    ("resolved", "close"): "closed",
    ("published", "close"): "closed",
    **{(s, "withdraw"): "withdrawn" for s in ("submitted", "accepted", "in_progress", "waiting_resident", "escalated", "reopened")},
    **{(s, "merge"): "merged" for s in ("submitted", "accepted", "in_progress", "waiting_resident", "reopened")},
    **{(s, "archive"): "archived" for s in ("closed", "withdrawn", "merged")},
}
RATEABLE = ("resolved", "published")
#: notes are allowed on every state but an archived one
NOTE_STATES = tuple(s for s in STATES if s != "archived")

#: The four steps of the 流水线 shown on the tracking page, with the states that have reached each.
STEPS = (
    ("民生受理", "Accepted", ("accepted", "in_progress", "waiting_resident", "escalated", "reopened", "resolved", "published", "closed")),
    ("限期办理", "Handled", ("resolved", "published", "closed")),
    ("公示反馈", "Published", ("published", "closed")),
    ("跟踪监督", "Followed up", ("closed",)),
)


class Refused(Refusal):
    """An action that the case's state does not allow, said in both languages (409 on the web)."""

    status = 409

    def __init__(self, zh: str, en: str) -> None:
        super().__init__("refused", zh, en)


def state_name(state: str, lang: str = "zh") -> str:
    zh, en, _ = STATES.get(state, (state, state, True))
    return en if lang == "en" else zh


def is_open(state: str) -> bool:
    return STATES.get(state, ("", "", False))[2]


def allowed_actions(state: str) -> list[str]:
    """Staff actions possible from ``state`` (in the order of :data:`ACTIONS`)."""
    acts = [a for a in ACTIONS if (state, a) in TRANSITIONS]
    if state in RATEABLE:
        acts.append("rate")
    if state in NOTE_STATES:
        acts.append("note")
    return acts


def next_state(state: str, action: str) -> str:
    """The state ``action`` leads to from ``state``; :class:`Refused` when the move is illegal."""
    if action not in ACTIONS:
        raise Refused(f"没有“{action}”这个操作", f"unknown action {action!r}")
    if action == "note":
        if state in NOTE_STATES:
            return state
    elif action == "rate":
        if state in RATEABLE:
            return state  # the service decides closed or reopened from the level
    elif (state, action) in TRANSITIONS:
        return TRANSITIONS[(state, action)]
    verb_zh, verb_en = ACTIONS[action]
    raise Refused(
        f"诉求当前为“{state_name(state)}”，不能{verb_zh}",
        f"a case that is {state_name(state, 'en').lower()} cannot be given the action {verb_en.lower()!r}",
    )
