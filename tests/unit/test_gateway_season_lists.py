"""The season's lists as declared: who may list what, what each takes by default, which
filters it refuses, and what a page answers (the old array beside ``items``; no hash)."""

from __future__ import annotations

import pytest

from gateway.accounts import routes as accounts
from gateway.accounts.schemas import AccountListQuery, AccountPageResponse
from gateway.core.errors import ApiError
from gateway.core.request_body import load
from gateway.honors import routes as honours
from gateway.honors.list_schemas import AppointmentListQuery, AwardListQuery, AwardListResponse
from gateway.placement import selection_routes as selection
from gateway.placement.list_schemas import PositionListResponse
from gateway.volunteering import routes as volunteering
from gateway.volunteering.list_schemas import HoursListQuery


def test_each_list_admits_only_the_roles_entitled_to_it() -> None:
    assert volunteering.LIST_HOURS.roles == {"operator", "host_unit", "student"}
    assert honours.LIST_APPOINTMENTS.roles == {"operator", "student"}
    assert accounts.LIST_ACCOUNTS.roles == {"operator"}
    assert selection.LIST_POSITIONS.roles == {"operator", "host_unit", "student", "auditor"}


def test_each_list_pages_fifty_at_a_time_in_its_default_order() -> None:
    assert load(HoursListQuery, {}) == {"limit": 50, "sort": "-logged_at"}
    assert load(AwardListQuery, {}) == {"limit": 50, "sort": "nominated_at"}
    assert load(AppointmentListQuery, {}) == {"limit": 50, "sort": "-issued_at"}
    assert load(AccountListQuery, {}) == {"limit": 50, "sort": "created_at"}


@pytest.mark.parametrize(
    ("query", "values"),
    [
        (HoursListQuery, {"student_id": ""}),
        (HoursListQuery, {"status": "paid"}),
        (HoursListQuery, {"sort": "minutes"}),
        (AwardListQuery, {"campaign_id": "c-1"}),
        (AppointmentListQuery, {"status": "retired"}),
        (AccountListQuery, {"subject_id": "a\x00b"}),
        (AccountListQuery, {"role": "root"}),
        (AccountListQuery, {"sort": "username"}),
    ],
)
def test_a_list_refuses_a_filter_or_order_it_does_not_offer(
    query: type, values: dict[str, str]
) -> None:
    with pytest.raises(ApiError) as refused:
        load(query, values)
    assert refused.value.code == "VALIDATION_FAILED"


def test_a_page_keeps_the_array_answered_before_and_never_holds_a_password_hash() -> None:
    assert {"items", "next_cursor", "positions", "selection_window"} <= set(
        PositionListResponse().fields
    )
    assert {"items", "next_cursor", "awards"} <= set(AwardListResponse().fields)
    account = AccountPageResponse().fields["items"].inner.nested  # type: ignore[attr-defined]
    assert not {"password_hash", "failed_sign_ins", "locked_until"} & set(account().fields)
