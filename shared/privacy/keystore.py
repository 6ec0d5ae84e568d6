"""A component's key store: the data keys of its subjects, wrapped by its master key.

One row per data key (``subject_keys``): the subject, the field class it seals
(``shared.privacy.classes``; none for a key made before classes, which seals every class), the
key id, the wrapped key, who made it (``source``: this component, or the producer it was
fetched from) and when it was made or destroyed. Destroying a subject's keys of some classes
empties ``wrapped_key`` and keeps the row as a tombstone, so that the component knows the
difference between a key it never had (ask its owner) and one that is gone (the value reads
``[erased]``). Unwrapped keys are kept in a small in-process cache (never one made by a
transaction still open); destroying a subject's keys empties it of them. The table and its
rows: ``shared.privacy.key_rows``.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections import deque
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, Protocol

from shared.domain import DomainError, ErrorKind
from shared.events.canonical import format_timestamp
from shared.privacy.classes import FIELD_CLASSES, is_whole
from shared.privacy.key_rows import (
    INSERT_KEY,
    KEYS_OF_SUBJECT,
    Executor,
    KnownKey,
    insert_keys,
    inserted,
    key_row,
    lookup_rows,
    skips_kept,
    subject_keys,
)
from shared.privacy.master_key import MasterKey
from shared.privacy.sealing import KEY_BYTES

__all__ = [  # Executor and KnownKey: where the key stores' users find them
    "KEYS_DESTROYED",
    "Executor",
    "KeyOwners",
    "KeyStore",
    "KnownKey",
    "SubjectErasedError",
    "SubjectKeys",
]
CACHE_LIMIT = 10_000
KEY_ID_BYTES = 16
"""A key id is 16 random bytes in hex (32 digits, as ``enc:v1:<key id>`` expects)."""
RECENT_LIMIT = 2_000
KEYS_DESTROYED = "gravity.keys_destroyed"
"""Set in a session's or connection's ``info`` by ``destroy``: after its commit the wrapped keys'
old pages must leave SQLite's write-ahead log (``shared.privacy.traces``)."""


class SubjectErasedError(DomainError):
    """The person's personal data was erased on their request: nothing personal about them is
    recorded any more (a new name, phone or ID number for them is refused)."""

    code, kind = "SUBJECT_ERASED", ErrorKind.CONFLICT

    @classmethod
    def of(cls, subject_id: str) -> SubjectErasedError:
        return cls("this person's personal data was erased", {"subject_id": subject_id})


class SubjectKeys:
    """One subject's data keys in a key store, by field class, within one transaction: its
    rows are read once, when a first class is asked for (never for a new subject), and a
    class without a key gets one made."""

    def __init__(self, store: KeyStore, db: Executor, subject_id: str, *, new: bool) -> None:
        self._store, self._db, self.subject_id = store, db, subject_id
        self._rows: list[Any] | None = [] if new else None
        self._keys: dict[str, tuple[str, bytes]] = {}

    def of(self, field_class: str) -> tuple[str, bytes]:
        """The subject's live key of ``field_class``: ``(key id, data key)``; raises
        ``SubjectErasedError`` when the class (or the whole subject) was erased."""
        return self.of_classes([field_class])[field_class]

    def of_classes(self, classes: Iterable[str]) -> dict[str, tuple[str, bytes]]:
        """The subject's live keys of ``classes``, the missing ones made in one statement (a
        registration's three)."""
        asked = list(dict.fromkeys(classes))
        wanted = [kind for kind in asked if kind not in self._keys]
        if wanted:
            if self._rows is None:
                found = self._db.execute(KEYS_OF_SUBJECT, {"subject": self.subject_id})
                self._rows = list(found.all())
            self._keys |= self._store.keys_of_classes(self._db, self.subject_id, wanted, self._rows)
        return {kind: self._keys[kind] for kind in asked}


class KeyOwners(Protocol):
    """Where a component asks another for keys it does not hold (``fetching.KeyFetcher``)."""

    def fetch(self, owner: str, key_ids: list[str]) -> dict[str, KnownKey]: ...

    def ask_signed(self, owner: str, method: str, body: Mapping[str, Any]) -> Any: ...


class KeyStore:
    """The data keys of one component (``owner``), in its own database; ``owners``: where to
    ask for another component's key when a value sealed by it must be read here."""

    def __init__(self, owner: str, master: MasterKey, owners: KeyOwners | None = None) -> None:
        self.owner = owner
        self.master = master
        self.owners = owners
        self._cache: dict[str, KnownKey] = {}
        # (when, key id) of the keys this process made lately, committed or not: what a key
        # request's ``since`` is answered from (sharing.py); the key store confirms each.
        self._made: deque[tuple[float, str]] = deque(maxlen=RECENT_LIMIT)
        self._lock = threading.Lock()

    def key_for(self, db: Executor, subject_id: str, *, new: bool = False) -> SubjectKeys:
        """The subject's live data keys made here, one per field class, each found or made
        when first asked for (``SubjectKeys.of``) in the caller's transaction. ``new``: the
        subject is a record starting now (a registration), so it has no key to look for."""
        return SubjectKeys(self, db, subject_id, new=new)

    def keys_of_classes(
        self, db: Executor, subject_id: str, classes: list[str], rows: list[Any]
    ) -> dict[str, tuple[str, bytes]]:
        """The subject's live key of each of ``classes`` among its ``rows`` here, the missing
        ones made now. A key from before classes is never used to seal again."""
        found: dict[str, tuple[str, bytes]] = {}
        missing: list[str] = []
        for kind in classes:
            if any(r.destroyed_at is not None and r.field_class in (None, kind) for r in rows):
                raise SubjectErasedError.of(subject_id)
            mine = [r for r in rows if r.source == self.owner and r.field_class == kind]
            if mine:
                found[kind] = mine[0].key_id, self._unwrap(mine[0])
            else:
                missing.append(kind)
        if not missing:
            return found
        # The missing keys and their ids from one call to the system's random source: each
        # key is its own 32 random bytes all the same, independent of the others.
        now = format_timestamp(datetime.now(UTC))
        made: list[dict[str, Any]] = []
        material = memoryview(os.urandom(len(missing) * (KEY_ID_BYTES + KEY_BYTES)))
        for index, kind in enumerate(missing):
            start = index * (KEY_ID_BYTES + KEY_BYTES)
            key_id = material[start : start + KEY_ID_BYTES].hex()
            # Never cached here: the transaction making it may still roll back.
            found[kind] = (
                key_id,
                bytes(material[start + KEY_ID_BYTES : start + KEY_ID_BYTES + KEY_BYTES]),
            )
            made.append(key_row(self.master, subject_id, *found[kind], self.owner, kind, now))
        insert_keys(db, made)
        with self._lock:
            self._made.extend((time.time(), row["key_id"]) for row in made)
        return found

    def made_since(self, since: float, limit: int) -> list[str]:
        """The ids of up to ``limit`` keys this process made at or after ``since`` (the
        latest ones), committed or not: ``lookup`` says which exist."""
        return [key_id for _, key_id in self.made_since_when(since, limit)]

    def made_since_when(self, since: float, limit: int) -> list[tuple[float, str]]:
        """``made_since`` with the time each key was made, oldest first."""
        made: list[tuple[float, str]] = []
        with self._lock:  # newest last: read back from the end, as far as ``since``
            for when, key_id in reversed(self._made):
                if when < since or len(made) == limit:
                    break
                made.append((when, key_id))
        made.reverse()
        return made

    def add(
        self,
        db: Executor,
        subject_id: str,
        key_id: str,
        data_key: bytes | None,
        source: str,
        *,
        field_class: str | None,
    ) -> None:
        """Keep a key of ``field_class`` (``data_key`` None: a tombstone of one its owner
        destroyed)."""
        now = format_timestamp(datetime.now(UTC))
        db.execute(
            INSERT_KEY, key_row(self.master, subject_id, key_id, data_key, source, field_class, now)
        )

    def add_copy(self, db: Executor, key_id: str, key: KnownKey, source: str) -> None:
        """Keep a key fetched from its owner, unless another process of this component (a
        second gateway replica) kept it a moment ago."""
        self.add_copies(db, {key_id: key}, source)

    def add_copies(self, db: Executor, keys: Mapping[str, KnownKey], source: str) -> None:
        """Keep keys fetched from their owner in one statement; one that another process of
        this component (a second gateway replica) kept a moment ago stays as it is (on SQLite
        and PostgreSQL the statement leaves it out; elsewhere the rows go one by one)."""
        if not keys:
            return
        now = format_timestamp(datetime.now(UTC))
        rows = [
            key_row(self.master, k.subject_id, key_id, k.data_key, source, k.field_class, now)
            for key_id, k in keys.items()
        ]
        if not skips_kept(db):
            if not inserted(db, rows) and len(rows) > 1:
                for row in rows:
                    inserted(db, [row])
            return
        insert_keys(db, rows, skip_kept=True)  # the kept ones left out, no savepoint

    def add_copies_to_remember(
        self, db: Executor, keys: Mapping[str, KnownKey], source: str
    ) -> bool:
        """``add_copies``, saying whether each row now holds what ``keys`` say (none was kept
        before): then the caller may ``remember`` them once its transaction has committed."""
        if not keys or not skips_kept(db):
            self.add_copies(db, keys, source)
            return False
        now = format_timestamp(datetime.now(UTC))
        rows = [
            key_row(self.master, k.subject_id, key_id, k.data_key, source, k.field_class, now)
            for key_id, k in keys.items()
        ]
        return insert_keys(db, rows, skip_kept=True) == len(rows)

    def remember(self, keys: Mapping[str, KnownKey]) -> None:
        """Keep committed keys in the cache, so that the next lookup finds them without
        reading and unwrapping them again (a destroy forgets them as any key of the subject)."""
        with self._lock:
            if len(self._cache) + len(keys) > CACHE_LIMIT:
                self._cache.clear()
            self._cache.update(keys)

    def held(self, key_ids: Iterable[str]) -> dict[str, KnownKey]:
        """What the cache holds of ``key_ids`` (committed keys only), without the database."""
        with self._lock:
            return {key_id: self._cache[key_id] for key_id in key_ids if key_id in self._cache}

    def unheld(self, keys: Mapping[str, KnownKey]) -> dict[str, KnownKey]:
        """``keys`` but those the cache holds already (an owner's answer sent again)."""
        with self._lock:
            return {key_id: key for key_id, key in keys.items() if key_id not in self._cache}

    def lookup(self, db: Executor, key_ids: Iterable[str]) -> dict[str, KnownKey]:
        """What this store knows of ``key_ids``: a key id it has never held is left out."""
        wanted = set(key_ids)
        found = {key_id: self._cache[key_id] for key_id in wanted if key_id in self._cache}
        missing = sorted(wanted - found.keys())
        read: dict[str, KnownKey] = {}
        for key_id, subject_id, field_class, wrapped in lookup_rows(db, missing) if missing else ():
            data_key = None if wrapped is None else self.master.unwrap(wrapped, subject_id, key_id)
            read[key_id] = KnownKey(subject_id, data_key, field_class)
        if read:
            self.remember(read)
        return found | read

    def destroy(self, db: Executor, subject_id: str, classes: Iterable[str] = FIELD_CLASSES) -> int:
        """Destroy every key of ``subject_id`` of ``classes`` here (made here or copied),
        leaving tombstones; a class this store never held a key of gets a tombstone too, so no
        key is made for it later. A key from before classes seals every class: it goes once
        every class is erased. Idempotent; returns how many live keys it destroyed."""
        now = format_timestamp(datetime.now(UTC))
        erasing = set(classes)
        rows = db.execute(KEYS_OF_SUBJECT, {"subject": subject_id}).all()
        for field_class in sorted(erasing - {row.field_class for row in rows}):
            self.add(db, subject_id, uuid.uuid4().hex, None, self.owner, field_class=field_class)
        gone = erasing | {row.field_class for row in rows if row.destroyed_at is not None}
        doomed = [
            row.key_id
            for row in rows
            if row.wrapped_key is not None
            and (row.field_class in erasing or (row.field_class is None and is_whole(gone)))
        ]
        destroyed = 0
        if doomed:
            destroyed = db.execute(
                subject_keys.update()
                .where(subject_keys.c.key_id.in_(doomed))
                .values(wrapped_key=None, destroyed_at=now)
            ).rowcount
        self.forget(subject_id)
        db.info[KEYS_DESTROYED] = True  # the caller's commit then empties SQLite's WAL (traces)
        return int(destroyed)

    def forget(self, subject_id: str) -> None:
        """Drop a subject's unwrapped keys from the cache (after its keys were destroyed)."""
        with self._lock:
            for key_id in [k for k, v in self._cache.items() if v.subject_id == subject_id]:
                del self._cache[key_id]

    def _unwrap(self, row: Any) -> bytes:
        return self.master.unwrap(row.wrapped_key, row.subject_id, row.key_id)
