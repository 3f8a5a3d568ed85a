"""The state machine: every legal move, and every other (state, action) refused with a reason."""

from __future__ import annotations

import itertools

import pytest

from kiosk.plugins.intake import workflow
from kiosk.plugins.intake.workflow import ACTIONS, STATES, TRANSITIONS, Refused, next_state


def test_every_state_is_reachable_from_submitted():
    seen, todo = {"submitted"}, ["submitted"]
    while todo:
        here = todo.pop()
        for (state, _action), to in TRANSITIONS.items():
            if state == here and to not in seen:
                seen.add(to)
                todo.append(to)
    seen |= {"closed", "reopened"}  # through a rating
    assert seen == set(STATES)


@pytest.mark.parametrize("state,action", list(itertools.product(STATES, ACTIONS)))
def test_each_pair_is_allowed_or_refused_with_a_reason(state, action):
    legal = (state, action) in TRANSITIONS or (action == "rate" and state in workflow.RATEABLE) or (
        action == "note" and state in workflow.NOTE_STATES)
    if legal:
        assert next_state(state, action) in STATES
    else:
        with pytest.raises(Refused) as info:
            next_state(state, action)
        assert info.value.zh and info.value.en
        assert workflow.state_name(state) in info.value.zh


def test_key_paths_of_the_pipeline():
    assert next_state("submitted", "accept") == "accepted"
    assert next_state("in_progress", "resolve") == "resolved"
    assert next_state("resolved", "publish") == "published"
    assert next_state("waiting_resident", "resume") == "in_progress"
    assert next_state("escalated", "reply") == "in_progress"
    for final in ("withdrawn", "merged", "archived"):
        assert workflow.allowed_actions(final) == (["archive", "note"] if final != "archived" else [])
    with pytest.raises(Refused):
        next_state("submitted", "resolve")  # nothing is resolved before it is accepted
    with pytest.raises(Refused):
        next_state("archived", "reopen")
    with pytest.raises(Refused):
        next_state("closed", "publish")
