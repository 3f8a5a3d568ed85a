"""Files that hold residents' data are the kiosk user's alone: folders 0700, files 0600.

SQLite creates a database as 0644 (readable by every account on the machine) and gives its ``-wal`` and
``-shm`` files the database file's own mode; a folder made with ``mkdir`` is 0755 under the usual umask.
So the data dir, the database's folder and the backups' folder are made here, and the database file is
created empty and private before SQLite first opens it (an empty file is a valid empty database), which
makes every file SQLite adds beside it private as well. Files of an older install are tightened when
they are opened. The process umask is left alone: it belongs to whoever runs the kiosk.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600
#: What SQLite keeps beside a database file: the write-ahead log, its index, a rollback journal.
SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")


def private_dir(path: str | os.PathLike) -> Path:
    """``mkdir -p path``; every folder this creates (``path`` and missing parents) is 0700.

    A folder that exists already keeps its mode: an administrator may have set it up on purpose.
    """
    path = Path(path)
    missing = []
    for folder in (path, *path.parents):
        if folder.exists():
            break
        missing.append(folder)
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=DIR_MODE)
        except FileExistsError:  # another process made it first
            continue
        os.chmod(folder, DIR_MODE)  # exactly 0700, whatever the umask
    return path


def tighten(path: str | os.PathLike) -> None:
    """Take group and others' permissions off an existing file of ours (nothing happens to a missing one,
    or to one another account owns)."""
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
        if mode & 0o077:
            os.chmod(path, mode & 0o700 or FILE_MODE)
    except (FileNotFoundError, PermissionError):
        pass


def private_file(path: str | os.PathLike) -> Path:
    """Create ``path`` empty with mode 0600 unless it exists (then only :func:`tighten` it)."""
    path = Path(path)
    private_dir(path.parent)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        tighten(path)
        return path
    try:
        os.fchmod(fd, FILE_MODE)  # exactly 0600, whatever the umask
    finally:
        os.close(fd)
    return path


def private_sqlite(database: str | os.PathLike) -> Path:
    """The database file private before SQLite opens it, and any side file an older install left readable."""
    path = private_file(database)
    for suffix in SQLITE_SIDE_FILES:
        tighten(f"{path}{suffix}")
    return path
