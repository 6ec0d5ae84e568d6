"""Consent per purpose, and what needs it: recommendations to a university
(``university_report``) and featured diaries (``showcase``; withdrawing it un-features them).
A student acts only for themself."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from shared.contracts.honors import commands
from shared.contracts.honors.errors import (
    ConsentRequiredError,
    DiaryNotFoundError,
    HonoreeNotFoundError,
    InvalidDiaryError,
)
from shared.contracts.schemas import InvalidArgumentsError
from tests.honors_factories import (
    TRANSCRIPT_HASH,
    HonorsDesk,
    in_memory_engine,
    new_id,
    student_actor,
)


@pytest.fixture
def desk() -> Iterator[HonorsDesk]:
    engine = in_memory_engine()
    yield HonorsDesk(engine)
    engine.dispose()


def refused(error: type[Exception], call, *args, **kwargs):
    with pytest.raises(error) as caught:
        call(*args, **kwargs)
    return caught.value


# -- consent ----------------------------------------------------------------------------------
def test_a_student_gives_and_withdraws_consent_per_purpose(desk):
    student = new_id()
    view = desk.consent(student, "showcase")
    assert view == {"student_id": student, "purpose": "showcase", "given": True}
    assert desk.consent(student, "showcase")["given"] is True  # again: nothing new
    assert desk.consent(student, "university_report", given=False)["given"] is False
    assert desk.consent(student, "showcase", given=False)["given"] is False
    assert desk.payloads("ConsentGiven") == [{"student_id": student, "purpose": "showcase"}]
    assert desk.payloads("ConsentWithdrawn") == [{"student_id": student, "purpose": "showcase"}]


def test_an_operator_records_consent_for_a_student_but_another_student_cannot(desk):
    student = new_id()
    assert desk.consent(student, "showcase", actor="operator:ops-1")["given"] is True
    error = refused(
        HonoreeNotFoundError, desk.consent, student, "showcase", False, student_actor(new_id())
    )
    assert (error.code, error.details) == ("NOT_FOUND", {"student_id": student})


def test_consent_is_a_json_boolean_for_a_known_purpose():
    student = new_id()
    for bad in ({"given": "true"}, {"given": 1}, {"purpose": "marketing"}):
        arguments = {"student_id": student, "purpose": "showcase", "given": True} | bad
        with pytest.raises(InvalidArgumentsError):
            commands.RecordConsent.parse(arguments)


def test_holder_and_display_names_are_personal_data_and_never_echoed():
    from shared.contracts import personal_field_names

    assert {"holder_name", "display_name"} <= personal_field_names()
    diary = commands.SubmitDiary(
        student_id=new_id(), campaign_id=new_id(), title="t", text="x", display_name="小张"
    )
    assert "display_name" not in diary.public_arguments()


# -- recommendations --------------------------------------------------------------------------
def test_a_recommendation_needs_the_students_current_university_report_consent(desk):
    student = new_id()
    error = refused(ConsentRequiredError, desk.recommend, student)
    assert (error.code, error.kind) == ("CONSENT_REQUIRED", "conflict")
    assert error.details == {"student_id": student, "purpose": "university_report"}
    desk.consent(student, "university_report")
    view = desk.recommend(student)
    assert view["student_id"] == student
    [sent] = desk.payloads("RecommendationSent")
    assert (sent["transcript_hash"], sent["university"]) == (
        TRANSCRIPT_HASH,
        "Zhengzhou University",
    )
    desk.consent(student, "university_report", given=False)
    refused(ConsentRequiredError, desk.recommend, student)


def test_the_showcase_consent_does_not_stand_for_the_university_report(desk):
    student = new_id()
    desk.consent(student, "showcase")
    refused(ConsentRequiredError, desk.recommend, student)


def test_only_an_operator_sends_a_recommendation(desk):
    student = new_id()
    desk.consent(student, "university_report")
    refused(HonoreeNotFoundError, desk.recommend, student, student_actor(student))


# -- diaries and the showcase ----------------------------------------------------------------
def test_a_student_submits_a_diary_with_the_name_they_choose_to_show(desk):
    student = new_id()
    diary = desk.diary(student)
    [submitted] = desk.payloads("DiarySubmitted")
    assert submitted["display_name"] == "小张"
    assert submitted["diary_id"] == diary
    refused(HonoreeNotFoundError, desk.diary, student, student_actor(new_id()))
    refused(InvalidDiaryError, desk.diary, student, text=" \n ")


def test_featuring_a_diary_needs_the_showcase_consent(desk):
    student = new_id()
    diary = desk.diary(student)
    error = refused(ConsentRequiredError, desk.feature, diary)
    assert error.details == {"student_id": student, "purpose": "showcase"}
    desk.consent(student, "showcase")
    assert desk.feature(diary)["featured"] is True
    assert desk.feature(diary)["featured"] is True  # featured already: nothing new
    assert len(desk.events("DiaryFeatured")) == 1


def test_withdrawing_the_showcase_consent_unfeatures_every_featured_diary(desk):
    student, other = new_id(), new_id()
    diaries = [desk.diary(student) for _ in range(3)]
    others = desk.diary(other)
    desk.consent(student, "showcase")
    desk.consent(other, "showcase")
    for diary in (*diaries[:2], others):
        desk.feature(diary)
    desk.consent(student, "university_report", given=False)
    assert desk.events("DiaryUnfeatured") == []
    desk.consent(student, "showcase", given=False)
    unfeatured = desk.payloads("DiaryUnfeatured")
    assert sorted(event["diary_id"] for event in unfeatured) == sorted(diaries[:2])
    assert {event["reason"] for event in unfeatured} == {"showcase consent withdrawn"}
    refused(ConsentRequiredError, desk.feature, diaries[0])


def test_only_an_operator_features_a_diary(desk):
    student = new_id()
    diary = desk.diary(student)
    desk.consent(student, "showcase")
    refused(DiaryNotFoundError, desk.feature, diary, student_actor(student))
    refused(DiaryNotFoundError, desk.feature, new_id())
