"""Backups of the whole database, taken while the terminals keep running, and their restore.

A backup is one ``.tar.gz`` file with two members: ``kiosk-backup.json`` (what it is: backend, kiosk
version, schema heads, time, terminal, the payload's SHA-256) and the payload:

* SQLite: ``database.sqlite3``, made with SQLite's online backup API (``Connection.backup``), which
  copies a consistent snapshot page by page while kiosks keep writing;
* PostgreSQL: ``database.pgdump``, ``pg_dump -Fc`` (one consistent snapshot; from the
  ``postgresql-client`` package).

Restore checks the file (checksum, backend, schema not newer than the code), saves the current
database first (``pre-restore`` backup beside the others), then replaces it: SQLite through the
backup API into the live file (open connections see the restored data, no file is swapped under
them); PostgreSQL by dropping the kiosk's tables and restoring the dump in one ``psql`` transaction,
so a failed restore leaves the old data in place. Afterwards the migrations bring an older backup
up to the code's schema.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import URL, make_url

from kiosk import __version__, clock, migrate
from kiosk.private_files import private_dir

FORMAT = "kiosk-backup"
FORMAT_VERSION = 1
META_NAME = "kiosk-backup.json"
PAYLOAD = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
NAME_PATTERN = re.compile(r"^kiosk-backup-(\d{8}-\d{6})(-\d+)?(-[a-z-]+)?\.tar\.gz$")
#: What the README tells a helper to install when the PostgreSQL tools are missing.
PG_TOOLS_HINT = "install the PostgreSQL client tools: apt-get install postgresql-client"


class BackupError(RuntimeError):
    """The backup or restore cannot be done; the message says why and what to do."""


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    meta: dict

    @property
    def backend(self) -> str:
        return self.meta["backend"]

    def describe(self) -> str:
        counts = ", ".join(f"{k} {v}" for k, v in sorted(self.meta.get("counts", {}).items()))
        return (f"backup of {self.meta['backend']} from {self.meta['created_at']} by {self.meta.get('terminal', '?')} "
                f"(kiosk {self.meta['kiosk_version']}, schema {', '.join(self.meta['heads'])}; {counts})")


def backend_of(url: str) -> str:
    name = make_url(url).get_backend_name()
    if name not in PAYLOAD:
        raise BackupError(f"backups support SQLite and PostgreSQL, not {name}")
    return name


def default_name(ctx, suffix: str = "") -> str:
    return f"kiosk-backup-{ctx.now().strftime('%Y%m%d-%H%M%S')}{suffix}.tar.gz"


def default_dir(ctx) -> Path:
    return ctx.settings.data_dir / "backups"


def row_counts(ctx) -> dict[str, int]:
    """How many receipts and staff logins there are: a human check that the right data is meant."""
    out = {}
    with ctx.engine.connect() as conn:
        for table in ("receipt", "staff_user"):
            try:
                out[table] = int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
            except Exception:
                out[table] = 0
    return out


def create_backup(ctx, out: Path | None = None) -> BackupInfo:
    """Write a backup of ``ctx``'s database to ``out`` (a file, or a folder to name one in)."""
    backend = backend_of(ctx.settings.database_url)
    target = Path(out) if out else default_dir(ctx)
    if target.is_dir() or out is None:
        private_dir(target)  # 0700 when made here; each backup file is 0600
        target = target / default_name(ctx)
        n = 2
        while target.exists():  # two backups in one second (or a pinned clock): never overwrite one
            target = target.with_name(default_name(ctx).replace(".tar.gz", f"-{n}.tar.gz"))
            n += 1
    if not target.parent.is_dir():
        raise BackupError(f"folder {target.parent} does not exist")
    with tempfile.TemporaryDirectory(prefix=".kiosk-backup-", dir=target.parent) as tmp:
        payload = Path(tmp) / PAYLOAD[backend]
        if backend == "sqlite":
            _sqlite_snapshot(ctx.settings.database_url, payload)
        else:
            _pg_dump(ctx.settings.database_url, payload)
        meta = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "backend": backend,
            "kiosk_version": __version__,
            "heads": migrate.current_heads(ctx.engine),
            "created_at": clock.utcnow().isoformat(),
            "terminal": ctx.terminal,
            "database": make_url(ctx.settings.database_url).render_as_string(hide_password=True),
            "plugins": {name: p.version for name, p in ctx.host.plugins.items()},
            "counts": row_counts(ctx),
            "payload": payload.name,
            "payload_bytes": payload.stat().st_size,
            "payload_sha256": _sha256(payload),
        }
        partial = Path(tmp) / "backup.tar.gz"
        with tarfile.open(partial, "w:gz") as tar:
            data = json.dumps(meta, ensure_ascii=False, indent=2).encode("utf-8")
            member = tarfile.TarInfo(META_NAME)
            member.size = len(data)
            member.mtime = int(clock.utcnow().timestamp())
            tar.addfile(member, io.BytesIO(data))
            tar.add(payload, arcname=payload.name)
        os.chmod(partial, 0o600)  # personal data inside: readable by the kiosk user only
        with open(partial, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(partial, target)  # a reader never sees half a backup
    return BackupInfo(target, meta)


def prune(folder: Path, keep: int) -> list[Path]:
    """Delete all but the ``keep`` newest regular backups in ``folder`` (pre-restore copies stay)."""
    found = []
    for path in folder.iterdir():
        m = NAME_PATTERN.match(path.name)
        if m and not m.group(3):
            found.append(((m.group(1), int(m.group(2)[1:]) if m.group(2) else 1), path))
    found.sort(reverse=True)
    gone = [path for _key, path in found[keep:]]
    for path in gone:
        path.unlink()
    return gone


def read_backup(path: Path) -> BackupInfo:
    """The metadata of a backup file (raises BackupError when it is not one of ours)."""
    try:
        with tarfile.open(path, "r:gz") as tar:
            meta = json.loads(_regular_member(tar, path, META_NAME).read().decode("utf-8"))
    except FileNotFoundError:
        raise BackupError(f"{path} does not exist") from None
    except (tarfile.TarError, KeyError, OSError, ValueError, EOFError) as exc:
        raise BackupError(f"{path} is not a kiosk backup ({exc})") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise BackupError(f"{path} is not a kiosk backup")
    if meta.get("format_version", 0) > FORMAT_VERSION:
        raise BackupError(f"{path} was written by a newer kiosk (format {meta['format_version']}): upgrade first")
    return BackupInfo(Path(path), meta)


def _regular_member(tar: tarfile.TarFile, path, name: str):
    """The open member ``name`` of a backup, refused unless it is a plain file with a plain name.

    Restore never extracts to the file system by member name, and it checks each member itself rather
    than relying on ``extract(filter="data")``, which Debian 12's Python 3.11.2 does not have (3.11.4+):
    a link, device, directory or a name with a path in it is not something ``kiosk backup`` writes.
    """
    try:
        member = tar.getmember(name)
    except KeyError:
        raise BackupError(f"{path} has no {name}: not a kiosk backup") from None
    if not member.isreg() or "/" in member.name or "\\" in member.name or member.name in ("", ".", ".."):
        raise BackupError(f"{path} holds {name} as something other than a plain file: refused, not a kiosk backup")
    fh = tar.extractfile(member)
    if fh is None:
        raise BackupError(f"{path} has no readable {name}")
    return fh


def check_restorable(ctx, info: BackupInfo, dirs: list[Path]) -> None:
    backend = backend_of(ctx.settings.database_url)
    if info.backend != backend:
        raise BackupError(f"this is a {info.backend} backup and the configured database is {backend}: "
                          "restore it on a terminal configured for the same kind of database")
    known = _known_revisions(dirs)
    unknown = [h for h in info.meta.get("heads", []) if h not in known]
    if unknown:
        raise BackupError(f"the backup's schema ({', '.join(unknown)}) is newer than this kiosk {__version__}: "
                          "upgrade the kiosk before restoring it")


def restore_backup(ctx, info: BackupInfo, dirs: list[Path]) -> Path:
    """Replace the database with the backup; returns the pre-restore backup of what was there."""
    check_restorable(ctx, info, dirs)
    with tempfile.TemporaryDirectory(prefix=".kiosk-restore-") as tmp:
        if info.meta.get("payload") != PAYLOAD.get(info.backend):
            raise BackupError(f"{info.path} names an unexpected payload {info.meta.get('payload')!r}: not a kiosk backup")
        payload = Path(tmp) / PAYLOAD[info.backend]
        with tarfile.open(info.path, "r:gz") as tar:
            with open(payload, "wb") as out:
                shutil.copyfileobj(_regular_member(tar, info.path, info.meta["payload"]), out)
        if _sha256(payload) != info.meta.get("payload_sha256"):
            raise BackupError(f"{info.path} is damaged (checksum mismatch): use another backup")
        if info.backend == "sqlite":
            _sqlite_check(payload)
        folder = private_dir(default_dir(ctx))
        before = create_backup(ctx, folder / default_name(ctx, "-pre-restore"))
        ctx.engine.dispose()  # no pooled connection keeps an old view or a lock
        if info.backend == "sqlite":
            _sqlite_restore(payload, ctx.settings.database_url)
        else:
            _pg_restore(payload, ctx.settings.database_url)
    ctx.engine.dispose()
    ctx.migrate()  # an older backup is brought up to this code's schema
    return before.path


# -- SQLite ----------------------------------------------------------------------------------------
def _sqlite_path(url: str) -> str:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return database


def _sqlite_snapshot(url: str, out: Path) -> None:
    src = sqlite3.connect(_sqlite_path(url), timeout=30)
    dst = sqlite3.connect(out)
    try:
        src.backup(dst)  # restarts by itself if another connection writes during the copy
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
    finally:
        dst.close()
        src.close()


def _sqlite_check(path: Path) -> None:
    conn = sqlite3.connect(path)
    try:
        result = conn.execute("PRAGMA integrity_check").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"the backup's database is unreadable: {exc}") from None
    finally:
        conn.close()
    if result != "ok":
        raise BackupError(f"the backup's database fails its integrity check: {result}")


def _sqlite_restore(payload: Path, url: str) -> None:
    src = sqlite3.connect(payload)
    dst = sqlite3.connect(_sqlite_path(url), timeout=30)
    try:
        dst.execute("PRAGMA busy_timeout=30000")
        src.backup(dst)  # writes into the live database under its lock: running kiosks see the result
    finally:
        dst.close()
        src.close()


# -- PostgreSQL ------------------------------------------------------------------------------------
_PG_QUERY_ENV = {"sslmode": "PGSSLMODE", "sslrootcert": "PGSSLROOTCERT", "sslcert": "PGSSLCERT", "sslkey": "PGSSLKEY",
                 "connect_timeout": "PGCONNECT_TIMEOUT", "application_name": "PGAPPNAME"}


def _pg_env(url: str) -> dict[str, str]:
    """libpq's connection as environment variables: the password never appears on a command line."""
    u: URL = make_url(url)
    env = dict(os.environ)
    for key, value in (("PGHOST", u.host), ("PGPORT", u.port), ("PGUSER", u.username), ("PGPASSWORD", u.password),
                       ("PGDATABASE", u.database)):
        if value:
            env[key] = str(value)
    for key, value in u.query.items():  # e.g. ?sslmode=require
        if key in _PG_QUERY_ENV:
            env[_PG_QUERY_ENV[key]] = str(value)
    return env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        raise BackupError(f"{name} is missing: {PG_TOOLS_HINT}")
    return path


def _run(args: list[str], env: dict, what: str, stdin=None) -> None:
    proc = subprocess.run(args, env=env, stdin=stdin, capture_output=True, text=True)
    if proc.returncode != 0:
        lines = [line for line in proc.stderr.strip().splitlines() if line.strip()]
        raise BackupError(f"{what} failed: {lines[-1] if lines else f'exit code {proc.returncode}'}")


def _pg_dump(url: str, out: Path) -> None:
    _run([_tool("pg_dump"), "-Fc", "--no-owner", "--no-privileges", "-f", str(out)], _pg_env(url), "pg_dump")


#: Runs first inside the restore's transaction: the kiosk's tables go, so tables a newer schema added
#: do not survive next to an older backup (and everything comes back if anything fails).
_PG_CLEAR = """
SET lock_timeout = '60s';
DO $$ DECLARE r record; BEGIN
  FOR r IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' LOOP
    EXECUTE format('DROP TABLE IF EXISTS public.%I CASCADE', r.tablename);
  END LOOP;
  FOR r IN SELECT sequence_name FROM information_schema.sequences WHERE sequence_schema = 'public' LOOP
    EXECUTE format('DROP SEQUENCE IF EXISTS public.%I CASCADE', r.sequence_name);
  END LOOP;
  FOR r IN SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
           WHERE n.nspname = 'public' AND t.typtype IN ('e', 'd') LOOP
    EXECUTE format('DROP TYPE IF EXISTS public.%I CASCADE', r.typname);
  END LOOP;
END $$;
"""


def _pg_restore(payload: Path, url: str) -> None:
    env = _pg_env(url)
    folder = payload.parent
    clear, restore = folder / "clear.sql", folder / "restore.sql"
    clear.write_text(_PG_CLEAR, encoding="utf-8")
    _run([_tool("pg_restore"), "--no-owner", "--no-privileges", "-f", str(restore), str(payload)], env,
         "reading the backup with pg_restore")
    # -1 with several -f: the clearing and the whole restore are one transaction.
    _run([_tool("psql"), "-X", "-q", "--single-transaction", "-v", "ON_ERROR_STOP=1", "-f", str(clear), "-f", str(restore)],
         env, "restoring into PostgreSQL")


# -- helpers ---------------------------------------------------------------------------------------
def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _known_revisions(dirs: list[Path]) -> set[str]:
    from alembic.script import ScriptDirectory

    cfg = migrate.alembic_config(None, dirs)  # type: ignore[arg-type]
    return {rev.revision for rev in ScriptDirectory.from_config(cfg).walk_revisions()}
