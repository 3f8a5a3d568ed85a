"""Files holding residents' data are the kiosk user's alone (issue 14, finding 8): the data dir 0700, the
SQLite database and its -wal and -shm 0600 (SQLite made them 0644, readable by every account), backups
0600 in a 0700 folder; files an older install left readable are tightened when the database is opened."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from kiosk.backup import create_backup
from kiosk.config import load_settings
from kiosk.private_files import private_dir, private_file
from kiosk.staff import set_user


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def usual_umask():
    """The umask of a Debian login (022), under which SQLite's own files come out 0644."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def _write(ctx) -> None:
    with ctx.transaction() as s:
        set_user(s, "clerk", "clerk-password", role="staff")


def test_a_new_sqlite_database_its_wal_shm_and_the_data_dir_are_private(make_host, make_ctx, isolated_env):
    assert not isolated_env.exists()
    ctx = make_ctx(make_host())
    _write(ctx)
    with ctx.engine.connect():  # a connection held open keeps the -wal and -shm files
        db = isolated_env / "kiosk.sqlite3"
        wal, shm = Path(f"{db}-wal"), Path(f"{db}-shm")
        assert wal.exists() and shm.exists()
        assert mode(isolated_env) == 0o700
        assert (mode(db), mode(wal), mode(shm)) == (0o600, 0o600, 0o600)
    key = ctx.settings.secret_key()
    assert key and mode(isolated_env / "secret.key") == 0o600


def test_the_database_folder_is_made_private_wherever_it_is_configured(make_host, make_ctx, tmp_path):
    db = tmp_path / "elsewhere" / "deep" / "kiosk.sqlite3"
    ctx = make_ctx(make_host(), f"sqlite:///{db}")
    _write(ctx)
    assert mode(db.parent) == 0o700 and mode(db.parent.parent) == 0o700 and mode(db) == 0o600


def test_files_an_older_install_left_readable_are_tightened(make_host, make_ctx, isolated_env):
    isolated_env.mkdir(mode=0o755)
    db = isolated_env / "kiosk.sqlite3"
    for path in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
        path.touch(mode=0o644)
        os.chmod(path, 0o644)
    ctx = make_ctx(make_host())
    _write(ctx)
    with ctx.engine.connect():
        assert mode(db) == 0o600 and mode(Path(f"{db}-wal")) == 0o600 and mode(Path(f"{db}-shm")) == 0o600
    assert mode(isolated_env) == 0o755  # a folder the administrator made keeps its mode


def test_data_dir_made_by_the_secret_key_alone_is_private(isolated_env, monkeypatch):
    monkeypatch.setenv("KIOSK_DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/none")
    load_settings().secret_key()
    assert mode(isolated_env) == 0o700 and mode(isolated_env / "secret.key") == 0o600


def test_backups_are_private_in_a_private_folder(make_host, make_ctx, db_url, isolated_env):
    ctx = make_ctx(make_host(), db_url)
    _write(ctx)
    info = create_backup(ctx)
    assert info.path.parent == isolated_env / "backups"
    assert mode(info.path) == 0o600 and mode(info.path.parent) == 0o700


def test_private_dir_and_file_under_a_permissive_umask(tmp_path):
    os.umask(0)
    made = private_dir(tmp_path / "a" / "b")
    assert mode(tmp_path / "a") == 0o700 and mode(made) == 0o700
    f = private_file(made / "f")
    assert mode(f) == 0o600
    os.chmod(f, 0o664)
    private_file(f)  # exists: tightened, not truncated
    assert mode(f) == 0o600
