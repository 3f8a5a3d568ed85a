"""``kiosk backup`` and ``kiosk restore`` on SQLite and PostgreSQL: back up, change, restore, data back."""

from __future__ import annotations

import json
import sqlite3
import tarfile
import threading
from pathlib import Path

import pytest
from kit import run_kiosk
from sqlalchemy import func, select, text

from kiosk.backup import BackupError, create_backup, prune, read_backup, restore_backup
from kiosk.models import Receipt, StaffUser
from kiosk.staff import ensure_user

NOW = "2026-11-30T02:30:00+08:00"


def issue(ctx, n: int) -> None:
    with ctx.transaction() as s:
        for i in range(n):
            ctx.issue_receipt(s, plugin="sample", kind="visit", subject=str(i), number=f"V{i:03d}", title="访客凭条")


def receipts(ctx) -> int:
    with ctx.sessions() as s:
        return s.scalar(select(func.count()).select_from(Receipt))


@pytest.fixture
def cli_db(db_url, monkeypatch, isolated_env):
    """The CLI's database: SQLite in the data dir or a fresh PostgreSQL database, with demo logins."""
    monkeypatch.setenv("KIOSK_DATABASE_URL", db_url)
    monkeypatch.setenv("KIOSK_NOW", NOW)
    run_kiosk("demo-data")
    return db_url


def ctx_for(db_url, make_ctx):
    from kiosk.pluginhost import PluginHost

    return make_ctx(PluginHost(), db_url)


def test_backup_change_restore_brings_the_data_back(cli_db, make_ctx, isolated_env):
    ctx = ctx_for(cli_db, make_ctx)
    issue(ctx, 5)
    base = receipts(ctx)  # the demo data's and these five
    made = json.loads(run_kiosk("backup", "--json").stdout)
    path = Path(made["file"])
    assert path.parent == isolated_env / "backups" and path.name == "kiosk-backup-20261130-023000.tar.gz"
    meta = made["meta"]
    backend = "sqlite" if cli_db.startswith("sqlite") else "postgresql"
    assert meta["backend"] == backend and meta["format"] == "kiosk-backup" and meta["counts"]["receipt"] == base
    assert "0003_intake" in meta["heads"] and meta["created_at"].startswith("2026-11-29T18:30:00")
    assert meta["kiosk_version"] and "sample" in meta["plugins"]
    assert (path.stat().st_mode & 0o777) == 0o600
    with tarfile.open(path) as tar:
        assert tar.getnames() == ["kiosk-backup.json", meta["payload"]]

    # Life goes on: more receipts, a login gone, and a table a later schema might add.
    issue(ctx, 3)
    with ctx.transaction() as s:
        s.execute(StaffUser.__table__.delete().where(StaffUser.username == "clerk"))
        s.execute(text("CREATE TABLE scratch_later (x INTEGER)"))
    assert receipts(ctx) == base + 3

    refused = run_kiosk("restore", str(path), check=False)
    assert refused.returncode == 2
    assert "replaces ALL data" in refused.stdout and f"receipt {base + 3}" in refused.stdout and f"receipt {base}, staff_user 2)" in refused.stdout
    assert "--yes" in refused.stderr
    assert receipts(ctx) == base + 3  # nothing changed without --yes

    done = json.loads(run_kiosk("restore", str(path), "--yes", "--json").stdout)
    ctx.engine.dispose()
    assert receipts(ctx) == base
    with ctx.sessions() as s:
        assert sorted(s.scalars(select(StaffUser.username))) == ["admin", "clerk"]
        tables = set(s.connection().dialect.get_table_names(s.connection()))
    assert "scratch_later" not in tables
    # What was replaced is kept, and it is itself a backup that restores.
    saved = read_backup(Path(done["previous_saved_to"]))
    assert saved.meta["counts"]["receipt"] == base + 3 and saved.path.name.endswith("-pre-restore.tar.gz")
    run_kiosk("restore", str(saved.path), "--yes")
    ctx.engine.dispose()
    assert receipts(ctx) == base + 3
    # The restored database takes new work at once.
    issue(ctx, 1)
    assert receipts(ctx) == base + 4


def test_sqlite_backup_is_consistent_while_a_kiosk_writes(make_host, make_ctx, tmp_path):
    ctx = make_ctx(make_host())
    issue(ctx, 200)
    stop = threading.Event()
    written = []

    def writer():
        i = 0
        while not stop.is_set():
            issue(ctx, 1)
            i += 1
            written.append(i)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(written) < 5:
            stop.wait(0.01)
        infos = [create_backup(ctx, tmp_path / f"b{i}.tar.gz") for i in range(3)]
    finally:
        stop.set()
        thread.join()
    for info in infos:
        copy = tmp_path / f"{info.path.stem}.sqlite3"
        with tarfile.open(info.path) as tar:  # extractfile: Python 3.11.2 has no extract(filter=)
            copy.write_bytes(tar.extractfile("database.sqlite3").read())
        conn = sqlite3.connect(copy)
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        count, tokens = conn.execute("SELECT (SELECT count(*) FROM receipt), (SELECT count(*) FROM receipt_token)").fetchone()
        assert count >= 200 and tokens == count  # each receipt with its token: no half-written issue
        conn.close()


def test_restore_refuses_what_it_cannot_safely_do(make_host, make_ctx, tmp_path):
    ctx = make_ctx(make_host())
    issue(ctx, 2)
    info = create_backup(ctx, tmp_path)
    dirs = ctx.migration_dirs()

    # A damaged file: caught by the checksum before anything is touched.
    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(info.path) as src, tarfile.open(damaged, "w:gz") as dst:
        for member in src.getmembers():
            data = src.extractfile(member).read()
            if member.name == "database.sqlite3":
                data = data[:-10] + b"0123456789"
            member.size = len(data)
            import io

            dst.addfile(member, io.BytesIO(data))
    with pytest.raises(BackupError, match="damaged"):
        restore_backup(ctx, read_backup(damaged), dirs)

    # Not a backup at all.
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not a tarball")
    with pytest.raises(BackupError, match="not a kiosk backup"):
        read_backup(junk)
    missing = run_kiosk("restore", str(tmp_path / "nope.tar.gz"), "--yes", check=False)
    assert missing.returncode == 2 and "does not exist" in missing.stderr

    # From a newer kiosk (a schema this code does not know).
    newer = read_backup(info.path)
    newer.meta["heads"] = ["0099_core"]
    with pytest.raises(BackupError, match="newer than this kiosk"):
        restore_backup(ctx, newer, dirs)

    # From the other kind of database.
    other = read_backup(info.path)
    other.meta["backend"] = "postgresql"
    with pytest.raises(BackupError, match="postgresql backup and the configured database is sqlite"):
        restore_backup(ctx, other, dirs)
    assert receipts(ctx) == 2


def _rewrite(src_path, dst_path, change):
    """Copy a backup member by member; change(member, data) returns the (member, data) to write, or None."""
    import io

    with tarfile.open(src_path) as src, tarfile.open(dst_path, "w:gz") as dst:
        for member in src.getmembers():
            out = change(member, src.extractfile(member).read())
            if out is not None:
                member, data = out
                dst.addfile(member, io.BytesIO(data) if member.isreg() else None)
    return dst_path


def test_restore_refuses_unsafe_archive_members_without_tar_filters(make_host, make_ctx, tmp_path):
    """Python 3.11.2 has no extract(filter=): restore checks member names and types itself."""
    import json

    ctx = make_ctx(make_host())
    issue(ctx, 1)
    info = create_backup(ctx, tmp_path)
    dirs = ctx.migration_dirs()
    outside = tmp_path / "outside"

    def as_symlink(member, data):  # the payload replaced by a link to a file outside
        if member.name == "database.sqlite3":
            link = tarfile.TarInfo("database.sqlite3")
            link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
            return link, b""
        return member, data

    linked = _rewrite(info.path, tmp_path / "linked.tar.gz", as_symlink)
    with pytest.raises(BackupError, match="plain file"):
        restore_backup(ctx, read_backup(linked), dirs)

    def traversing(member, data):  # the metadata names a payload that would be written outside the temp folder
        if member.name == "kiosk-backup.json":
            meta = json.loads(data)
            meta["payload"] = f"../../{outside.name}"
            data = json.dumps(meta).encode()
            member.size = len(data)
        return member, data

    escaped = _rewrite(info.path, tmp_path / "escaped.tar.gz", traversing)
    with pytest.raises(BackupError, match="unexpected payload"):
        restore_backup(ctx, read_backup(escaped), dirs)
    assert not outside.exists()

    def meta_as_dir(member, data):
        if member.name == "kiosk-backup.json":
            folder = tarfile.TarInfo("kiosk-backup.json")
            folder.type = tarfile.DIRTYPE
            return folder, b""
        return member, data

    with pytest.raises(BackupError, match="plain file"):
        read_backup(_rewrite(info.path, tmp_path / "dir.tar.gz", meta_as_dir))
    assert receipts(ctx) == 1


def test_nightly_retention_keeps_the_newest_n(make_host, make_ctx, tmp_path, monkeypatch):
    ctx = make_ctx(make_host())
    tmp_path = tmp_path / "nightly"
    tmp_path.mkdir()
    for day in range(1, 6):
        monkeypatch.setenv("KIOSK_NOW", f"2026-11-{day:02d}T02:30:00+08:00")
        create_backup(ctx, tmp_path)
    create_backup(ctx, tmp_path)  # the same second again: a second file, not an overwrite
    (tmp_path / "kiosk-backup-20261101-000000-pre-restore.tar.gz").write_bytes(b"kept")
    (tmp_path / "notes.txt").write_text("kept")
    gone = prune(tmp_path, 3)
    assert sorted(p.name for p in gone) == ["kiosk-backup-20261101-023000.tar.gz", "kiosk-backup-20261102-023000.tar.gz",
                                            "kiosk-backup-20261103-023000.tar.gz"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "kiosk-backup-20261101-000000-pre-restore.tar.gz", "kiosk-backup-20261104-023000.tar.gz",
        "kiosk-backup-20261105-023000-2.tar.gz", "kiosk-backup-20261105-023000.tar.gz", "notes.txt"]


def test_backup_cli_keep_and_out_file(isolated_env, tmp_path):
    run_kiosk("db", "upgrade")
    out = tmp_path / "mine.tar.gz"
    assert json.loads(run_kiosk("backup", "--out", str(out), "--json").stdout)["file"] == str(out)
    folder = tmp_path / "nightly"
    folder.mkdir()
    for i in range(3):
        run_kiosk("backup", "--out", str(folder), "--keep", "2", env={"KIOSK_NOW": f"2026-11-0{i + 1}T02:30:00+08:00"})
    assert sorted(p.name for p in folder.iterdir()) == ["kiosk-backup-20261102-023000.tar.gz",
                                                        "kiosk-backup-20261103-023000.tar.gz"]
    bad = run_kiosk("backup", "--out", str(tmp_path / "no" / "such" / "x.tar.gz"), check=False)
    assert bad.returncode != 0 and "does not exist" in bad.stderr
