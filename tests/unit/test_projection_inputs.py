"""The projector's fast way (payloads loaded from their parsed JSON, rows written straight to
SQLite) ends in the same values and the same read models as the full contract and the
envelope path, on a varied generated log: every contract, old versions that are upcast,
sealed fields of erased subjects, unknown types and payloads that break their contract."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from marshmallow import fields, validate
from sqlalchemy.engine import Engine

from gateway.core.log_rows import read_rows_after
from gateway.core.privacy import GATEWAY, ReadModelKeys
from gateway.core.projection import projection_of
from gateway.core.projection_inputs import PayloadLoader
from gateway.core.projector import Projector
from gateway.core.replay import fresh_store, rebuild
from gateway.core.replay_compare import Differences, compare_tables
from gateway.sections import SECTIONS
from shared.contracts import CONTRACTS
from shared.contracts.fields import Id, UtcDateTime
from shared.contracts.registry import InvalidPayloadError, Payload, UnknownEventTypeError
from shared.eventlog import EventLogAppender, EventLogReader
from shared.events.envelope import Envelope
from shared.eventstore.database import create_database_engine
from shared.migrations import upgrade_to_head
from shared.privacy.classes import FIELD_CLASSES, IDENTITY
from shared.privacy.key_rows import metadata as key_metadata
from shared.privacy.keystore import KeyStore
from shared.privacy.master_key import MasterKey
from shared.privacy.payloads import seal_envelope
from shared.privacy.sealing import ERASED
from tests.factories import make_registered_event, make_subject_erased

TABLES = [table for section in SECTIONS for table in section.tables]
CONTRACT_KEYS = sorted(CONTRACTS._contracts)  # every (type, version), old ones too
SEALED = "enc:v1:" + "ab" * 16 + ":" + "c2VhbGVkIGJ5IGEga2V5IHRoYXQgaXMgZ29uZQ=="


class Pool:
    """A few ids of each kind, so that later events find the rows earlier ones wrote."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.ids: dict[str, list[str]] = {}

    def id_for(self, name: str) -> str:
        found = self.ids.setdefault(name, [str(uuid.UUID(int=self.rng.getrandbits(128)))])
        # One campaign: a position and its applicants belong to one season.
        if name != "campaign_id" and len(found) < 3 and self.rng.random() < 0.3:
            found.append(str(uuid.UUID(int=self.rng.getrandbits(128))))
        return self.rng.choice(found)


def value_for(name: str, field: fields.Field[Any], pool: Pool) -> Any:
    """A value the field accepts."""
    rng = pool.rng
    if isinstance(field, Id):
        return pool.id_for(name)
    if isinstance(field, UtcDateTime):
        return f"2023-07-{rng.randint(10, 28)}T0{rng.randint(0, 9)}:30:00.000000Z"
    if isinstance(field, fields.Date):
        return f"2023-07-{rng.randint(10, 28)}"
    if isinstance(field, fields.Boolean):
        return rng.random() < 0.5
    if isinstance(field, fields.Integer):
        low, high = 0, 9
        for check in field.validators:
            if isinstance(check, validate.Range):
                low = check.min if check.min is not None else low
                high = check.max if check.max is not None else low + 9
        return rng.randint(low, min(high, low + 9))
    if isinstance(field, fields.List):
        inner = field.inner
        if isinstance(inner, fields.Nested):
            nested = inner.schema.fields
            return [{n: value_for(n, f, pool) for n, f in nested.items()} for _ in range(2)]
        # Distinct ids, as a ranking or a release names each once.
        return sorted({value_for(name.removesuffix("s") + "_id", inner, pool) for _ in range(2)})
    if isinstance(field, fields.Dict):
        return {pool.id_for("position_id"): rng.randint(0, 3)}
    for check in field.validators:
        if isinstance(check, validate.OneOf):
            return rng.choice(list(check.choices))
        if isinstance(check, validate.Regexp):
            return "sha256:" + "0f" * 32 if "sha256" in check.regex.pattern else "reads_x"
    return rng.choice(["孙悦", "Henan University", "meets the criteria (通过)", "x"])


def make_payload(event_type: str, version: int, pool: Pool) -> dict[str, Any]:
    schema = CONTRACTS.get(event_type, version).schema
    return {
        name: value_for(name, field, pool)
        for name, field in schema.fields.items()
        if field.required or pool.rng.random() < 0.5
    }


def variants(event_type: str, version: int, pool: Pool) -> Iterator[dict[str, Any]]:
    """A valid payload, and the ways a stored one may leave the fast plan."""
    payload = make_payload(event_type, version, pool)
    yield payload
    yield payload | {"unexpected": "x"}
    for name, value in payload.items():
        yield {k: v for k, v in payload.items() if k != name}  # a field missing
        yield payload | {name: None}
        yield payload | {name: 7 if isinstance(value, str) else "7"}
        if isinstance(value, str) and len(value) == 36 and value.count("-") == 4:
            yield payload | {name: value.upper()}  # an id in another case: canonicalised
        if isinstance(value, str):  # a word outside a field's choices; too short; too long
            yield from (payload | {name: text} for text in ("no such choice", "", "x" * 5000))
        if isinstance(value, str) and value.endswith(".000000Z"):
            yield payload | {name: value.replace(".000000Z", "+08:00")}
        if isinstance(value, int) and not isinstance(value, bool):
            yield payload | {name: -1000}  # below every range


def outcome(load: Any) -> Any:
    try:
        return ("values", load())
    except (InvalidPayloadError, UnknownEventTypeError) as error:
        return ("refused", type(error).__name__)


@pytest.mark.parametrize("contract", CONTRACT_KEYS, ids=lambda key: f"{key[0]}-v{key[1]}")
def test_the_fast_load_gives_what_the_full_contract_gives(contract: tuple[str, int]) -> None:
    event_type, version = contract
    loader, pool = PayloadLoader(), Pool(random.Random(f"{event_type}{version}"))
    for payload in variants(event_type, version, pool):
        envelope = Envelope(
            event_type=event_type,
            schema_version=version,
            stream_id="s-1",
            stream_version=1,
            producer="test",
            actor="operator:op-1",
            correlation_id="c-1",
            payload=payload,
        )
        fast = outcome(lambda: loader.load(event_type, version, dict(payload)))  # noqa: B023
        assert fast == outcome(lambda: CONTRACTS.load(envelope)), payload  # noqa: B023


def generated_log(engine: Engine, count: int, seed: int) -> int:
    """``count`` events of every contract in random order, some sealed, erased, unknown or
    invalid; returns the last position."""
    rng = random.Random(seed)
    pool, appender, versions = Pool(rng), EventLogAppender(engine), dict[str, int]()
    last = 0
    for n in range(count):
        event_type, version = rng.choice(CONTRACT_KEYS)
        payload = make_payload(event_type, version, pool)
        if event_type == "StudentRegistered" and n % 3 == 0:
            payload |= {"name": SEALED, "phone": SEALED}  # its key is gone: [erased]
        if n % 97 == 0:
            event_type = "SomethingNobodyKnows"
        if n % 89 == 0:
            payload |= {"unexpected": "breaks the contract"}
        stream = f"stream-{pool.id_for('stream')}"
        versions[stream] = versions.get(stream, 0) + 1
        envelope = Envelope(
            event_type=event_type,
            schema_version=version,
            stream_id=stream,
            stream_version=versions[stream],
            producer="test",
            actor="operator:op-1",
            correlation_id=f"c-{n}",
            payload=payload,
        )
        last = appender.append_batch([envelope])[0]
    return last


class FullContract(PayloadLoader):
    """Loads every payload through the full contract: the reference the fast way must meet."""

    def load(self, event_type: str, version: int, payload: Payload) -> Payload:
        envelope = Envelope(
            event_type=event_type,
            schema_version=version,
            stream_id="-",
            stream_version=1,
            producer="-",
            actor="-",
            correlation_id="-",
            payload=dict(payload),
        )
        return CONTRACTS.load(envelope)


@pytest.mark.parametrize("seed", [1, 2])
def test_a_rebuild_the_fast_way_equals_one_through_envelopes(tmp_path: Path, seed: int) -> None:
    log_url = f"sqlite:///{tmp_path / 'eventlog.db'}"
    upgrade_to_head(log_url, "shared.eventlog.migrations")
    log = create_database_engine(log_url)
    last = generated_log(log, 1500, seed)
    reader = EventLogReader(log)
    slow_url, fast_url = (f"sqlite:///{tmp_path / f'{name}.db'}" for name in ("slow", "fast"))
    with fresh_store(slow_url, TABLES) as slow, fresh_store(fast_url, TABLES) as fast:
        by_envelopes = Projector(slow, projection_of(SECTIONS), loader=FullContract())
        position = 0
        while page := reader.read_after(position, limit=113):  # odd pages: other groupings
            position = by_envelopes.apply(page)
        assert rebuild(reader, Projector(fast, projection_of(SECTIONS)), last, False) == last
        differences = Differences()
        with slow.connect() as one, fast.connect() as other:
            filled = one.execute(sa.select(sa.func.count()).select_from(TABLES[0])).scalar()
            compare_tables(one, other, TABLES, frozenset(), differences)
    log.dispose()
    assert position == last
    assert filled
    assert differences.as_list() == []


STUDENTS = [str(uuid.UUID(int=n + 1)) for n in range(8)]


def registered(student: str, **changes: object) -> Envelope:
    return make_registered_event(student, STUDENTS[0], **changes)


def erased(student: str, classes: list[str]) -> Envelope:
    return make_subject_erased(student, STUDENTS[0], field_classes=classes)


def sealed_log(log: Engine, keys: Engine, store: KeyStore) -> int:
    """Registrations sealed with their students' keys in ``store``: live keys, a subject
    erased whole and one of its ID number alone (keys destroyed, ``SubjectErased`` logged), a
    value copied from another student's event, one whose key the store never held, one
    malformed; returns the last position."""
    with keys.begin() as db:
        sealed = [
            seal_envelope(registered(s), lambda s, new: store.key_for(db, s, new=new))
            for s in STUDENTS
        ]
        store.destroy(db, STUDENTS[0])
        store.destroy(db, STUDENTS[1], [IDENTITY])
    copied = sealed[2].with_payload(1, sealed[2].payload | {"name": sealed[3].payload["name"]})
    unknown = sealed[4].with_payload(1, sealed[4].payload | {"phone": SEALED})
    malformed = sealed[5].with_payload(1, sealed[5].payload | {"id_number": "enc:v1:0:AAAA"})
    appender = EventLogAppender(log)
    appender.append_batch([*sealed[:2], copied, sealed[3], unknown, malformed, *sealed[6:]])
    appender.append_batch(
        [erased(STUDENTS[0], list(FIELD_CLASSES)), erased(STUDENTS[1], [IDENTITY])]
    )
    return EventLogReader(log).head()


def test_sealed_entries_read_the_fast_way_as_through_envelopes(tmp_path: Path) -> None:
    """Sealed registrations are opened from their parsed payloads with their event ids (no
    whole row, no envelope): live keys open, destroyed, unknown, misplaced and malformed values
    read ``[erased]``, exactly as the envelope way reads them."""
    log_url = f"sqlite:///{tmp_path / 'eventlog.db'}"
    upgrade_to_head(log_url, "shared.eventlog.migrations")
    log, keys = create_database_engine(log_url), sa.create_engine(f"sqlite:///{tmp_path}/k.db")
    key_metadata.create_all(keys)
    master = MasterKey.generate()
    last = sealed_log(log, keys, KeyStore(GATEWAY, master))
    reader = EventLogReader(log)
    rows = read_rows_after(log, 0, 100)
    assert sorted(rows.sealed) == list(range(1, 9))  # every registration, with its event id
    assert sorted(rows.whole) == [9, 10]  # the erasures alone are read whole

    def read_only_keys() -> ReadModelKeys:
        return ReadModelKeys(keys, KeyStore(GATEWAY, master), None, destroys=False)

    slow_url, fast_url = (f"sqlite:///{tmp_path / f'{name}.db'}" for name in ("slow", "fast"))
    with fresh_store(slow_url, TABLES) as slow, fresh_store(fast_url, TABLES) as fast:
        by_envelopes = Projector(slow, projection_of(SECTIONS), read_only_keys(), FullContract())
        assert by_envelopes.apply(reader.read_after(0, limit=100)) == last
        fast_way = Projector(fast, projection_of(SECTIONS), read_only_keys())
        assert rebuild(reader, fast_way, last, False) == last
        differences = Differences()
        with slow.connect() as one, fast.connect() as other:
            compare_tables(one, other, TABLES, frozenset(), differences)
            query = sa.text("SELECT student_id, name, phone, id_number FROM students")
            students = {row[0]: tuple(row[1:]) for row in other.execute(query)}
    log.dispose()
    keys.dispose()
    assert differences.as_list() == []
    assert students == {
        STUDENTS[0]: (ERASED, ERASED, ERASED),
        STUDENTS[1]: ("孙悦", "13912345678", ERASED),
        STUDENTS[2]: (ERASED, "13912345678", "11010519491231002X"),
        STUDENTS[3]: ("孙悦", "13912345678", "11010519491231002X"),
        STUDENTS[4]: ("孙悦", ERASED, "11010519491231002X"),
        STUDENTS[5]: ("孙悦", "13912345678", ERASED),
        STUDENTS[6]: ("孙悦", "13912345678", "11010519491231002X"),
        STUDENTS[7]: ("孙悦", "13912345678", "11010519491231002X"),
    }
