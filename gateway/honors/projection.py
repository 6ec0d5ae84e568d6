"""Honours' projection: awards, certificates, appointments, consents, recommendations and
diaries as their events describe them (see ``gateway.core.projection`` for the rules).

Every handler sets values: a grant sets the serial, a revocation its date, a consent its
current answer. Re-applying a stretch of the log therefore ends in the same rows. The facts
honours keeps about placement and screening (``PracticeNoted`` ...) are not projected: the
placement and recruitment sections hold them already.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from gateway.core.projection import ProjectionHandler, Values, replace_row, set_row
from gateway.honors.tables import appointments, awards, consents, diaries, recommendations, titles
from shared.events.canonical import format_timestamp


def _title_defined(connection: Connection, values: Values, at: str) -> None:
    replace_row(connection, titles, "title_code", values | {"defined_at": at})


def _award_nominated(connection: Connection, values: Values, at: str) -> None:
    row = values | {"status": "nominated", "nominated_at": at, "updated_at": at}
    row |= dict.fromkeys(("title_name", "serial", "issued_at", "revoked_at", "revocation_reason"))
    replace_row(connection, awards, "award_id", row)


def _certificate_issued(connection: Connection, values: Values, at: str) -> None:
    """The certificate of a granted award: its serial, the title's name, the holder's name
    as printed, and when."""
    set_row(
        connection,
        awards,
        "award_id",
        values["award_id"],
        status="granted",
        serial=values["serial"],
        title_name=values["title_name"],
        holder_name=values["holder_name"],
        issued_at=format_timestamp(values["issued_at"]),
        updated_at=at,
    )


def _appointment_made(connection: Connection, values: Values, at: str) -> None:
    row = {
        name: values[name]
        for name in ("appointment_id", "serial", "student_id", "campaign_id", "committee")
    } | {
        "term_starts_on": values["term_starts_on"].isoformat(),
        "term_ends_on": values["term_ends_on"].isoformat(),
        "holder_name": values["holder_name"],
        "status": "active",
        "ended_on": None,
        "end_reason": None,
        "issued_at": format_timestamp(values["issued_at"]),
        "updated_at": at,
    }
    replace_row(connection, appointments, "appointment_id", row)


def _appointment_ended(status: str) -> ProjectionHandler:
    def apply(connection: Connection, values: Values, at: str) -> None:
        set_row(
            connection,
            appointments,
            "appointment_id",
            values["appointment_id"],
            status=status,
            ended_on=values["ended_on"].isoformat(),
            end_reason=values.get("reason"),
            updated_at=at,
        )

    return apply


def _consent(given: bool) -> ProjectionHandler:
    def apply(connection: Connection, values: Values, at: str) -> None:
        key = {"student_id": values["student_id"], "purpose": values["purpose"]}
        connection.execute(consents.delete().filter_by(**key))
        connection.execute(consents.insert(), key | {"given": given, "updated_at": at})

    return apply


def _recommendation_sent(connection: Connection, values: Values, at: str) -> None:
    replace_row(connection, recommendations, "recommendation_id", values | {"sent_at": at})


def _diary_submitted(connection: Connection, values: Values, at: str) -> None:
    row = values | {
        "featured": False,
        "featured_at": None,
        "unfeatured_reason": None,
        "submitted_at": at,
        "updated_at": at,
    }
    replace_row(connection, diaries, "diary_id", row)


def _update(
    table: sa.Table, key: str, change: Callable[[Values, str], Values]
) -> ProjectionHandler:
    def apply(connection: Connection, values: Values, at: str) -> None:
        set_row(connection, table, key, values[key], **change(values, at), updated_at=at)

    return apply


PROJECTION: dict[str, ProjectionHandler] = {
    "TitleDefined": _title_defined,
    "AwardNominated": _award_nominated,
    "AwardGranted": _update(
        awards, "award_id", lambda v, _at: {"status": "granted", "serial": v["serial"]}
    ),
    "CertificateIssued": _certificate_issued,
    "CertificateRevoked": _update(
        awards,
        "award_id",
        lambda v, _at: {
            "status": "revoked",
            "revoked_at": format_timestamp(v["revoked_at"]),
            "revocation_reason": v["reason"],
        },
    ),
    "AppointmentMade": _appointment_made,
    "AppointmentTermEnded": _appointment_ended("term_ended"),
    "AppointmentDismissed": _appointment_ended("dismissed"),
    "ConsentGiven": _consent(given=True),
    "ConsentWithdrawn": _consent(given=False),
    "RecommendationSent": _recommendation_sent,
    "DiarySubmitted": _diary_submitted,
    "DiaryFeatured": _update(
        diaries,
        "diary_id",
        lambda _v, at: {"featured": True, "featured_at": at, "unfeatured_reason": None},
    ),
    "DiaryUnfeatured": _update(
        diaries,
        "diary_id",
        lambda v, _at: {"featured": False, "unfeatured_reason": v["reason"]},
    ),
}
