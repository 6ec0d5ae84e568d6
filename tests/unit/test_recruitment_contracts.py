"""Recruitment's command contracts: the one place a registration's fields get their rules,
applied alike by the gateway and by the service's RPC edge."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from shared.contracts.fields import check_birth_date_plausible
from shared.contracts.recruitment.commands import RegisterStudent, ScreenStudent
from shared.contracts.schemas import InvalidArgumentsError, InvalidIdNumberError
from shared.resident_id import ResidentIdError, check_character
from tests.factories import make_application, make_resident_id


def registration(**overrides: Any) -> dict[str, object]:
    return make_application().arguments() | overrides


def resident_id(birth: str, sequence: str = "123") -> str:
    first = f"110105{birth}{sequence}"
    return first + check_character(first)


def test_a_registration_round_trips_through_its_arguments() -> None:
    application = make_application()
    assert RegisterStudent.parse(application.arguments()) == application


def test_an_id_number_is_returned_in_canonical_form_with_an_upper_case_x() -> None:
    parsed = RegisterStudent.parse(registration(id_number="11010519491231002x"))
    assert parsed.id_number == "11010519491231002X"


def test_generated_resident_ids_are_accepted() -> None:
    for seed in range(50):
        assert RegisterStudent.parse(registration(id_number=make_resident_id(seed)))


@pytest.mark.parametrize(
    "bad",
    [
        "11010519491231002",
        "110105194912310021",
        "1101051949123100XX",
        "110105194902300012",
        "01010519491231002X",
        "abcdefghijklmnopqr",
        resident_id("18500101"),
        resident_id("20991231"),
    ],
)
def test_invalid_or_implausible_id_numbers_are_refused_without_echoing_them(bad: str) -> None:
    with pytest.raises(InvalidIdNumberError) as caught:
        RegisterStudent.parse(registration(id_number=bad))
    assert caught.value.code == "INVALID_ID_NUMBER"
    assert list(caught.value.details["fields"]) == ["id_number"]
    assert bad not in repr(caught.value.details) + caught.value.message


def test_a_birth_date_before_1900_or_after_today_is_not_plausible() -> None:
    check_birth_date_plausible(date(1900, 1, 1), today=date(2026, 1, 1))
    for born in (date(1899, 12, 31), date(2026, 1, 2)):
        with pytest.raises(ResidentIdError):
            check_birth_date_plausible(born, today=date(2026, 1, 1))


def test_an_unknown_channel_is_refused() -> None:
    with pytest.raises(InvalidArgumentsError) as caught:
        RegisterStudent.parse(registration(channel="friend"))
    assert caught.value.code == "VALIDATION_FAILED"
    assert list(caught.value.details["fields"]) == ["channel"]


def test_missing_and_unknown_fields_are_named_together() -> None:
    arguments = registration(favourite_colour="red")
    del arguments["phone"]
    with pytest.raises(InvalidArgumentsError) as caught:
        RegisterStudent.parse(arguments)
    assert set(caught.value.details["fields"]) == {"phone", "favourite_colour"}


def test_a_screening_needs_a_known_decision_and_a_reason() -> None:
    student_id = make_application().student_id
    for bad in ({"decision": "maybe", "reason": "x"}, {"decision": "rejected", "reason": "  "}):
        with pytest.raises(InvalidArgumentsError):
            ScreenStudent.parse({"student_id": student_id, **bad})


def test_arguments_that_are_not_an_object_are_refused() -> None:
    with pytest.raises(InvalidArgumentsError):
        RegisterStudent.parse(["not", "an", "object"])
