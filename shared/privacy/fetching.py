"""Getting the keys a batch of events needs: from the component's own key store, else from
each key's owner over RPC (``sharing``), kept as copies in the own store."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from amqp.exceptions import AMQPError
from kombu.exceptions import KombuError
from nameko.exceptions import RemoteError, RpcTimeout, UnknownService
from nameko.standalone.rpc import ClusterRpcProxy, StandaloneProxyBase

from shared.events.envelope import Envelope
from shared.privacy.keystore import Executor, KeyStore, KnownKey
from shared.privacy.payloads import envelope_key_ids
from shared.privacy.sealing import ERASED, SealedValueError, is_sealed, open_value, parse_sealed
from shared.privacy.sharing import MAX_KEYS_PER_REQUEST, KeyRequester, KeyRequestRefusedError

SHARE_METHOD = "share_subject_keys"
STALE_CONNECTION = (OSError, KombuError, AMQPError)
OWNER_AWAY = (*STALE_CONNECTION, RpcTimeout, UnknownService, RemoteError, KeyRequestRefusedError)
"""What a key request raises when the owner does not hand the key over now."""


def component_rpc_proxy(component: str) -> type[ClusterRpcProxy]:
    """A standalone proxy whose reply queue is named after ``component``
    (``rpc.reply-<component>-<uuid>``), as its own broker user may declare (broker_users.py)."""

    class Container(StandaloneProxyBase.ServiceContainer):  # type: ignore[misc] # untyped
        service_name = component

    class ComponentRpcProxy(ClusterRpcProxy):  # type: ignore[misc] # nameko is untyped
        ServiceContainer = Container

    return ComponentRpcProxy


class KeyFetcher:
    """Asks owners for keys over nameko RPC through one standalone proxy kept open (it runs
    outside workers): opening a connection and a reply queue per request cost more than the
    request. One request at a time (the proxy is single-threaded); a failed one closes the
    proxy, and the next request opens a new one.

    ``ahead``: each request also asks for the keys the owner made since its previous answer
    (sharing.py), for a reader of all the owner's events (the gateway), whose next batches
    then mostly find their keys held already."""

    def __init__(
        self, requester: KeyRequester, amqp_uri: str, timeout: float, *, ahead: bool = False
    ) -> None:
        self._requester = requester
        self._since: dict[str, float] | None = {} if ahead else None
        self._config = {"AMQP_URI": amqp_uri}
        self._timeout = timeout
        self._proxy_class = component_rpc_proxy(requester.requester)
        self._open: Any = None  # (proxy, cluster) while open
        self._lock = threading.Lock()

    def fetch(self, owner: str, key_ids: list[str]) -> dict[str, KnownKey]:
        """The keys asked for that the owner knows, and with ``ahead`` the ones it made since
        the previous answer (the first request: the latest few hundred).

        In requests of at most ``MAX_KEYS_PER_REQUEST`` ids, as the owner takes them: a
        reader catching up after a while away (the projector restarted under load) needs the
        keys of more than 333 registrations in one batch."""
        found: dict[str, KnownKey] = {}
        # One request even for no ids: the timer's, asking only for the keys made since.
        for start in range(0, max(len(key_ids), 1), MAX_KEYS_PER_REQUEST):
            found |= self._fetch_some(owner, key_ids[start : start + MAX_KEYS_PER_REQUEST])
        return found

    def _fetch_some(self, owner: str, key_ids: list[str]) -> dict[str, KnownKey]:
        since = None if self._since is None else self._since.get(owner, 0.0)
        answer = self._ask(owner, SHARE_METHOD, self._requester.request(key_ids, since))
        keys = self._requester.open_answer(answer)
        made_until = answer.get("made_until")
        if self._since is not None and isinstance(made_until, float | int):
            self._since[owner] = float(made_until)
        return keys

    def ask_signed(self, owner: str, method: str, body: Mapping[str, Any]) -> Any:
        """The answer of the owner's RPC ``method`` to ``body`` signed as this requester
        (``KeyRequester.signed``), through the same proxy: placement asks recruitment for a
        registered name so, beside the name's key."""
        return self._ask(owner, method, self._requester.signed(body))

    def _ask(self, owner: str, method: str, request: dict[str, Any]) -> Any:
        """The answer of the owner's RPC ``method`` to a signed ``request``, through the one
        proxy (a key request, or a question ``ask_signed`` signed)."""
        with self._lock:
            try:
                return self._call(owner, method, request)
            except STALE_CONNECTION:  # the broker dropped an idle connection: once more
                return self._call(owner, method, request)

    def owners_asked(self) -> list[str]:
        """With ``ahead``: the owners asked so far, whose new keys may be asked ahead."""
        return [] if self._since is None else list(self._since)

    def _call(self, owner: str, method: str, request: dict[str, Any]) -> Any:
        if self._open is None:
            proxy = self._proxy_class(self._config, timeout=self._timeout)
            self._open = (proxy, proxy.start())
        try:
            return getattr(getattr(self._open[1], owner), method)(request)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        """Close the proxy (its connection and reply queue), if open."""
        if self._open is not None:
            proxy, self._open = self._open[0], None
            try:
                proxy.stop()
            except Exception:  # a broken connection is what is being dropped
                return


def keys_for(
    db: Executor,
    store: KeyStore,
    fetcher: KeyFetcher | None,
    envelopes: Iterable[Envelope],
    kept: dict[str, KnownKey] | None = None,
) -> dict[str, KnownKey]:
    """Every key the envelopes' sealed fields need that this component has or can get; the
    fetched ones (live or tombstones) are added to ``store`` in ``db``'s transaction. A key its
    owner does not know is left out (its values read ``[erased]``). Raises whatever the RPC
    raises (the owner is away): the caller retries later rather than project ``[erased]``.
    ``kept``: where to put the fetched keys (the ones answered ahead too) that went into the
    store as answered, for the caller to ``remember`` once ``db``'s transaction committed."""
    # Each envelope's key ids read once (not again for the missing ones' owners).
    wanted = [(envelope.producer, envelope_key_ids(envelope)) for envelope in envelopes]
    return keys_wanted(db, store, fetcher, wanted, kept)


def keys_wanted(
    db: Executor,
    store: KeyStore,
    fetcher: KeyFetcher | None,
    wanted: Sequence[tuple[str, set[str]]],
    kept: dict[str, KnownKey] | None = None,
) -> dict[str, KnownKey]:
    """``keys_for`` where each event is given by its producer and the key ids its sealed
    fields need (``payloads.payload_key_ids``): a reader of stored payloads builds no
    envelope for it."""
    needed: set[str] = set().union(*(ids for _, ids in wanted))
    known = store.lookup(db, needed)
    missing = needed - known.keys()
    if not missing or fetcher is None:
        return known
    by_owner: dict[str, list[str]] = {}
    for producer, ids in wanted:
        for key_id in ids & missing:
            if key_id not in by_owner.get(producer, []):
                by_owner.setdefault(producer, []).append(key_id)
    for owner, key_ids in by_owner.items():
        if owner == store.owner:
            continue  # its own keys are in its own store, or destroyed with their row
        fetched = fetcher.fetch(owner, key_ids)
        for key_id, key in fetched.items():
            if key_id in missing:
                known[key_id] = key
                missing.discard(key_id)
        # The keys answered ahead may be held already (answered again, a restart, a second
        # replica): the cached ones are left out, add_copies leaves the others as they are.
        fresh = store.unheld(fetched)
        if store.add_copies_to_remember(db, fresh, owner) and kept is not None:
            kept.update(fresh)
    return known


def open_kept_value(
    db: Executor, store: KeyStore, value: str, *, owner: str, event_id: str, field: str
) -> str:
    """A personal value kept as it came in ``owner``'s event ``event_id`` (sealed there), in
    plain text. The key is asked of ``owner`` only now, when the value is read, and kept
    as a copy: a component that keeps such values but rarely reads them (placement's
    registered names, read to check an insurance policy) costs the owner nothing per record.
    A value kept in plain text (from before sealing) is returned as it is; one whose key is
    destroyed, or that does not open, reads ``[erased]``. Raises one of ``OWNER_AWAY``
    when the key is neither here nor handed over now."""
    if not is_sealed(value):
        return value
    try:
        sealed = parse_sealed(value)
    except SealedValueError:
        return ERASED
    known = store.lookup(db, [sealed.key_id]).get(sealed.key_id)
    if known is None and store.owners is not None:
        known = store.owners.fetch(owner, [sealed.key_id]).get(sealed.key_id)
        if known is not None:
            store.add_copy(db, sealed.key_id, known, owner)
    if known is None or known.data_key is None:
        return ERASED
    try:
        return open_value(sealed, known.data_key, event_id, field)
    except SealedValueError:
        return ERASED
