"""The accounts' cursor-paged list (``gateway.core.paging``), for operators: keyed by when an
account was made, which never changes; filtered by role, status and the record it acts as.
Rows go out through ``account_view`` only, so no hash, failure count or lock is ever listed."""

from __future__ import annotations

import sqlalchemy as sa

from gateway.accounts.store import account_view
from gateway.accounts.tables import accounts
from gateway.core.paging import Row, SortKey, fetch_page, sort_options
from gateway.core.section import ReadModelQueries

ACCOUNT_SORTS = sort_options(
    SortKey("created_at", (accounts.c.created_at, accounts.c.account_id)),
    SortKey("-created_at", (accounts.c.created_at, accounts.c.account_id), descending=True),
)


class AccountLists(ReadModelQueries):
    """Pages of accounts; never writes."""

    def accounts_page(
        self,
        *,
        limit: int,
        sort: str,
        cursor: str | None = None,
        subject_id: str | None = None,
        **equal: str,
    ) -> tuple[list[Row], str | None]:
        conditions = [accounts.c[name] == value for name, value in equal.items()]
        if subject_id is not None:
            conditions.append(accounts.c.subject == subject_id)
        query = sa.select(accounts).where(*conditions)
        with self._reading() as connection:
            rows, next_cursor = fetch_page(connection, query, ACCOUNT_SORTS[sort], limit, cursor)
        return [account_view(row) for row in rows], next_cursor
