"""A practice diary entry: a student writes it, with the name they choose to be shown by; an
operator features it in the showcase, which needs the student's ``showcase`` consent, and a
withdrawn consent takes it out again."""

from __future__ import annotations

from services.honors.domain.consent import Consents
from services.honors.domain.rights import check_acts_for_student
from shared.actors import Actor
from shared.contracts.honors.commands import SubmitDiary
from shared.contracts.honors.errors import DiaryNotFoundError, InvalidDiaryError
from shared.contracts.honors.events import (
    SHOWCASE,
    DiaryFeatured,
    DiarySubmitted,
    DiaryUnfeatured,
)
from shared.domain import Aggregate


class Diary(Aggregate, stream="diary", missing=DiaryNotFoundError):
    student_id: str
    campaign_id: str
    featured: bool = False

    @classmethod
    def submit(cls, entry: SubmitDiary, actor: Actor) -> Diary:
        check_acts_for_student(actor, entry.student_id)
        if not entry.text.strip():
            raise InvalidDiaryError("a diary entry needs some text", {"field": "text"})
        diary = cls(entry.diary_id)
        diary._record(
            DiarySubmitted(
                diary.id,
                entry.student_id,
                entry.campaign_id,
                entry.title,
                entry.text,
                entry.display_name,
            )
        )
        return diary

    def feature(self, actor: Actor, consents: Consents) -> None:
        """Into the showcase (featuring a featured diary changes nothing)."""
        if not actor.is_operator:
            raise DiaryNotFoundError.for_id(self.id)
        consents.check_given(SHOWCASE)
        if not self.featured:
            self._record(DiaryFeatured(self.id, self.student_id, self.campaign_id))

    def unfeature(self, reason: str) -> bool:
        if not self.featured:
            return False
        self._record(DiaryUnfeatured(self.id, self.student_id, reason))
        return True

    def _when_DiarySubmitted(self, event: DiarySubmitted) -> None:
        self.student_id, self.campaign_id = event.student_id, event.campaign_id

    def _when_DiaryFeatured(self, _event: DiaryFeatured) -> None:
        self.featured = True

    def _when_DiaryUnfeatured(self, _event: DiaryUnfeatured) -> None:
        self.featured = False
