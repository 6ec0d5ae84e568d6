"""An export's rows, read from the read models in batches.

Each batch is its own short query (a keyset after the last row sent), so that a slow client
holds no database connection or transaction while it reads: rows written while an export is
streamed may or may not be in it, but every row that was there when it began (and still is)
is in it once. Between batches the green thread yields, so that a large export never stalls
the gateway's other requests.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import eventlet
import sqlalchemy as sa

from gateway.core.section import ReadModelQueries
from gateway.exports.datasets import Dataset, ExportColumn

BATCH_ROWS = 500
Values = tuple[Any, ...]


class ExportReads(ReadModelQueries):
    """Batches of an export's rows; never writes."""

    def batches(
        self,
        dataset: Dataset,
        columns: tuple[ExportColumn, ...],
        campaign_id: str,
        host_unit_id: str | None = None,
        size: int = BATCH_ROWS,
    ) -> Iterator[list[Values]]:
        """The campaign's rows of ``dataset`` (a host unit's own only, when given) as tuples
        of ``columns``' values, ``size`` rows at a time, in the dataset's order."""
        key, conditions = dataset.key, _rows_of(dataset, campaign_id, host_unit_id)
        labels = [f"_key_{index}" for index in range(len(key.columns))]
        query = (
            sa.select(
                *(column.source.label(f"_c{index}") for index, column in enumerate(columns)),
                *(part.label(label) for part, label in zip(key.columns, labels, strict=True)),
            )
            .select_from(dataset.source)
            .order_by(*key.order_by())
            .limit(size)
        )
        width, after = len(columns), None
        while True:
            page = query.where(*conditions)
            if after is not None:
                page = page.where(key.after(after))
            with self._engine.connect() as connection:
                rows = [tuple(row) for row in connection.execute(page)]
            if not rows:
                return
            yield [row[:width] for row in rows]
            if len(rows) < size:
                return
            after = rows[-1][width:]
            eventlet.sleep(0)

    def people(self, dataset: Dataset, campaign_id: str, host_unit_id: str | None = None) -> int:
        """How many students the export's rows are about (what an access record counts)."""
        query = (
            sa.select(sa.func.count(sa.distinct(dataset.person)))
            .select_from(dataset.source)
            .where(*_rows_of(dataset, campaign_id, host_unit_id))
        )
        with self._engine.connect() as connection:
            return int(connection.execute(query).scalar_one())


def _rows_of(
    dataset: Dataset, campaign_id: str, host_unit_id: str | None
) -> list[sa.ColumnElement[bool]]:
    """The campaign's rows; a host unit's own only, when given."""
    conditions = [dataset.campaign == campaign_id]
    if host_unit_id is not None:
        assert dataset.host_unit is not None, "host units export only their own rows"
        conditions.append(dataset.host_unit == host_unit_id)
    return conditions
