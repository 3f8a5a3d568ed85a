"""Issue 14: the staff PIN pad's failure count is shared by every kiosk with the same PIN (through the
database), so a guesser gets five tries in all, not five per kiosk; the file still locks without it."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from kiosk.pinlock import LOCK_TIME, MAX_TRIES, PinLock, SharedPinState
from kiosk.security import hash_secret


class Now:
    def __init__(self) -> None:
        self.value = datetime(2026, 11, 30, 1, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.value


@pytest.fixture(scope="module")
def pin_hash():
    return hash_secret("246810")


def test_two_kiosks_share_one_count_and_one_lock(make_host, make_ctx, db_url, tmp_path, pin_hash):
    ctx = make_ctx(make_host(), db_url)
    now = Now()
    hall = PinLock(tmp_path / "hall.json", pin_hash, now, SharedPinState(ctx, pin_hash))
    lobby = PinLock(tmp_path / "lobby.json", pin_hash, now, SharedPinState(ctx, pin_hash))
    for _ in range(MAX_TRIES - 2):
        assert hall.attempt("0000").result == "wrong"
    assert lobby.attempt("0000").tries_left == 1  # the other kiosk's tries count
    assert lobby.attempt("1111").result == "locked"
    assert hall.attempt("246810").result == "locked"  # locked on every kiosk, even for the right PIN
    now.value += LOCK_TIME + timedelta(seconds=1)
    assert hall.attempt("246810").result == "ok"
    assert lobby.attempt("0000").tries_left == MAX_TRIES - 1  # the right PIN reset the count for all


def test_another_pin_has_its_own_count(make_host, make_ctx, db_url, tmp_path, pin_hash):
    ctx = make_ctx(make_host(), db_url)
    now = Now()
    other = hash_secret("135790")
    mine = PinLock(tmp_path / "a.json", pin_hash, now, SharedPinState(ctx, pin_hash))
    theirs = PinLock(tmp_path / "b.json", other, now, SharedPinState(ctx, other))
    for _ in range(MAX_TRIES):
        mine.attempt("0000")
    assert theirs.attempt("135790").result == "ok"


def test_without_the_database_the_file_still_locks(make_host, make_ctx, tmp_path, pin_hash):
    ctx = make_ctx(make_host())
    ctx.engine.dispose()
    broken = SharedPinState(ctx, pin_hash)
    broken.ctx = type("Down", (), {"sessions": None, "transaction": None})()  # every call fails
    now = Now()
    lock = PinLock(tmp_path / "l.json", pin_hash, now, broken)
    results = [lock.attempt("0000").result for _ in range(MAX_TRIES)]
    assert results[-1] == "locked"
    assert PinLock(tmp_path / "l.json", pin_hash, now).attempt("246810").result == "locked"
