"""What an honours handler needs beyond ``uow.require``: who is asking, a title as it stands,
and the facts that decide a student's eligibility.

Locks are taken in one order, so that two commands never wait for each other in a circle:
the record a command is about (award, appointment, diary) first, then what it decides on
(title, student's appointments, year's letters, consents).
"""

from __future__ import annotations

from services.honors.adapters import queries
from services.honors.domain.consent import Consents
from services.honors.domain.eligibility import Eligibility
from services.honors.domain.practice import Candidate
from services.honors.domain.titles import Title
from shared.actors import Actor
from shared.contracts.honors.errors import TitleNotFoundError
from shared.eventstore.uow import StreamLock, UnitOfWork


def actor(uow: UnitOfWork) -> Actor:
    return Actor.parse(uow.context.actor)


def title(uow: UnitOfWork, code: str, *, lock: StreamLock | None = None) -> Title:
    """The title as defined, or as it stands built in; ``lock`` holds it (and with it the
    quota and the serial numbers of its certificates) until the commit."""
    found = uow.repository(Title).get(code, lock=lock) or Title.built_in(code)
    if found is None:
        raise TitleNotFoundError.for_id(code)
    return found


def eligibility(uow: UnitOfWork, student_id: str, campaign_id: str) -> Eligibility:
    candidate = uow.get(Candidate, student_id)
    return Eligibility(
        student_id,
        campaign_id,
        queries.practices_of(uow.session, student_id, campaign_id),
        screening_declined=candidate is not None and campaign_id in candidate.declined_in,
    )


def consents(uow: UnitOfWork, student_id: str, *, lock: StreamLock) -> Consents:
    """The student's consents (none given if they never spoke), held until the commit."""
    found = uow.repository(Consents).get(student_id, lock=lock)
    if found is None:
        found = Consents(student_id)
        uow.add(found)
    return found


def hold(uow: UnitOfWork, name: str) -> None:
    """Hold a named counter (no stream of its own) exclusively until the commit."""
    uow.store.lock_stream(name, exclusive=True)
