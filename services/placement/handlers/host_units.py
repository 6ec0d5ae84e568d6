"""Host units and their positions: register, post, close, withdraw, rank applicants."""

from __future__ import annotations

from services.placement.adapters import indexes
from services.placement.domain.candidate import Candidate
from services.placement.domain.host_unit import HostUnit
from services.placement.domain.placement import Placement
from services.placement.domain.placement_record import COMPLETED, STARTED
from services.placement.domain.position import Position
from services.placement.handlers import lookups
from services.placement.handlers.views import applicants_view, host_unit_view, position_view
from shared.contracts.placement import commands
from shared.contracts.records import Result
from shared.eventstore.uow import UnitOfWork


def register_host_unit(command: commands.RegisterHostUnit, uow: UnitOfWork) -> Result:
    host_unit = HostUnit.register(command, lookups.actor(uow))
    uow.add(host_unit)
    return host_unit_view(host_unit)


def post_position(command: commands.PostPosition, uow: UnitOfWork) -> Result:
    host_unit = uow.require(HostUnit, command.host_unit_id)
    host_unit.check_managed_by(lookups.actor(uow))
    position = host_unit.post_position(command)
    uow.add(position)
    return position_view(position)


def _managed_position(uow: UnitOfWork, position_id: str) -> Position:
    """The position, if the caller is its host unit or an operator."""
    position = uow.require(Position, position_id)
    position.check_managed_by(lookups.actor(uow))
    return position


def close_position(command: commands.ClosePosition, uow: UnitOfWork) -> Result:
    position = _managed_position(uow, command.position_id)
    position.close(command.reason)
    return position_view(position)


def withdraw_position(command: commands.WithdrawPosition, uow: UnitOfWork) -> Result:
    """Withdraw the position and end its offered and agreed placements, freeing their seats."""
    position = _managed_position(uow, command.position_id)
    placements = [
        uow.require(Placement, placement_id)
        for placement_id in indexes.placements_holding_seats_in(uow.session, position.id)
    ]
    under_way = [p.id for p in placements if p.status in (STARTED, COMPLETED)]
    position.withdraw(command.reason, under_way)
    for placement in placements:
        placement.end(f"the position was withdrawn: {command.reason}")
    return position_view(position)


def rank_applicants(command: commands.RankApplicants, uow: UnitOfWork) -> Result:
    position = _managed_position(uow, command.position_id)
    named = {*command.student_ids, *command.unacceptable}
    applicants = {
        student_id
        for student_id in named
        if position.id in uow.get_or_start(Candidate, student_id).ranking
    }
    position.rank_applicants(command.student_ids, command.unacceptable, applicants)
    return applicants_view(position)
