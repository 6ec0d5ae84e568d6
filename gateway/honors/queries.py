"""What the gateway answers honours GETs from; eventually consistent, like every read model.
These queries return whole records (holder names included); which caller sees what is the
endpoints' business."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from gateway.core.section import ReadModelQueries
from gateway.honors.report import honours_report
from gateway.honors.tables import appointments, awards, consents, diaries, recommendations
from gateway.honors.transcript import build_transcript
from gateway.placement.tables import placements
from gateway.recruitment.tables import campaigns, students
from shared.contracts.honors.events import PURPOSES, SHOWCASE

Row = dict[str, Any]


def _all(connection: Connection, query: sa.Select[Any]) -> list[Row]:
    return [dict(row._mapping) for row in connection.execute(query)]


class HonorsReads(ReadModelQueries):
    """Reads awards, appointments, consents, diaries and transcripts; never writes."""

    def awards(
        self,
        *,
        campaign_id: str | None = None,
        student_id: str | None = None,
        status: str | None = None,
        host_unit_id: str | None = None,
    ) -> list[Row]:
        """Awards, oldest nomination first; ``host_unit_id`` keeps those of students placed
        with that host unit."""
        query = sa.select(awards).order_by(awards.c.nominated_at, awards.c.award_id)
        for column, value in (
            ("campaign_id", campaign_id),
            ("student_id", student_id),
            ("status", status),
        ):
            if value is not None:
                query = query.where(awards.c[column] == str(value))
        if host_unit_id is not None:
            placed = sa.select(placements.c.student_id).where(
                placements.c.host_unit_id == host_unit_id
            )
            query = query.where(awards.c.student_id.in_(placed))
        with self._reading() as connection:
            return _all(connection, query)

    def certificate(self, serial: str) -> Row | None:
        """The award holding a certificate serial, with its campaign's name."""
        query = (
            sa.select(awards, campaigns.c.name.label("campaign_name"))
            .outerjoin(campaigns, campaigns.c.campaign_id == awards.c.campaign_id)
            .where(awards.c.serial == serial)
        )
        with self._reading() as connection:
            found = connection.execute(query).first()
        return None if found is None else dict(found._mapping)

    def appointment(self, serial: str) -> Row | None:
        """The appointment holding a letter serial, with its campaign's name."""
        query = (
            sa.select(appointments, campaigns.c.name.label("campaign_name"))
            .outerjoin(campaigns, campaigns.c.campaign_id == appointments.c.campaign_id)
            .where(appointments.c.serial == serial)
        )
        with self._reading() as connection:
            found = connection.execute(query).first()
        return None if found is None else dict(found._mapping)

    def recommendation(self, recommendation_id: str) -> Row | None:
        """A recommendation as ``RecommendationSent`` recorded it, with its campaign's name."""
        query = (
            sa.select(recommendations, campaigns.c.name.label("campaign_name"))
            .outerjoin(campaigns, campaigns.c.campaign_id == recommendations.c.campaign_id)
            .where(recommendations.c.recommendation_id == recommendation_id)
        )
        with self._reading() as connection:
            found = connection.execute(query).first()
        return None if found is None else dict(found._mapping)

    def consents(self, student_id: str) -> Row:
        query = sa.select(consents).where(consents.c.student_id == student_id)
        with self._reading() as connection:
            answered = {row["purpose"]: row for row in _all(connection, query)}
        return {
            "student_id": student_id,
            "consents": {
                purpose: {
                    "given": bool(answered.get(purpose, {}).get("given", False)),
                    "updated_at": answered.get(purpose, {}).get("updated_at"),
                }
                for purpose in PURPOSES
            },
        }

    def showcase(self, campaign_id: str) -> list[Row]:
        """Featured diaries of a campaign whose students' showcase consent stands."""
        consenting = sa.select(consents.c.student_id).where(
            consents.c.purpose == SHOWCASE, consents.c.given.is_(True)
        )
        query = (
            sa.select(diaries)
            .where(
                diaries.c.campaign_id == campaign_id,
                diaries.c.featured.is_(True),
                diaries.c.student_id.in_(consenting),
            )
            .order_by(diaries.c.featured_at, diaries.c.diary_id)
        )
        with self._reading() as connection:
            return _all(connection, query)

    def student(self, student_id: str) -> Row | None:
        """A registration's name, university and campaign (what documents print)."""
        query = sa.select(
            students.c.student_id,
            students.c.name,
            students.c.university,
            students.c.campaign_id,
        ).where(students.c.student_id == student_id)
        with self._reading() as connection:
            found = connection.execute(query).first()
        return None if found is None else dict(found._mapping)

    def transcript(self, student_id: str) -> Row | None:
        with self._reading() as connection:
            return build_transcript(connection, student_id)

    def report(self, campaign_id: str) -> Row:
        with self._reading() as connection:
            return honours_report(connection, campaign_id)
