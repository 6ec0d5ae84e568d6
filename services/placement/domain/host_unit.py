"""A host unit (机关单位): a government agency that takes students for summer practice."""

from __future__ import annotations

from services.placement.domain.position import Position
from shared.actors import HOST_UNIT, OPERATOR, Actor
from shared.contracts.placement.commands import PostPosition, RegisterHostUnit
from shared.contracts.placement.errors import HostUnitNotFoundError
from shared.contracts.placement.events import HostUnitRegistered
from shared.domain import Aggregate


class HostUnit(Aggregate, stream="host-unit", missing=HostUnitNotFoundError):
    name: str
    kind: str  # the kind of agency, e.g. "district civil affairs bureau"
    township: str

    @classmethod
    def register(cls, registration: RegisterHostUnit, actor: Actor) -> HostUnit:
        """An operator registers any host unit; a host unit registers only itself. The contact
        person and phone are personal data: recorded, never answered back."""
        if not actor.may_act_for((OPERATOR, HOST_UNIT), host_unit_id=registration.host_unit_id):
            raise HostUnitNotFoundError.for_id(registration.host_unit_id)
        host_unit = cls(registration.host_unit_id)
        host_unit._record(HostUnitRegistered(**vars(registration)))
        return host_unit

    def check_managed_by(self, actor: Actor) -> None:
        if not actor.may_act_for((OPERATOR, HOST_UNIT), host_unit_id=self.id):
            raise HostUnitNotFoundError.for_id(self.id)

    def post_position(self, posting: PostPosition) -> Position:
        """A position of this unit (whatever unit the posting names)."""
        return Position.post(posting.with_values(host_unit_id=self.id))

    def _when_HostUnitRegistered(self, event: HostUnitRegistered) -> None:
        self.name = event.name
        self.kind = event.kind
        self.township = event.township
