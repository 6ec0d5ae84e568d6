"""A host unit (机关单位): a government agency that takes students for summer practice."""

from __future__ import annotations

from dataclasses import dataclass

from services.placement.domain.actors import HOST_UNIT, OPERATOR, Actor
from services.placement.domain.errors import HostUnitNotFoundError
from services.placement.domain.events import HostUnitRegistered
from services.placement.domain.position import Position, PositionPlan
from shared.domain import Aggregate


@dataclass(frozen=True)
class HostUnitProfile:
    """What a host unit registers with; the contact person and phone are personal data."""

    name: str
    kind: str  # the kind of agency, e.g. "district civil affairs bureau"
    township: str
    contact_person: str
    contact_phone: str


class HostUnit(Aggregate):
    stream_prefix = "host-unit"

    name: str
    kind: str
    township: str

    @classmethod
    def register(cls, host_unit_id: str, profile: HostUnitProfile, actor: Actor) -> HostUnit:
        """An operator registers any host unit; a host unit registers only itself."""
        if not actor.may_act_for((OPERATOR, HOST_UNIT), host_unit_id=host_unit_id):
            raise HostUnitNotFoundError("no such host unit", {"host_unit_id": host_unit_id})
        host_unit = cls(host_unit_id)
        host_unit._record(HostUnitRegistered(host_unit_id=host_unit_id, **vars(profile)))
        return host_unit

    def check_managed_by(self, actor: Actor) -> None:
        if not actor.may_act_for((OPERATOR, HOST_UNIT), host_unit_id=self.id):
            raise HostUnitNotFoundError("no such host unit", {"host_unit_id": self.id})

    def post_position(self, position_id: str, campaign_id: str, plan: PositionPlan) -> Position:
        return Position.post(position_id, self.id, campaign_id, plan)

    def _when_HostUnitRegistered(self, event: HostUnitRegistered) -> None:
        self.name = event.name
        self.kind = event.kind
        self.township = event.township
