"""Appointments of part-time deputy secretaries through the handler table: letters numbered
gapless per year, one active appointment per student and committee, term end and early
dismissal."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest

from shared.contracts.honors.errors import (
    AppointmentConflictError,
    AppointmentNotFoundError,
    InvalidAppointmentError,
)
from tests.honors_factories import HonorsDesk, in_memory_engine, new_id, student_actor


@pytest.fixture
def desk() -> Iterator[HonorsDesk]:
    engine = in_memory_engine()
    yield HonorsDesk(engine)
    engine.dispose()


def refused(error: type[Exception], call, *args, **kwargs):
    with pytest.raises(error) as caught:
        call(*args, **kwargs)
    return caught.value


def test_an_appointment_comes_with_the_years_next_letter_serial(desk):
    student = new_id()
    view = desk.appoint(student)
    assert view == {
        "appointment_id": view["appointment_id"],
        "serial": "APT-2023-0001",
        "student_id": student,
        "campaign_id": desk.campaign_id,
        "committee": "城关镇团委",
        "term_starts_on": "2023-09-01",
        "term_ends_on": "2024-08-31",
        "status": "active",
        "ended_on": None,
    }
    [made] = desk.payloads("AppointmentMade")
    assert (made["year"], made["number"], made["holder_name"]) == (2023, 1, "李四")
    assert [desk.appoint()["serial"] for _ in range(2)] == ["APT-2023-0002", "APT-2023-0003"]
    desk.now = datetime(2024, 3, 1, tzinfo=UTC)
    assert desk.appoint()["serial"] == "APT-2024-0001"


def test_a_student_holds_one_active_appointment_per_committee(desk):
    student = new_id()
    serial = desk.appoint(student)["serial"]
    error = refused(AppointmentConflictError, desk.appoint, student)
    assert (error.code, error.details) == ("APPOINTMENT_CONFLICT", {"serial": serial})
    assert desk.appoint(student, committee="城北街道团工委")["status"] == "active"
    assert desk.appoint()["serial"] == "APT-2023-0003"  # the refusal took no number


def test_after_a_dismissal_or_past_the_term_the_student_may_be_appointed_again(desk):
    student = new_id()
    serial = desk.appoint(student)["serial"]
    desk.end_appointment(serial, "moved away for graduate school")
    assert desk.appoint(student)["status"] == "active"
    other = new_id()
    desk.appoint(other, term_starts_on=date(2022, 9, 1), term_ends_on=date(2023, 8, 31))
    assert desk.appoint(other)["status"] == "active"


def test_a_term_must_end_after_it_starts(desk):
    error = refused(
        InvalidAppointmentError,
        desk.appoint,
        term_starts_on=date(2023, 9, 1),
        term_ends_on=date(2023, 9, 1),
    )
    assert error.details == {"field": "term_ends_on"}


def test_at_the_terms_end_the_appointment_ends_with_its_term(desk):
    serial = desk.appoint()["serial"]
    desk.now = datetime(2024, 9, 3, tzinfo=UTC)
    view = desk.end_appointment(serial)
    assert (view["status"], view["ended_on"]) == ("term_ended", "2024-08-31")
    assert desk.payloads("AppointmentTermEnded")[0]["ended_on"] == "2024-08-31"
    refused(AppointmentConflictError, desk.end_appointment, serial)


def test_an_early_dismissal_needs_a_reason_and_is_its_own_event(desk):
    serial = desk.appoint()["serial"]
    error = refused(InvalidAppointmentError, desk.end_appointment, serial)
    assert error.details == {"field": "reason"}
    view = desk.end_appointment(serial, "left the district")
    assert (view["status"], view["ended_on"]) == ("dismissed", "2023-09-01")
    [dismissed] = desk.payloads("AppointmentDismissed")
    assert (dismissed["serial"], dismissed["reason"]) == (serial, "left the district")


def test_only_an_operator_appoints_or_ends_and_an_unknown_letter_is_not_found(desk):
    student = new_id()
    refused(AppointmentNotFoundError, desk.appoint, student, student_actor(student))
    serial = desk.appoint(student)["serial"]
    refused(AppointmentNotFoundError, desk.end_appointment, serial, "x", student_actor(student))
    error = refused(AppointmentNotFoundError, desk.end_appointment, "APT-2023-0042")
    assert error.details == {"serial": "APT-2023-0042"}
