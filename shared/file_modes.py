"""Data files readable by the service's user only: folders 0700, files 0600.

Every process calls ``protect_data_files`` first thing: it sets the umask to 077, so that every
database, ``-wal``/``-shm`` file, key and document the process makes from then on is its user's
alone, and it tightens what an older version (or a copy, a restore) left more open: each
folder and file under the data and keys folders that a group or others could read is changed,
with a warning line naming the path (a path, never a file's content).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path

from shared.config import Settings
from shared.logging import get_logger

log = get_logger(__name__)

PRIVATE_UMASK = 0o077
FOLDER_MODE = 0o700
FILE_MODE = 0o600


def protect_data_files(settings: Settings) -> list[Path]:
    """Set the umask to 077 and tighten every data folder and file; the paths changed."""
    os.umask(PRIVATE_UMASK)
    return tighten(_roots(settings))


def _roots(settings: Settings) -> list[Path]:
    roots = [settings.data_dir, settings.keys_dir]
    for component in settings.components:
        url = settings.database_url(component)
        if url.startswith("sqlite:///") and ":memory:" not in url:
            roots.append(Path(url.removeprefix("sqlite:///")).parent)
    return roots


def tighten(roots: Iterable[Path]) -> list[Path]:
    """Make the folders under ``roots`` 0700 and their files 0600 where they are more open.

    Only what a group or others may reach is changed (a 0400 key stays 0400); symbolic links
    are not followed, and what the process does not own (a mounted Secret) is left alone."""
    changed: list[Path] = []
    seen: set[Path] = set()
    for given in roots:
        root = given.expanduser()
        if not root.is_dir() or root.resolve() in seen:
            continue
        seen.add(root.resolve())
        for folder, folders, files in os.walk(root):
            here = Path(folder)
            _tighten_one(here, FOLDER_MODE, changed)
            folders[:] = [name for name in folders if not (here / name).is_symlink()]
            for name in files:
                path = here / name
                if not path.is_symlink():
                    _tighten_one(path, FILE_MODE, changed)
    return changed


def _tighten_one(path: Path, mode: int, changed: list[Path]) -> None:
    try:
        status = path.lstat()
    except FileNotFoundError:  # removed meanwhile (a -shm file at a checkpoint)
        return
    if status.st_uid != os.geteuid() or not status.st_mode & 0o077:
        return
    old = stat.S_IMODE(status.st_mode)
    try:
        path.chmod(old & mode)
    except OSError:  # a read-only mount (a volume mounted :ro), or not allowed
        log.warning("data_files.too_open", path=str(path), mode=oct(old), changed=False)
        return
    log.warning("data_files.tightened", path=str(path), old_mode=oct(old), new_mode=oct(old & mode))
    changed.append(path)
