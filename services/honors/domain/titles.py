"""A title (先进个人 and any other the committee names): its name, how many awards a campaign
may grant, and the evaluation score a student needs at least.

Titles are data: an operator defines them. ``ADV``, the advanced individual, stands from the
start with 10 a campaign and a score of 80, until an operator defines it otherwise.
"""

from __future__ import annotations

from shared.actors import Actor
from shared.contracts.honors.commands import DefineTitle
from shared.contracts.honors.errors import InvalidTitleError, TitleNotFoundError
from shared.contracts.honors.events import DEFAULT_TITLE, LETTER_PREFIX, TitleDefined
from shared.domain import Aggregate

BUILT_IN = {DEFAULT_TITLE: TitleDefined(DEFAULT_TITLE, "先进个人", 10, 80)}


class Title(Aggregate, stream="title", missing=TitleNotFoundError):
    name: str
    quota: int
    minimum_score: int

    @classmethod
    def built_in(cls, code: str) -> Title | None:
        """A title that stands without being defined (at stream version 0), or None."""
        rules = BUILT_IN.get(code)
        if rules is None:
            return None
        title = cls(code)
        title._apply(rules)
        return title

    @classmethod
    def new(cls, code: str) -> Title:
        if code == LETTER_PREFIX:
            raise InvalidTitleError(
                f"{LETTER_PREFIX} numbers appointment letters", {"field": "title_code"}
            )
        return cls(code)

    def define(self, actor: Actor, rules: DefineTitle) -> None:
        """New rules; the same rules again change nothing."""
        if not actor.is_operator:
            raise TitleNotFoundError.for_id(self.id)
        defined = TitleDefined(self.id, rules.name, rules.quota, rules.minimum_score)
        if getattr(self, "name", None) is not None and self._rules() == defined:
            return
        self._record(defined)

    def _rules(self) -> TitleDefined:
        return TitleDefined(self.id, self.name, self.quota, self.minimum_score)

    def _when_TitleDefined(self, event: TitleDefined) -> None:
        self.name, self.quota, self.minimum_score = event.name, event.quota, event.minimum_score
