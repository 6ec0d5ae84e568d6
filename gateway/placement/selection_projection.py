"""Projection handlers for two-way selection: host units, positions, candidates, the
selection window, both sides' rankings and matching rounds (see ``handler`` for the rules).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.engine import Connection

from gateway.core.projection import ProjectionHandler, Values, replace_row, update_row
from gateway.placement.tables import (
    applicants,
    candidates,
    host_units,
    matching_rounds,
    positions,
    rankings,
    selection_windows,
)
from shared.events.canonical import format_timestamp


def day(value: date) -> str:
    """A date as the read models keep it: ISO ``YYYY-MM-DD`` text."""
    return value.isoformat()


def _host_unit_registered(connection: Connection, values: Values, at: str) -> None:
    replace_row(connection, host_units, "host_unit_id", values | {"registered_at": at})


def _position_posted(connection: Connection, values: Values, at: str) -> None:
    row = values | {
        "starts_on": day(values["starts_on"]),
        "ends_on": day(values["ends_on"]),
        "status": "open",
        "status_reason": None,
        "applicant_ranking": [],
        "unacceptable": [],
        "posted_at": at,
        "updated_at": at,
    }
    replace_row(connection, positions, "position_id", row)


def _position_status(status: str) -> ProjectionHandler:
    def apply(connection: Connection, values: Values, at: str) -> None:
        update_row(
            connection,
            positions,
            "position_id",
            values["position_id"],
            status=status,
            status_reason=values["reason"],
            updated_at=at,
        )

    return apply


def _candidate(status: str) -> ProjectionHandler:
    def apply(connection: Connection, values: Values, at: str) -> None:
        row = {
            "student_id": values["student_id"],
            "campaign_id": values["campaign_id"],
            "status": status,
            "withdrawal_reason": values.get("reason"),
            "updated_at": at,
        }
        replace_row(connection, candidates, "student_id", row)

    return apply


def _selection_window_opened(connection: Connection, values: Values, _at: str) -> None:
    row = values | {
        "opens_at": format_timestamp(values["opens_at"]),
        "closes_at": format_timestamp(values["closes_at"]),
    }
    replace_row(connection, selection_windows, "campaign_id", row)


def _ranking_submitted(connection: Connection, values: Values, at: str) -> None:
    student_id, campaign_id = values["student_id"], values["campaign_id"]
    # A repeated id would break the applicants' key and stall every reader: keep the first.
    chosen = list(dict.fromkeys(values["position_ids"]))
    for table in (rankings, applicants):
        connection.execute(
            table.delete().where(
                table.c.student_id == student_id, table.c.campaign_id == campaign_id
            )
        )
    connection.execute(
        rankings.insert(),
        {
            "student_id": student_id,
            "campaign_id": campaign_id,
            "position_ids": chosen,
            "submitted_at": at,
        },
    )
    if chosen:
        connection.execute(
            applicants.insert(),
            [
                {
                    "position_id": position_id,
                    "student_id": student_id,
                    "campaign_id": campaign_id,
                    "choice": choice,
                }
                for choice, position_id in enumerate(chosen, start=1)
            ],
        )


def _applicants_ranked(connection: Connection, values: Values, at: str) -> None:
    update_row(
        connection,
        positions,
        "position_id",
        values["position_id"],
        applicant_ranking=list(values["student_ids"]),
        unacceptable=list(values["unacceptable"]),
        updated_at=at,
    )


def _matching_proposed(connection: Connection, values: Values, at: str) -> None:
    row = values | {
        "status": "proposed",
        "stable": not values["blocking_pairs"],
        "proposed_at": at,
        "published_at": None,
    }
    replace_row(connection, matching_rounds, "round_id", row)


def _matching_published(connection: Connection, values: Values, at: str) -> None:
    update_row(
        connection,
        matching_rounds,
        "round_id",
        values["round_id"],
        status="published",
        published_at=at,
    )


SELECTION_HANDLERS: dict[str, ProjectionHandler] = {
    "HostUnitRegistered": _host_unit_registered,
    "PositionPosted": _position_posted,
    "PositionClosed": _position_status("closed"),
    "PositionWithdrawn": _position_status("withdrawn"),
    "CandidateAdmitted": _candidate("admitted"),
    "CandidateWithdrew": _candidate("withdrawn"),
    "SelectionWindowOpened": _selection_window_opened,
    "StudentRankingSubmitted": _ranking_submitted,
    "ApplicantsRanked": _applicants_ranked,
    "MatchingProposed": _matching_proposed,
    "MatchingPublished": _matching_published,
}
