"""Idempotency-Key: a retried POST gets the first answer instead of acting twice.

The key is claimed with an insert (the primary key is principal + key), so of two concurrent
duplicates exactly one acts; the other waits for the first answer. The stored request hash
(a keyed HMAC, since bodies hold personal data) tells a true retry from a reused key.
A 5xx answer releases the claim: the request may not have acted, so a retry must be allowed.
Each step is one statement, whole by itself: on PostgreSQL one round trip each, in autocommit
(``shared.eventstore.database.autocommitted``), where a transaction around it took three.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from gateway.core.errors import ApiError
from gateway.core.tables import idempotency_keys as keys
from shared.events.canonical import format_timestamp
from shared.eventstore.database import autocommitted

PENDING, DONE = "pending", "done"
RETENTION = timedelta(hours=24)


@dataclass(frozen=True)
class StoredAnswer:
    status: int
    body: dict[str, Any]


class IdempotencyStore:
    """Claims keys, records first answers, and replays them."""

    def __init__(
        self,
        engine: Engine,
        secret: str,
        *,
        wait_seconds: float = 15.0,
        poll_seconds: float = 0.05,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._engine = engine
        self._secret = secret.encode("utf-8")
        self._wait_seconds = wait_seconds
        self._wait = timedelta(seconds=wait_seconds)
        self._poll_seconds = poll_seconds
        self._clock = clock

    def fingerprint(self, method: str, path: str, body: Any) -> str:
        material = json.dumps([method, path, body], sort_keys=True, separators=(",", ":"))
        return hmac.new(self._secret, material.encode("utf-8"), hashlib.sha256).hexdigest()

    def claim(self, principal: str, key: str, fingerprint: str) -> StoredAnswer | None:
        """None: the caller owns the key and must act. Otherwise the first answer.

        Raises IDEMPOTENCY_KEY_REUSED for a different request under the same key, and
        IDEMPOTENCY_KEY_IN_USE when the first request is still running after the wait.
        """
        deadline = time.monotonic() + self._wait_seconds
        while True:
            if self._insert(principal, key, fingerprint):
                return None
            row = self._find(principal, key)
            if row is not None:
                if row.request_hash != fingerprint:
                    raise ApiError(
                        "IDEMPOTENCY_KEY_REUSED",
                        "this Idempotency-Key was used for a different request",
                    )
                fresh = row.created_at >= self._stamp(-RETENTION)
                if row.state == DONE and fresh:
                    return StoredAnswer(int(row.status), json.loads(row.body))
                abandoned = row.created_at < self._stamp(-2 * self._wait)
                if not fresh or (row.state == PENDING and abandoned):
                    self._delete(principal, key, row.created_at)
                    continue
            if time.monotonic() >= deadline:
                raise ApiError(
                    "IDEMPOTENCY_KEY_IN_USE",
                    "a request with this Idempotency-Key is still in progress",
                )
            time.sleep(self._poll_seconds)

    def record(self, principal: str, key: str, status: int, body: dict[str, Any]) -> None:
        """Keep the first answer for replays."""
        with autocommitted(self._engine) as connection:
            connection.execute(
                keys.update()
                .where(keys.c.principal == principal, keys.c.key == key)
                .values(state=DONE, status=status, body=json.dumps(body, ensure_ascii=False))
            )
            connection.commit()

    def release(self, principal: str, key: str) -> None:
        """Forget a claim whose request failed without a definite answer."""
        self._delete(principal, key, None)

    def _insert(self, principal: str, key: str, fingerprint: str) -> bool:
        try:
            with autocommitted(self._engine) as connection:
                connection.execute(
                    keys.insert().values(
                        principal=principal,
                        key=key,
                        request_hash=fingerprint,
                        state=PENDING,
                        created_at=self._stamp(timedelta(0)),
                    )
                )
                connection.commit()
        except IntegrityError:
            return False
        return True

    def _find(self, principal: str, key: str) -> Any:
        with autocommitted(self._engine) as connection:
            return connection.execute(
                sa.select(keys).where(keys.c.principal == principal, keys.c.key == key)
            ).first()

    def _delete(self, principal: str, key: str, created_at: str | None) -> None:
        condition = sa.and_(keys.c.principal == principal, keys.c.key == key)
        if created_at is not None:
            condition = sa.and_(condition, keys.c.created_at == created_at)
        with autocommitted(self._engine) as connection:
            connection.execute(keys.delete().where(condition))
            connection.commit()

    def _stamp(self, offset: timedelta) -> str:
        return format_timestamp(self._clock() + offset)
