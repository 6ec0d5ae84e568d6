"""Checking a file written by ``export.py`` with no database: ``verify --export``.

The file is loaded, line by line and strictly (every field and its type), into a scratch SQLite
database with the log's own tables; then ``verify_chain`` runs on it, exactly as on the live log.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from shared.eventlog.chain import STORED_COLUMNS
from shared.eventlog.checkpoints import Checkpoint
from shared.eventlog.export import BATCH, FORMAT, VERSIONS, MalformedExportError
from shared.eventlog.keys import Keyring
from shared.eventlog.legacy import LEGACY_COLUMNS, legacy_envelope_text
from shared.eventlog.tables import (
    EVENT_LOG_INDEXES,
    HEAD_ROW_ID,
    event_log,
    log_checkpoints,
    log_head,
    metadata,
    sqlite_event_log_ddl,
)
from shared.eventlog.verify import HeadAnchor, VerificationResult, verify_chain
from shared.events.envelope import SIGNATURE_FIELDS
from shared.eventstore.database import create_database_engine

_INTEGERS = {"position", "schema_version", "stream_version"}
_LEGACY_HEADER = LEGACY_COLUMNS[:4]
_NULLABLE = {"causation_id", *SIGNATURE_FIELDS}
_CHECKPOINT_FIELDS = tuple(Checkpoint.__dataclass_fields__)


def verify_export(
    lines: Iterable[str],
    keys: Keyring | None,
    *,
    expect_head: HeadAnchor | None = None,
    progress: Callable[[int], None] | None = None,
) -> VerificationResult:
    """Check an export exactly as ``verify_chain`` checks the live log; raises
    ``MalformedExportError`` for a file that is not an export."""
    with tempfile.TemporaryDirectory(prefix="gravity-export-") as scratch:
        url = f"sqlite:///{Path(scratch) / 'log.db'}"
        engine = create_database_engine(url)
        try:
            _create_tables(engine)
            _load(engine, lines)
            return verify_chain(engine, progress, expect_head=expect_head, keys=keys)
        finally:
            engine.dispose()


def _create_tables(engine: Engine) -> None:
    """The log's tables, ``event_log`` exactly as the migration makes it (verify checks)."""
    with engine.begin() as connection:
        metadata.create_all(connection, tables=[log_head, log_checkpoints])
        connection.execute(sa.text(sqlite_event_log_ddl()))
        for statement in EVENT_LOG_INDEXES:
            connection.execute(sa.text(statement))


def export_key_ids(first_line: str) -> list[str]:
    """The key ids an export's header lists (for the auditor to compare with their own)."""
    header = _header(1, first_line)
    return [str(key.get("key_id")) for key in header["public_keys"] if isinstance(key, dict)]


def _load(engine: Engine, lines: Iterable[str]) -> None:
    numbered = enumerate(lines, start=1)
    first = next(numbered, None)
    if first is None:
        raise MalformedExportError("the file is empty: it is not a Gravity log export")
    header = _header(*first)
    with engine.begin() as connection:
        connection.execute(log_head.insert(), [{"id": HEAD_ROW_ID, **_head(header["head"])}])
        for table, rows in _batches(numbered, header["version"]):
            connection.execute(table.insert(), rows)


Rows = list[dict[str, Any]]


def _batches(numbered: Iterator[tuple[int, str]], version: int) -> Iterator[tuple[sa.Table, Rows]]:
    batch: Rows = []
    table = event_log
    for number, text in numbered:
        kind, row = _record(number, text, version)
        if kind is not table and batch:
            yield table, batch
            batch = []
        table = kind
        batch.append(row)
        if len(batch) >= BATCH:
            yield table, batch
            batch = []
    if batch:
        yield table, batch


def _record(number: int, text: str, version: int) -> tuple[sa.Table, dict[str, Any]]:
    value = _parse(number, text)
    if set(value) == {"entry"} and version == 1:
        return event_log, _legacy_entry(number, value["entry"])
    if set(value) == {"entry"}:
        return event_log, _fields(number, value["entry"], STORED_COLUMNS, {"position"}, "entry")
    if set(value) == {"checkpoint"}:
        row = _fields(number, value["checkpoint"], _CHECKPOINT_FIELDS, {"position"}, "checkpoint")
        return log_checkpoints, row
    raise MalformedExportError(f"line {number} is neither an entry nor a checkpoint")


def _legacy_entry(number: int, entry: Any) -> dict[str, Any]:
    """A version 1 entry (the seventeen columns of old) as its header and envelope text."""
    if isinstance(entry, dict):  # an export made before producers signed lacks these
        entry = dict.fromkeys(SIGNATURE_FIELDS) | entry
    entry = _fields(number, entry, LEGACY_COLUMNS, _INTEGERS, "entry")
    text = legacy_envelope_text([entry[name] for name in LEGACY_COLUMNS])
    return {name: entry[name] for name in _LEGACY_HEADER} | {"envelope": text}


def _header(number: int, text: str) -> dict[str, Any]:
    header = _parse(number, text)
    version = header.get("version")
    if header.get("format") != FORMAT or type(version) is not int or version not in VERSIONS:
        raise MalformedExportError(
            f"line {number} is not the header of a {FORMAT} version "
            f"{' or '.join(map(str, VERSIONS))} file"
        )
    if not isinstance(header.get("head"), dict) or not isinstance(header.get("public_keys"), list):
        raise MalformedExportError(f"line {number}: the header lacks its head or public_keys")
    return header


def _head(head: dict[str, Any]) -> dict[str, Any]:
    position, digest = head.get("position"), head.get("hash")
    if type(position) is not int or not isinstance(digest, str):
        raise MalformedExportError("line 1: the header's head is not {position, hash}")
    return {"position": position, "hash": digest}


def _fields(
    number: int, value: Any, names: tuple[str, ...], integers: set[str], what: str
) -> dict[str, Any]:
    if not isinstance(value, dict) or set(value) != set(names):
        raise MalformedExportError(f"line {number}: an {what} must have exactly {', '.join(names)}")
    for name, field in value.items():
        wanted = int if name in integers else str
        if type(field) is not wanted and not (name in _NULLABLE and field is None):
            problem = f"the {what}'s {name} is not a {wanted.__name__}"
            raise MalformedExportError(f"line {number}: {problem}")
    return value


def _parse(number: int, text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError:
        raise MalformedExportError(f"line {number} is not JSON") from None
    if not isinstance(value, dict):
        raise MalformedExportError(f"line {number} is not a JSON object")
    return value
