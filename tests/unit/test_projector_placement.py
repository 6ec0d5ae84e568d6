"""Placement read models on temporary SQLite files: synthetic placement events, built and
checked against their contracts, go through the real event log and projector."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from gateway.core.projection import projection_of
from gateway.core.projector import Projector
from gateway.core.replay import replay_read_models, snapshot
from gateway.core.subscription import CatchUpSubscription
from gateway.placement.queries import PlacementReads, student_placement_summary
from gateway.placement.tables import host_units, placements
from gateway.sections import SECTIONS
from shared.config import Settings, load_settings
from shared.contracts import CONTRACTS
from shared.eventlog import EventLogAppender, EventLogReader
from shared.events.envelope import Envelope
from shared.eventstore.database import create_database_engine
from shared.migrations import upgrade_to_head

SHA = "sha256:" + "ab" * 32
TABLES = [table for section in SECTIONS for table in section.tables]
STREAMS = {"Position": "position", "Placement": "placement", "Host": "host-unit"}


def new_id() -> str:
    return str(uuid.uuid4())


class PlacementLog:
    """Appends placement events whose payloads pass their contract, as placement would."""

    def __init__(self, engine: Engine) -> None:
        self.appender = EventLogAppender(engine)
        self.versions: dict[str, int] = {}

    def append(
        self, event_type: str, stream_id: str, *, contract: int | None = None, **values: Any
    ) -> int:
        """At the newest version of the event's contract, unless ``contract`` names an older
        one (stored as it was then, as an old event in the log is)."""
        if contract is None:
            newest = CONTRACTS.get(event_type, CONTRACTS.latest_version(event_type))
            version, payload = CONTRACTS.dump(event_type, newest.schema.load(values))
        else:
            schema = CONTRACTS.get(event_type, contract).schema
            version, payload = contract, schema.dump(schema.load(values))
        self.versions[stream_id] = self.versions.get(stream_id, 0) + 1
        envelope = Envelope(
            event_type=event_type,
            schema_version=version,
            stream_id=stream_id,
            stream_version=self.versions[stream_id],
            producer="placement",
            actor="operator:op-1",
            correlation_id="corr-1",
            payload=payload,
        )
        return self.appender.append_batch([envelope])[0]

    def host_unit(self, **overrides: Any) -> str:
        host_unit_id = overrides.pop("host_unit_id", new_id())
        values = {
            "host_unit_id": host_unit_id,
            "name": "District Civil Affairs Bureau",
            "kind": "district bureau",
            "township": "Xiangyang Street",
            "contact_person": "王芳",
            "contact_phone": "0371-62345678",
        } | overrides
        self.append("HostUnitRegistered", f"host-unit-{host_unit_id}", **values)
        return host_unit_id

    def position(self, host_unit_id: str, campaign_id: str, **overrides: Any) -> str:
        position_id = overrides.pop("position_id", new_id())
        values = {
            "position_id": position_id,
            "host_unit_id": host_unit_id,
            "campaign_id": campaign_id,
            "title": "Community affairs assistant",
            "duties": "help with elderly-care visits",
            "capacity": 2,
            "starts_on": "2023-07-10",
            "ends_on": "2023-08-20",
            "place": "Xiangyang Street office",
            "requirements": "",
        } | overrides
        self.append("PositionPosted", f"position-{position_id}", **values)
        return position_id

    def rank(self, student_id: str, campaign_id: str, position_ids: list[str]) -> int:
        return self.append(
            "StudentRankingSubmitted",
            f"candidate-{student_id}",
            student_id=student_id,
            campaign_id=campaign_id,
            position_ids=position_ids,
        )

    def placement(self, event_type: str, placement_id: str, **values: Any) -> int:
        return self.append(
            event_type, f"placement-{placement_id}", placement_id=placement_id, **values
        )

    def offer(self, campaign_id: str, student_id: str, position_id: str, host_unit_id: str) -> str:
        placement_id = new_id()
        self.placement(
            "PlacementOffered",
            placement_id,
            round_id=new_id(),
            campaign_id=campaign_id,
            student_id=student_id,
            position_id=position_id,
            host_unit_id=host_unit_id,
        )
        return placement_id

    def agree(
        self,
        placement_id: str,
        campaign_id: str,
        student_id: str,
        position_id: str,
        host_unit_id: str,
        *,
        direct: bool = False,
        reason: str = "",
    ) -> None:
        self.placement(
            "PlacementAgreed",
            placement_id,
            campaign_id=campaign_id,
            student_id=student_id,
            position_id=position_id,
            host_unit_id=host_unit_id,
            direct=direct,
            reason=reason,
        )

    def ready(
        self,
        placement_id: str,
        *,
        documents: tuple[str, ...] = ("practice_notice", "confidentiality_commitment"),
    ) -> None:
        self.placement(
            "InsurancePurchased",
            placement_id,
            insurer="PICC Zhengzhou",
            policy_number="PA-2023-0001",
            insured_person="李明",
            covers_from="2023-07-01",
            covers_until="2023-08-31",
        )
        self.placement(
            "TrainingCompleted", placement_id, session="pre-job training", attended_on="2023-07-05"
        )
        for kind in documents:
            self.placement(
                "DocumentSigned",
                placement_id,
                document_kind=kind,
                version="2023.1",
                content_hash=SHA,
            )


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    settings = load_settings(environ={}, overrides={"data_dir": str(tmp_path)})
    upgrade_to_head(settings.database_url("gateway"), "gateway.migrations")
    upgrade_to_head(settings.database_url("eventlog"), "shared.eventlog.migrations")
    return settings


@pytest.fixture
def engines(settings: Settings) -> Iterator[tuple[Engine, Engine]]:
    store = create_database_engine(settings.database_url("gateway"))
    event_log = create_database_engine(settings.database_url("eventlog"))
    yield store, event_log
    store.dispose()
    event_log.dispose()


@pytest.fixture
def log(engines: tuple[Engine, Engine]) -> PlacementLog:
    return PlacementLog(engines[1])


@pytest.fixture
def projector(engines: tuple[Engine, Engine]) -> Projector:
    return Projector(engines[0], projection_of(SECTIONS))


@pytest.fixture
def subscription(engines: tuple[Engine, Engine], projector: Projector) -> CatchUpSubscription:
    return CatchUpSubscription(EventLogReader(engines[1]), projector, batch_size=4)


@pytest.fixture
def queries(engines: tuple[Engine, Engine]) -> PlacementReads:
    return PlacementReads(engines[0])


def found(value: dict[str, Any] | None) -> dict[str, Any]:
    assert value is not None
    return value


def a_campaign(log: PlacementLog) -> str:
    campaign_id = new_id()
    log.append(
        "CampaignCreated",
        f"campaign-{campaign_id}",
        campaign_id=campaign_id,
        name="Gravity Plan 2023 summer practice",
        year=2023,
        season="summer",
        registration_opens_at="2023-05-01T00:00:00Z",
        registration_closes_at="2023-06-30T00:00:00Z",
        scope="home-district university students",
        practice_content="host units",
    )
    return campaign_id


def a_summer(log: PlacementLog) -> dict[str, Any]:
    """Two units, three positions, three students through the whole selection:
    one agreed, started, completed and assessed; one placed directly; one declined."""
    campaign_id = a_campaign(log)
    bureau, town = log.host_unit(), log.host_unit(name="Beiguan Town Government")
    clerk = log.position(bureau, campaign_id, capacity=1)
    guide = log.position(bureau, campaign_id, title="Museum guide")
    river = log.position(town, campaign_id, title="River patrol", capacity=3)
    first, second, third = new_id(), new_id(), new_id()
    for student_id in (first, second, third):
        log.append(
            "CandidateAdmitted",
            f"candidate-{student_id}",
            student_id=student_id,
            campaign_id=campaign_id,
        )
    log.append(
        "SelectionWindowOpened",
        f"selection-{campaign_id}",
        campaign_id=campaign_id,
        opens_at="2023-06-01T00:00:00Z",
        closes_at="2023-06-15T00:00:00+08:00",
        max_choices=5,
    )
    for student_id, chosen in ((first, [clerk, guide]), (third, [guide, river])):
        log.rank(student_id, campaign_id, chosen)
    log.append(
        "ApplicantsRanked",
        f"position-{guide}",
        position_id=guide,
        host_unit_id=bureau,
        student_ids=[third],
        unacceptable=[first],
    )
    agreed = log.offer(campaign_id, first, clerk, bureau)
    declined = log.offer(campaign_id, third, guide, bureau)
    log.placement("OfferConfirmed", agreed, party="student")
    log.placement("OfferConfirmed", agreed, party="host_unit")
    log.agree(agreed, campaign_id, first, clerk, bureau)
    log.placement("OfferDeclined", declined, party="student", reason="chose to stay in town")
    direct = new_id()
    log.agree(direct, campaign_id, second, river, town, direct=True, reason="late approval")
    log.ready(agreed)
    log.ready(direct, documents=("practice_notice",))
    log.placement("PlacementStarted", agreed, started_on="2023-07-10")
    log.placement("PlacementCompleted", agreed, days_served=40, hours_served=280)
    log.placement("PlacementEvaluated", agreed, score=92, comment="diligent")
    log.placement("FeedbackSubmitted", agreed, rating=5, suggestions="more field visits")
    return {
        "campaign_id": campaign_id,
        "units": (bureau, town),
        "positions": (clerk, guide, river),
        "students": (first, second, third),
        "placements": (agreed, direct, declined),
    }


def test_host_units_positions_and_the_selection_window_are_projected(
    log: PlacementLog, subscription: CatchUpSubscription, queries: PlacementReads
) -> None:
    summer = a_summer(log)
    subscription.catch_up()
    bureau = found(queries.host_unit(summer["units"][0]))
    assert (bureau["name"], bureau["contact_phone"]) == (
        "District Civil Affairs Bureau",
        "0371-62345678",
    )
    listed = queries.campaign_positions(summer["campaign_id"], "open")
    assert [row["title"] for row in listed] == [
        "Community affairs assistant",
        "Museum guide",
        "River patrol",
    ]
    assert [row["seats_held"] for row in listed] == [1, 0, 1]
    assert listed[2]["host_unit_name"] == "Beiguan Town Government"
    assert (listed[0]["starts_on"], listed[0]["ends_on"]) == ("2023-07-10", "2023-08-20")
    window = found(queries.selection_window(summer["campaign_id"]))
    assert (window["opens_at"], window["closes_at"], window["max_choices"]) == (
        "2023-06-01T00:00:00.000000Z",
        "2023-06-14T16:00:00.000000Z",
        5,
    )


def test_a_closed_or_withdrawn_position_leaves_the_open_list_with_its_reason(
    log: PlacementLog, subscription: CatchUpSubscription, queries: PlacementReads
) -> None:
    summer = a_summer(log)
    clerk, guide, _river = summer["positions"]
    log.append("PositionClosed", f"position-{clerk}", position_id=clerk, reason="filled")
    log.append("PositionWithdrawn", f"position-{guide}", position_id=guide, reason="budget")
    subscription.catch_up()
    assert len(queries.campaign_positions(summer["campaign_id"], "open")) == 1
    closed = queries.campaign_positions(summer["campaign_id"], "closed")
    assert [(row["position_id"], row["status_reason"]) for row in closed] == [(clerk, "filled")]
    assert found(queries.position(guide))["status"] == "withdrawn"


def test_a_new_ranking_replaces_the_students_applications(
    log: PlacementLog, subscription: CatchUpSubscription, queries: PlacementReads
) -> None:
    summer = a_summer(log)
    campaign_id, (first, *_) = summer["campaign_id"], summer["students"]
    clerk, guide, river = summer["positions"]
    log.rank(first, campaign_id, [river])
    subscription.catch_up()
    assert found(queries.ranking(campaign_id, first))["position_ids"] == [river]
    assert queries.applicants(found(queries.position(clerk))) == []
    assert [row["student_id"] for row in queries.applicants(found(queries.position(guide)))] == [
        summer["students"][2]
    ]


def test_applicants_come_in_the_host_units_order_with_study_facts_only(
    log: PlacementLog, subscription: CatchUpSubscription, queries: PlacementReads
) -> None:
    summer = a_summer(log)
    first, _second, third = summer["students"]
    subscription.catch_up()
    guide = found(queries.position(summer["positions"][1]))
    applicants = queries.applicants(guide)
    assert [
        (row["student_id"], row["choice"], row["host_rank"], row["acceptable"])
        for row in applicants
    ] == [(third, 1, 1, True), (first, 2, None, False)]
    assert "name" not in applicants[0]
    assert "phone" not in applicants[0]


def test_a_ranking_that_repeats_a_position_is_kept_once_and_does_not_stall_reading(
    log: PlacementLog, subscription: CatchUpSubscription, queries: PlacementReads
) -> None:
    summer = a_summer(log)
    campaign_id, clerk = summer["campaign_id"], summer["positions"][0]
    student_id = new_id()
    log.rank(student_id, campaign_id, [clerk, clerk])
    subscription.catch_up()
    assert found(queries.ranking(campaign_id, student_id))["position_ids"] == [clerk]


def test_a_matching_round_keeps_its_stability_report_and_its_publication(
    log: PlacementLog, subscription: CatchUpSubscription, queries: PlacementReads
) -> None:
    summer = a_summer(log)
    first, second, _third = summer["students"]
    clerk, guide, _river = summer["positions"]
    stable, unstable = new_id(), new_id()
    for round_id, blocking in (
        (stable, []),
        (unstable, [{"student_id": second, "position_id": guide}]),
    ):
        log.append(
            "MatchingProposed",
            f"matching-round-{round_id}",
            round_id=round_id,
            campaign_id=summer["campaign_id"],
            assignments=[{"student_id": first, "position_id": clerk}],
            unmatched=[second],
            unfilled={guide: 2},
            blocking_pairs=blocking,
        )
    log.append(
        "MatchingPublished",
        f"matching-round-{stable}",
        round_id=stable,
        campaign_id=summer["campaign_id"],
    )
    subscription.catch_up()
    published = found(queries.matching_round(stable))
    assert (published["status"], published["stable"], published["unfilled"]) == (
        "published",
        True,
        {guide: 2},
    )
    assert published["published_at"] is not None
    assert published["assignments"] == [{"student_id": first, "position_id": clerk}]
    proposed = found(queries.matching_round(unstable))
    assert (proposed["status"], proposed["stable"], proposed["published_at"]) == (
        "proposed",
        False,
        None,
    )


def test_an_offer_confirmed_by_both_sides_is_agreed_and_carries_its_gates_and_scores(
    log: PlacementLog, subscription: CatchUpSubscription, queries: PlacementReads
) -> None:
    summer = a_summer(log)
    subscription.catch_up()
    agreed = found(queries.placement(summer["placements"][0]))
    assert (agreed["status"], agreed["direct"], agreed["confirmed_by"]) == (
        "completed",
        False,
        ["host_unit", "student"],
    )
    assert agreed["gates"] == dict.fromkeys(
        ("insurance", "training", "practice_notice", "confidentiality_commitment"), True
    )
    assert agreed["insurance"] == {
        "insurer": "PICC Zhengzhou",
        "policy_number": "PA-2023-0001",
        "covers_from": "2023-07-01",
        "covers_until": "2023-08-31",
    }
    assert "李明" not in repr(agreed)
    assert agreed["documents"]["practice_notice"]["content_hash"] == SHA
    assert (agreed["started_on"], agreed["days_served"], agreed["hours_served"]) == (
        "2023-07-10",
        40,
        280,
    )
    assert agreed["evaluation"] == {"score": 92, "comment": "diligent"}
    assert agreed["feedback"] == {"rating": 5, "suggestions": "more field visits"}
    assert (agreed["position_title"], agreed["host_unit_name"]) == (
        "Community affairs assistant",
        "District Civil Affairs Bureau",
    )


def test_a_direct_placement_is_agreed_without_an_offer_and_a_declined_offer_keeps_why(
    log: PlacementLog, subscription: CatchUpSubscription, queries: PlacementReads
) -> None:
    summer = a_summer(log)
    _agreed, direct, declined = summer["placements"]
    subscription.catch_up()
    placed = found(queries.placement(direct))
    assert (placed["status"], placed["direct"], placed["offered_at"]) == ("agreed", True, None)
    assert placed["direct_reason"] == "late approval"
    assert found(queries.placement(summer["placements"][0]))["direct_reason"] is None
    assert placed["gates"] == {
        "insurance": True,
        "training": True,
        "practice_notice": True,
        "confidentiality_commitment": False,
    }
    refused = found(queries.placement(declined))
    assert (refused["status"], refused["declined_by"], refused["decline_reason"]) == (
        "declined",
        "student",
        "chose to stay in town",
    )


def test_a_direct_placement_logged_before_reasons_were_kept_reads_with_an_empty_reason(
    settings: Settings,
    log: PlacementLog,
    subscription: CatchUpSubscription,
    queries: PlacementReads,
) -> None:
    summer = a_summer(log)
    campaign_id, river = summer["campaign_id"], summer["positions"][2]
    old, student = new_id(), new_id()
    log.placement(
        "PlacementAgreed",
        old,
        contract=1,
        campaign_id=campaign_id,
        student_id=student,
        position_id=river,
        host_unit_id=summer["units"][1],
        direct=True,
    )
    subscription.catch_up()
    placed = found(queries.placement(old))
    assert (placed["status"], placed["direct"], placed["direct_reason"]) == ("agreed", True, "")
    rebuilt = replay_read_models(settings, SECTIONS, progress=False)
    assert (rebuilt.equal, rebuilt.differences) == (True, [])


def test_an_ended_placement_frees_its_seat_and_keeps_its_reason(
    log: PlacementLog, subscription: CatchUpSubscription, queries: PlacementReads
) -> None:
    summer = a_summer(log)
    direct = summer["placements"][1]
    log.placement("PlacementEnded", direct, reason="the student withdrew")
    subscription.catch_up()
    ended = found(queries.placement(direct))
    assert (ended["status"], ended["end_reason"]) == ("ended", "the student withdrew")
    river = queries.campaign_positions(summer["campaign_id"], "open")[2]
    assert river["seats_held"] == 0


def test_the_student_summary_shows_the_current_placement_every_offer_and_the_gates(
    log: PlacementLog, subscription: CatchUpSubscription, queries: PlacementReads
) -> None:
    summer = a_summer(log)
    first, second, third = summer["students"]
    subscription.catch_up()
    mine = student_placement_summary(queries.student_placements(first))
    assert found(mine["placement"])["placement_id"] == summer["placements"][0]
    assert [offer["placement_id"] for offer in mine["offers"]] == [summer["placements"][0]]
    assert mine["gates"] == found(mine["placement"])["gates"]
    placed = student_placement_summary(queries.student_placements(second))
    assert (found(placed["placement"])["direct"], placed["offers"]) == (True, [])
    assert found(placed["gates"])["confidentiality_commitment"] is False
    declined = student_placement_summary(queries.student_placements(third))
    assert (declined["placement"], declined["gates"]) == (None, None)
    assert [offer["status"] for offer in declined["offers"]] == ["declined"]
    assert student_placement_summary([]) == {"placement": None, "offers": [], "gates": None}


def test_a_host_unit_lists_the_placements_at_its_own_positions_only(
    log: PlacementLog, subscription: CatchUpSubscription, queries: PlacementReads
) -> None:
    summer = a_summer(log)
    bureau, town = summer["units"]
    subscription.catch_up()
    ours = {row["placement_id"] for row in queries.host_unit_placements(bureau)}
    assert ours == {summer["placements"][0], summer["placements"][2]}
    assert [row["placement_id"] for row in queries.host_unit_placements(town)] == [
        summer["placements"][1]
    ]


def test_the_placements_report_counts_agreements_units_seats_rates_and_scores(
    log: PlacementLog,
    subscription: CatchUpSubscription,
    queries: PlacementReads,
    engines: tuple[Engine, Engine],
) -> None:
    summer = a_summer(log)
    a_summer(log)  # another campaign is not counted
    subscription.catch_up()
    report = queries.report(summer["campaign_id"])
    expected = {
        "agreements": 2,
        "direct_placements": 1,
        "host_units_involved": 2,
        "offers_pending": 0,
        "offers_declined": 1,
        "started": 1,
        "completed": 1,
        "ended": 0,
        "candidates": 3,
        "candidates_without_agreement": 1,
        "insured": 2,
        "trained": 2,
        "signed": 1,
    }
    assert {key: report[key] for key in expected} == expected
    assert report["positions"] == {"posted": 3, "open": 2, "filled": 1, "closed": 0, "withdrawn": 0}
    assert report["seats"] == {"capacity": 6, "agreed": 2}
    assert report["students_ranked"] == 2
    assert (report["insured_rate"], report["trained_rate"], report["signed_rate"]) == (1, 1, 0.5)
    assert (report["average_evaluation"], report["average_feedback_rating"]) == (92, 5)
    assert report["as_of_position"] == Projector(engines[0], {}).position()


def test_an_empty_campaign_reports_zeros_and_no_rates(
    log: PlacementLog, subscription: CatchUpSubscription, queries: PlacementReads
) -> None:
    campaign_id = a_campaign(log)
    subscription.catch_up()
    report = queries.report(campaign_id)
    assert (report["agreements"], report["insured_rate"], report["average_evaluation"]) == (
        0,
        None,
        None,
    )


@pytest.mark.parametrize("older", [0, 3, 11, 25])
def test_reapplying_placement_events_from_an_older_checkpoint_gives_the_same_state(
    log: PlacementLog,
    subscription: CatchUpSubscription,
    projector: Projector,
    engines: tuple[Engine, Engine],
    older: int,
) -> None:
    a_summer(log)
    subscription.catch_up()
    before = snapshot(engines[0], TABLES)
    projector.rewind(older)
    subscription.catch_up()
    assert snapshot(engines[0], TABLES) == before


def test_a_rebuild_equals_the_live_placement_read_models_and_names_no_contact_data(
    settings: Settings,
    log: PlacementLog,
    subscription: CatchUpSubscription,
    engines: tuple[Engine, Engine],
) -> None:
    summer = a_summer(log)
    subscription.catch_up()
    report = replay_read_models(settings, SECTIONS, progress=False)
    assert (report.equal, report.differences) == (True, [])
    bureau, agreed = summer["units"][0], summer["placements"][0]
    with engines[0].begin() as connection:
        connection.execute(
            host_units.update()
            .where(host_units.c.host_unit_id == bureau)
            .values(contact_phone="0371-99999999")
        )
        connection.execute(
            placements.update().where(placements.c.placement_id == agreed).values(status="ended")
        )
        connection.execute(sa.text("DELETE FROM applicants"))
    tampered = replay_read_models(settings, SECTIONS, progress=False)
    assert not tampered.equal
    assert f"host_units {bureau}: contact_phone differs" in tampered.differences
    assert f"placements {agreed}: status is 'ended' live, 'completed' replayed" in (
        tampered.differences
    )
    guide, third = summer["positions"][1], summer["students"][2]
    assert f"applicants {guide}/{third}: missing from the live read models" in tampered.differences
    assert not any("62345678" in line or "99999999" in line for line in tampered.differences)
