"""Titles and awards: define a title, nominate, grant (the certificate), revoke.

A grant holds the title exclusively: the quota of every campaign and the serial numbers of
the title are decided one grant at a time, so that twenty grants at once take numbers 1 to
20 with no gap and no twice, and the quota's last place goes to exactly one of them.
"""

from __future__ import annotations

from services.honors.adapters import queries
from services.honors.domain.award import Award
from services.honors.domain.titles import Title
from services.honors.handlers import lookups
from services.honors.handlers.views import award_view, title_view
from shared.contracts.honors import commands
from shared.contracts.honors.errors import CertificateNotFoundError
from shared.contracts.records import Result
from shared.eventstore.uow import UnitOfWork


def define_title(command: commands.DefineTitle, uow: UnitOfWork) -> Result:
    code = command.title_code
    title = uow.repository(Title).get(code, lock="exclusive")
    if title is None:
        title = Title.built_in(code) or Title.new(code)
        uow.add(title)
    title.define(lookups.actor(uow), command)
    return title_view(title)


def nominate_for_award(command: commands.NominateForAward, uow: UnitOfWork) -> Result:
    title = lookups.title(uow, command.title_code)
    eligibility = lookups.eligibility(uow, command.student_id, command.campaign_id)
    award = Award.nominate(command, lookups.actor(uow), title, eligibility)
    uow.add(award)
    return award_view(award)


def grant_award(command: commands.GrantAward, uow: UnitOfWork) -> Result:
    award = uow.require(Award, command.award_id, lock="exclusive")
    title = lookups.title(uow, award.title_code, lock="exclusive")
    now = uow.clock()
    standing = queries.certificates_standing(
        uow.session, award.student_id, award.campaign_id, title.id, now.year
    )
    eligibility = lookups.eligibility(uow, award.student_id, award.campaign_id)
    award.grant(lookups.actor(uow), title, eligibility, standing, now)
    return award_view(award)


def revoke_certificate(command: commands.RevokeCertificate, uow: UnitOfWork) -> Result:
    award_id = queries.award_of_certificate(uow.session, command.serial)
    if award_id is None:
        raise CertificateNotFoundError.for_id(command.serial)
    award = uow.require(Award, award_id, lock="exclusive")
    award.revoke(lookups.actor(uow), command.reason, uow.clock())
    return award_view(award)
