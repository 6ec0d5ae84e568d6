"""The read models' side of per-subject encryption (docs/privacy.md).

Before a batch of logged events is applied, the gateway destroys its copies of the keys of
every subject the batch erases, then gathers the keys the batch's sealed fields need: from its
own key store, else from each event's producer over RPC (``shared.privacy.fetching``), with
the keys the producer made since the previous request. Each event is opened with them before
its handler runs, so the read models hold plain text for subjects with a key and ``[erased]``
for the others. ``SubjectErased`` itself replaces every
personal column of the erased field classes (``shared.privacy.classes``: the ID number alone,
say) in the subject's rows with ``[erased]``, in every section's tables, so that a row copied
before the erasure (a placement's insured person) is no exception.
"""

from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from gateway.core.tables import metadata
from shared.config import Settings
from shared.contracts.fields import PERSONAL_DATA
from shared.events.envelope import Envelope
from shared.events.producer_keys import ensure_producer_key
from shared.privacy.classes import erased_classes, fields_of_class
from shared.privacy.fetching import KeyFetcher, keys_wanted
from shared.privacy.keystore import KeyStore, KnownKey
from shared.privacy.master_key import (
    MasterKey,
    component_master_key,
    component_master_key_path,
    load_master_key,
)
from shared.privacy.payloads import envelope_key_ids
from shared.privacy.sealing import ERASED
from shared.privacy.sharing import KeyRequester

GATEWAY = "gateway"
ERASURE = "SubjectErased"
SUBJECT_COLUMN = "student_id"


@dataclass
class ReadModelKeys:
    """The key store the projector opens events with (``engine``: the database holding it).

    ``ask_ahead`` (``gateway.core.keys_ahead``, on a timer of its own) keeps the keys the
    owners made lately, so that a batch mostly finds its keys held and waits for no owner;
    a key still missing is asked for by the batch itself, as before."""

    engine: Engine
    store: KeyStore
    fetcher: KeyFetcher | None
    destroys: bool = True  # False for a rebuild that only reads the live store's keys
    # A batch that erases and the keeping of keys asked ahead take turns; ``erasures`` counts
    # the batches that destroyed keys, so that an answer that came before one of them is not
    # kept after it (the key of a subject erased meanwhile would come back to life).
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    _erasures: int = field(default=0, init=False)

    def prepare(
        self, envelopes: Sequence[Envelope], sealed: Sequence[tuple[str, set[str]]] = ()
    ) -> dict[str, KnownKey]:
        """Destroy the erased subjects' keys, then gather the keys the batch needs (the
        envelopes', and ``sealed``: the producer and key ids of each entry read without its
        envelope); a batch with neither, or whose keys are all held, costs no transaction."""
        erased = [e for e in envelopes if e.event_type == ERASURE] if self.destroys else []
        wanted = [(e.producer, envelope_key_ids(e)) for e in envelopes]
        wanted += [(producer, ids) for producer, ids in sealed if ids]
        if not erased:
            needed: set[str] = set().union(*(ids for _, ids in wanted))
            held = self.store.held(needed)
            if len(held) == len(needed):
                return held
        kept: dict[str, KnownKey] = {}
        with self._lock if erased else contextlib.nullcontext():
            with self.engine.begin() as connection:
                for envelope in erased:
                    self.store.destroy(
                        connection,
                        str(envelope.payload["subject_id"]),
                        erased_classes(envelope.payload),
                    )
                keys = keys_wanted(connection, self.store, self.fetcher, wanted, kept)
            self._erasures += bool(erased)
        # Committed: the next batches find these (most of them answered ahead) in the cache.
        self.store.remember(kept)
        return keys

    def ask_ahead(self) -> int:
        """Ask each owner asked before for the keys it made since its previous answer, and
        keep them; returns how many new ones came. Raises what the request raises."""
        if self.fetcher is None:
            return 0
        came = 0
        for owner in self.fetcher.owners_asked():
            erasures = self._erasures
            fetched = self.fetcher.fetch(owner, [])
            with self._lock:
                fresh = self.store.unheld(fetched)
                if not fresh or erasures != self._erasures:
                    continue  # dropped: a batch asks its owner again for any it needs
                with self.engine.begin() as connection:
                    kept = self.store.add_copies_to_remember(connection, fresh, owner)
                if kept:  # committed: the batches find them in the cache
                    self.store.remember(fresh)
            came += len(fresh)
        return came

    def close(self) -> None:
        """Close the connection key requests go through, if one is open."""
        if self.fetcher is not None:
            self.fetcher.close()


def erase_subject_rows(connection: Connection, erasure: Envelope) -> None:
    """Every personal text column of the erased classes in the subject's read-model rows reads
    ``[erased]`` (``erasure``: the ``SubjectErased`` event, at any version)."""
    subject_id = str(erasure.payload.get("subject_id"))
    classes = erased_classes(erasure.payload)
    for statement in _erasing(classes, len(metadata.tables)):
        connection.execute(statement, {"subject": subject_id})


@functools.cache
def _erasing(classes: frozenset[str], _tables: int) -> tuple[sa.Update, ...]:
    """The updates that erase ``classes`` in one subject's rows, built once per set of classes
    (built per erasure they cost 4 ms each in a replay); ``_tables``: how many tables the
    metadata holds, so that a table added later gets its statement."""
    statements = []
    for table in metadata.sorted_tables:
        personal = [
            column.name
            for column in table.columns
            if column.info.get(PERSONAL_DATA) and isinstance(column.type, sa.String)
        ]
        columns = fields_of_class(classes, personal)
        if columns and SUBJECT_COLUMN in table.columns:
            statements.append(
                table.update()
                .where(table.c[SUBJECT_COLUMN] == sa.bindparam("subject"))
                .values(dict.fromkeys(columns, ERASED))
            )
    return tuple(statements)


def gateway_keys(settings: Settings, engine: Engine, *, live: bool = True) -> ReadModelKeys:
    """The gateway's key store in ``engine`` (its database), under its master key; a ``live``
    one fetches missing keys from their owners and destroys erased subjects' keys."""
    path = component_master_key_path(settings, GATEWAY)
    if not live:  # a rebuild (gravity audit replay) reads the live keys, never makes a master
        master = load_master_key(path) if path.exists() else MasterKey.generate()
        return ReadModelKeys(engine, KeyStore(GATEWAY, master), None, False)
    store = KeyStore(GATEWAY, component_master_key(settings, GATEWAY))
    requester = KeyRequester(GATEWAY, ensure_producer_key(settings, GATEWAY))
    # ahead: the read models read every event, so each request also takes the keys made since
    # the last one, and most batches then find their keys held (fewer requests, docs "Cost").
    fetcher = KeyFetcher(requester, settings.amqp_uri, settings.rpc_timeout, ahead=True)
    return ReadModelKeys(engine, store, fetcher)
