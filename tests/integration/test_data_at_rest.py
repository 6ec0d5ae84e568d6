"""Data at rest: SQLite overwrites what is deleted, and data files are their user's alone."""

from __future__ import annotations

import contextlib
import sqlite3
import stat
import uuid
from pathlib import Path

import sqlalchemy as sa

from shared.config import load_settings
from shared.eventstore.database import create_database_engine
from shared.file_modes import protect_data_files


def mode(path):
    return stat.S_IMODE(path.stat().st_mode)


def write_then_delete(connection_execute, marker):
    connection_execute("CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY, text TEXT)")
    connection_execute(f"INSERT INTO notes (text) VALUES ('{marker}')")
    connection_execute("DELETE FROM notes")


def test_a_deleted_value_is_not_in_the_database_file_after_a_checkpoint(tmp_path):
    path = tmp_path / "gravity.db"
    engine = create_database_engine(f"sqlite:///{path}")
    marker = f"secret-{uuid.uuid4().hex}" * 4
    with engine.begin() as connection:
        write_then_delete(connection.exec_driver_sql, marker)
    engine.dispose()  # the last connection to close checkpoints the WAL into the file
    with contextlib.closing(sqlite3.connect(path)) as checkpoint:
        checkpoint.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert marker.encode() not in path.read_bytes()
    wal = path.with_name(path.name + "-wal")
    assert not wal.exists() or marker.encode() not in wal.read_bytes()


def test_without_secure_delete_the_same_value_lingers_in_a_free_page(tmp_path):
    """The control: what the pragma prevents does happen without it."""
    path = tmp_path / "plain.db"
    marker = f"secret-{uuid.uuid4().hex}" * 4
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA secure_delete=OFF")
    write_then_delete(connection.execute, marker)
    connection.close()
    assert marker.encode() in path.read_bytes()


def test_every_engine_connection_has_secure_delete_on(sqlite_url):
    engine = create_database_engine(sqlite_url)
    reader = create_database_engine(sqlite_url, reader=True)
    for each in (engine, reader):
        with each.connect() as connection:
            assert connection.execute(sa.text("PRAGMA secure_delete")).scalar() == 1
        each.dispose()


def test_startup_tightens_open_data_files_and_makes_new_ones_private(tmp_path, capsys):
    data = tmp_path / "var"
    (data / "documents").mkdir(parents=True)
    # Set, not left to mkdir: an earlier test in this process may have set the umask to 077.
    for folder in (data, data / "documents"):
        folder.chmod(0o755)
    old = data / "recruitment.db"
    old.write_bytes(b"")
    old.chmod(0o644)
    settings = load_settings(environ={"GRAVITY_DATA_DIR": str(data)})
    changed = protect_data_files(settings)
    assert set(changed) == {data, data / "documents", old}
    assert (mode(data), mode(data / "documents"), mode(old)) == (0o700, 0o700, 0o600)
    captured = capsys.readouterr()
    assert "data_files.tightened" in captured.out + captured.err
    engine = create_database_engine(f"sqlite:///{data / 'new' / 'gateway.db'}")
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE t (x INTEGER)")
        made = sorted((data / "new").iterdir())
        assert [path.name for path in made] == ["gateway.db", "gateway.db-shm", "gateway.db-wal"]
        assert {mode(path) for path in made} == {0o600}
    engine.dispose()
    assert mode(data / "new") == 0o700
    assert protect_data_files(settings) == []


def test_a_file_that_cannot_be_changed_is_named_and_the_start_goes_on(
    tmp_path, capsys, monkeypatch
):
    """As on a volume mounted read-only (chmod fails with EROFS): the process warns, naming
    the file, and starts all the same."""
    data = tmp_path / "var"
    data.mkdir()
    data.chmod(0o700)
    shared = data / "producers.pub"
    shared.write_text("key\n")
    shared.chmod(0o644)
    original_chmod = Path.chmod

    def read_only(self, mode):
        if self == shared:
            raise OSError(30, "Read-only file system")
        return original_chmod(self, mode)

    monkeypatch.setattr(Path, "chmod", read_only)
    settings = load_settings(environ={"GRAVITY_DATA_DIR": str(data)})
    assert protect_data_files(settings) == []
    captured = capsys.readouterr()
    assert "data_files.too_open" in captured.out + captured.err
    assert str(shared) in captured.out + captured.err
