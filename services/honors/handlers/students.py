"""What a student decides and what needs their consent: consents, recommendations to their
university, diaries and the showcase.

Withdrawing the showcase consent takes every featured diary of the student out of the
showcase in the same transaction. The diaries are held before the consents (the one lock
order, as a feature takes them), so the featured set is read, held, then read again: a diary
featured in between means deciding again.
"""

from __future__ import annotations

from services.honors.adapters import queries
from services.honors.domain.diary import Diary
from services.honors.domain.recommendation import Recommendation
from services.honors.domain.rights import check_acts_for_student
from services.honors.handlers import lookups
from services.honors.handlers.views import consent_view, diary_view, recommendation_view
from shared.contracts.honors import commands
from shared.contracts.honors.events import SHOWCASE
from shared.contracts.records import Result
from shared.domain import ConcurrencyConflictError
from shared.eventstore.uow import UnitOfWork

CONSENT_WITHDRAWN = "showcase consent withdrawn"


def record_consent(command: commands.RecordConsent, uow: UnitOfWork) -> Result:
    actor = lookups.actor(uow)
    check_acts_for_student(actor, command.student_id)
    withdraws_showcase = command.purpose == SHOWCASE and not command.given
    featured = queries.featured_diaries(uow.session, command.student_id)
    diaries = [uow.require(Diary, d, lock="exclusive") for d in featured if withdraws_showcase]
    consents = lookups.consents(uow, command.student_id, lock="exclusive")
    if withdraws_showcase and queries.featured_diaries(uow.session, command.student_id) != featured:
        raise ConcurrencyConflictError(consents.stream_id, consents.version)
    if consents.record(actor, command.purpose, command.given) and withdraws_showcase:
        for diary in diaries:
            diary.unfeature(CONSENT_WITHDRAWN)
    return consent_view(consents, command.purpose)


def send_recommendation(command: commands.SendRecommendation, uow: UnitOfWork) -> Result:
    consents = lookups.consents(uow, command.student_id, lock="shared")
    recommendation = Recommendation.send(command, lookups.actor(uow), consents)
    uow.add(recommendation)
    return recommendation_view(recommendation)


def submit_diary(command: commands.SubmitDiary, uow: UnitOfWork) -> Result:
    diary = Diary.submit(command, lookups.actor(uow))
    uow.add(diary)
    return diary_view(diary)


def feature_diary(command: commands.FeatureDiary, uow: UnitOfWork) -> Result:
    diary = uow.require(Diary, command.diary_id, lock="exclusive")
    consents = lookups.consents(uow, diary.student_id, lock="shared")
    diary.feature(lookups.actor(uow), consents)
    return diary_view(diary)
