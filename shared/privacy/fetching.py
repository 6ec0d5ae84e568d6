"""Getting the keys a batch of events needs: from the component's own key store, else from
each key's owner over RPC (``sharing``), kept as copies in the own store."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from nameko.standalone.rpc import ClusterRpcProxy, StandaloneProxyBase

from shared.events.envelope import Envelope
from shared.privacy.keystore import Executor, KeyStore, KnownKey
from shared.privacy.payloads import sealed_key_ids
from shared.privacy.sharing import KeyRequester

SHARE_METHOD = "share_subject_keys"


def component_rpc_proxy(component: str) -> type[ClusterRpcProxy]:
    """A standalone proxy whose reply queue is named after ``component``
    (``rpc.reply-<component>-<uuid>``), as its own broker user may declare (broker_users.py)."""

    class Container(StandaloneProxyBase.ServiceContainer):  # type: ignore[misc] # untyped
        service_name = component

    class ComponentRpcProxy(ClusterRpcProxy):  # type: ignore[misc] # nameko is untyped
        ServiceContainer = Container

    return ComponentRpcProxy


class KeyFetcher:
    """Asks owners for keys over nameko RPC (a standalone proxy: it runs outside workers)."""

    def __init__(self, requester: KeyRequester, amqp_uri: str, timeout: float) -> None:
        self._requester = requester
        self._config = {"AMQP_URI": amqp_uri}
        self._timeout = timeout
        self._proxy = component_rpc_proxy(requester.requester)

    def fetch(self, owner: str, key_ids: list[str]) -> dict[str, KnownKey]:
        request = self._requester.request(key_ids)
        with self._proxy(self._config, timeout=self._timeout) as cluster:
            answer: Any = getattr(getattr(cluster, owner), SHARE_METHOD)(request)
        return self._requester.open_answer(answer)


def keys_for(
    db: Executor, store: KeyStore, fetcher: KeyFetcher | None, envelopes: Iterable[Envelope]
) -> dict[str, KnownKey]:
    """Every key the envelopes' sealed fields need that this component has or can get; the
    fetched ones (live or tombstones) are added to ``store`` in ``db``'s transaction. A key its
    owner does not know is left out (its values read ``[erased]``). Raises whatever the RPC
    raises (the owner is away): the caller retries later rather than project ``[erased]``."""
    batch = list(envelopes)
    needed = sealed_key_ids(batch)
    known = store.lookup(db, needed)
    missing = needed - known.keys()
    if not missing or fetcher is None:
        return known
    by_owner: dict[str, list[str]] = {}
    for envelope in batch:
        for key_id in sealed_key_ids([envelope]) & missing:
            if key_id not in by_owner.get(envelope.producer, []):
                by_owner.setdefault(envelope.producer, []).append(key_id)
    for owner, key_ids in by_owner.items():
        if owner == store.owner:
            continue  # its own keys are in its own store, or destroyed with their row
        for key_id, fetched in fetcher.fetch(owner, key_ids).items():
            if key_id in missing:
                store.add_copy(db, fetched.subject_id, key_id, fetched.data_key, owner)
                known[key_id] = fetched
                missing.discard(key_id)
    return known
