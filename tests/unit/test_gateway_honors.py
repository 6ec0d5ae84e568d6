"""The gateway's honours edge without a broker: bodies without the fields the gateway fills,
serials and purposes in paths, masking, the verification's token bucket and answers, the
documents' verification URLs, and the routes' documentation."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from gateway.core.errors import ApiError, error_catalogue
from gateway.core.openapi import openapi_document
from gateway.core.request_body import load_command, path_ids
from gateway.honors import routes
from gateway.honors.documents import public_url, verification_url
from gateway.honors.transcript import evaluation_label, reference_of
from gateway.honors.verification import (
    TokenBucket,
    certificate_answer,
    letter_answer,
    mask_name,
    retry_after,
)
from gateway.sections import ROUTES
from shared.config import load_settings
from shared.contracts.honors import commands
from shared.verification_codes import is_valid_code

STUDENT, CAMPAIGN = str(uuid.uuid4()), str(uuid.uuid4())


def test_a_nomination_body_holds_no_holder_name_the_gateway_fills_it() -> None:
    body = {"student_id": STUDENT, "campaign_id": CAMPAIGN, "citation": "Taught 48 children"}
    nominated = load_command(routes.NOMINATE, body, {})
    assert isinstance(nominated, commands.NominateForAward)
    assert (nominated.title_code, nominated.student_id) == ("ADV", STUDENT)
    with pytest.raises(ApiError) as refused:
        load_command(routes.NOMINATE, body | {"holder_name": "张三"}, {})
    assert refused.value.details["fields"] == {"holder_name": ["Unknown field."]}
    assert routes.NOMINATE.body is not None
    assert "holder_name" not in routes.NOMINATE.body._declared_fields


def test_a_recommendation_body_is_empty_the_gateway_fills_university_campaign_and_hash() -> None:
    assert routes.SEND_RECOMMENDATION.body is not None
    assert set(routes.SEND_RECOMMENDATION.body._declared_fields) == {"recommendation_id"}
    command = load_command(routes.SEND_RECOMMENDATION, None, {"student_id": STUDENT})
    assert isinstance(command, commands.SendRecommendation)


def test_a_serial_or_purpose_in_a_path_must_match_its_pattern_else_404() -> None:
    serial = (("serial", routes.SERIAL),)
    assert path_ids({"serial": "ADV-2023-0001"}, serial) == {"serial": "ADV-2023-0001"}
    for bad in ("adv-2023-0001", "ADV-2023-1", "ADV-2023-0001\n", "../x"):
        with pytest.raises(ApiError) as refused:
            path_ids({"serial": bad}, serial)
        assert refused.value.code == "NOT_FOUND"
    consent = load_command(
        routes.RECORD_CONSENT, {"given": False}, {"student_id": STUDENT, "purpose": "showcase"}
    )
    assert isinstance(consent, commands.RecordConsent)
    assert (consent.purpose, consent.given) == ("showcase", False)
    transcript = (("serial", routes.VERIFIABLE),)
    assert path_ids({"serial": reference_of(STUDENT)}, transcript)["serial"].startswith("TR-")


@pytest.mark.parametrize(
    ("name", "masked"),
    [("张三", "张*"), ("欧阳娜娜", "欧*"), ("Li", "L*"), (" 王 ", "王*"), ("", "*")],
)
def test_a_holder_name_is_masked_to_its_first_character_and_one_star(
    name: str, masked: str
) -> None:
    assert mask_name(name) == masked


def test_the_token_bucket_grants_a_burst_then_one_a_refill_per_address() -> None:
    now = [0.0]
    bucket = TokenBucket(burst=3, per_minute=30, clock=lambda: now[0])
    assert [bucket.take("10.0.0.1") for _ in range(3)] == [0.0, 0.0, 0.0]
    wait = bucket.take("10.0.0.1")
    assert wait == pytest.approx(2.0)
    assert retry_after(wait) == "2"
    assert bucket.take("10.0.0.2") == 0.0  # another address has its own bucket
    now[0] = 2.0
    assert bucket.take("10.0.0.1") == 0.0
    assert bucket.take("10.0.0.1") > 0


def test_the_bucket_forgets_the_least_recently_seen_address_past_its_bound(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("gateway.honors.verification.MAX_TRACKED_ADDRESSES", 2)
    bucket = TokenBucket(burst=1, per_minute=1, clock=lambda: 0.0)
    for address in ("a", "b", "c"):
        bucket.take(address)
    assert list(bucket.buckets) == ["b", "c"]


def make_award(**overrides: Any) -> dict[str, Any]:
    award = {
        "serial": "ADV-2023-0001",
        "student_id": STUDENT,
        "status": "granted",
        "title_code": "ADV",
        "title_name": "先进个人",
        "campaign_name": "引力计划 2023 暑期社会实践",
        "issued_at": "2023-08-30T02:00:00.000000Z",
        "revoked_at": None,
        "holder_name": "张晓喆",
        "citation": "Taught paper-cutting",
    }
    return award | overrides


def test_a_verification_answers_status_title_campaign_date_and_a_masked_holder_only() -> None:
    answer = certificate_answer(make_award())
    assert answer == {
        "serial": "ADV-2023-0001",
        "kind": "certificate",
        "status": "valid",
        "title": "先进个人",
        "campaign": "引力计划 2023 暑期社会实践",
        "issued_on": "2023-08-30",
        "revoked_on": None,
        "ended_on": None,
        "holder": "张*",
    }
    revoked = certificate_answer(
        make_award(status="revoked", revoked_at="2023-10-01T00:00:00.000000Z")
    )
    assert (revoked["status"], revoked["revoked_on"]) == ("revoked", "2023-10-01")
    letter = letter_answer(
        {
            "serial": "APT-2023-0002",
            "status": "dismissed",
            "committee": "城关镇团委",
            "campaign_name": "引力计划",
            "issued_at": "2023-09-01T00:00:00.000000Z",
            "ended_on": "2023-12-01",
            "holder_name": "李四",
        }
    )
    assert (letter["status"], letter["title"], letter["holder"]) == (
        "dismissed",
        "城关镇团委兼职副书记",
        "李*",
    )
    assert STUDENT not in str(answer)


def test_a_documents_qr_url_is_the_public_verify_url_with_the_serials_code(
    tmp_path: Any,
) -> None:
    settings = load_settings(
        environ={"GRAVITY_PUBLIC_URL": "https://gravity.example.org/"},
        overrides={"data_dir": str(tmp_path)},
    )
    assert public_url(settings) == "https://gravity.example.org"
    url = verification_url(settings, "ADV-2023-0001")
    prefix = "https://gravity.example.org/verify/ADV-2023-0001?code="
    assert url.startswith(prefix)
    assert is_valid_code(settings.verification_secret, "ADV-2023-0001", url.removeprefix(prefix))
    default = load_settings(environ={}, overrides={"data_dir": str(tmp_path)})
    assert public_url(default) == "http://127.0.0.1:8000"


def test_an_evaluation_prints_its_grade_and_score() -> None:
    assert [evaluation_label(s) for s in (92, 85, 60, 40, None)] == [
        "优秀 92",
        "良好 85",
        "合格 60",
        "不合格 40",
        "未评价",
    ]


def test_every_honours_route_is_documented_with_its_codes_and_the_pdfs_as_binary() -> None:
    document = openapi_document(ROUTES)
    paths = document["paths"]
    for route in routes.ROUTES:
        operation = paths[route.path][route.method.lower()]
        assert operation["operationId"] == route.name
        assert set(operation["responses"]) >= {str(route.status), "500"}
        for code in route.error_codes:
            assert code in error_catalogue()
    pdf = paths["/api/v1/certificates/{serial}.pdf"]["get"]["responses"]["200"]["content"]
    assert pdf == {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}
    verify = paths["/verify/{serial}"]["get"]
    assert verify["security"] == []
    assert "429" in verify["responses"]
    consent = paths["/api/v1/students/{student_id}/consents/{purpose}"]["put"]
    purpose = next(p for p in consent["parameters"] if p.get("name") == "purpose")
    assert purpose["schema"]["pattern"] == routes.PURPOSE
    nominate = paths["/api/v1/awards"]["post"]["responses"]
    assert "NOT_ELIGIBLE" in nominate["409"]["description"]
