"""Host units and their positions: register, post, close, withdraw, rank applicants."""

from __future__ import annotations

from services.placement import commands
from services.placement.adapters import indexes
from services.placement.domain.host_unit import HostUnit
from services.placement.domain.placement_record import COMPLETED, STARTED
from services.placement.domain.position import Position
from services.placement.handling import lookups
from services.placement.handling.views import (
    Result,
    applicants_view,
    host_unit_view,
    position_view,
)
from shared.eventstore.uow import UnitOfWork
from shared.logging import get_logger

log = get_logger(__name__)


def register_host_unit(command: commands.RegisterHostUnit, uow: UnitOfWork) -> Result:
    with uow:
        host_unit = HostUnit.register(command.host_unit_id, command.profile, lookups.actor(uow))
        uow.repository(HostUnit).add(host_unit)
        uow.commit()
        log.info("host_unit.registered", host_unit_id=host_unit.id)
        return host_unit_view(host_unit)


def post_position(command: commands.PostPosition, uow: UnitOfWork) -> Result:
    with uow:
        host_unit = lookups.host_unit(uow, command.host_unit_id)
        host_unit.check_managed_by(lookups.actor(uow))
        position = host_unit.post_position(command.position_id, command.campaign_id, command.plan)
        uow.repository(Position).add(position)
        indexes.record_position(uow.session, position)
        uow.commit()
        log.info("position.posted", position_id=position.id, host_unit_id=host_unit.id)
        return position_view(position)


def close_position(command: commands.ClosePosition, uow: UnitOfWork) -> Result:
    with uow:
        position = lookups.position(uow, command.position_id)
        position.check_managed_by(lookups.actor(uow))
        position.close(command.reason)
        uow.commit()
        log.info("position.closed", position_id=position.id)
        return position_view(position)


def withdraw_position(command: commands.WithdrawPosition, uow: UnitOfWork) -> Result:
    """Withdraw the position and end its offered and agreed placements, freeing their seats."""
    with uow:
        position = lookups.position(uow, command.position_id)
        position.check_managed_by(lookups.actor(uow))
        placements = [
            lookups.placement(uow, placement_id)
            for placement_id in indexes.placements_holding_seats_in(uow.session, position.id)
        ]
        under_way = [p.id for p in placements if p.status in (STARTED, COMPLETED)]
        position.withdraw(command.reason, under_way)
        for placement in placements:
            placement.end(f"the position was withdrawn: {command.reason}")
            indexes.record_placement_change(uow.session, placement)
        uow.commit()
        log.info("position.withdrawn", position_id=position.id, placements_ended=len(placements))
        return position_view(position)


def rank_applicants(command: commands.RankApplicants, uow: UnitOfWork) -> Result:
    with uow:
        position = lookups.position(uow, command.position_id)
        position.check_managed_by(lookups.actor(uow))
        named = {*command.student_ids, *command.unacceptable}
        applicants = {
            student_id
            for student_id in named
            if position.id in lookups.candidate(uow, student_id).ranking
        }
        position.rank_applicants(command.student_ids, command.unacceptable, applicants)
        uow.commit()
        log.info("applicants.ranked", position_id=position.id, ranked=len(command.student_ids))
        return applicants_view(position)
