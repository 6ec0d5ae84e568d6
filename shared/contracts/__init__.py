"""Contracts between the parts of Gravity: commands, event payloads and errors, one package
per service. Importing this package registers every event contract, so any process can read
any event.
"""

from shared.contracts import gateway as gateway
from shared.contracts import honors as honors
from shared.contracts import placement as placement
from shared.contracts import recruitment as recruitment
from shared.contracts import volunteering as volunteering
from shared.contracts.fields import is_personal
from shared.contracts.records import COMMANDS
from shared.contracts.registry import CONTRACTS, ContractRegistry, UnknownEventTypeError

__all__ = ["CONTRACTS", "ContractRegistry", "UnknownEventTypeError", "personal_field_names"]


def personal_field_names() -> frozenset[str]:
    """Every field that a command or an event contract marks as personal data."""
    in_commands = {
        name
        for command in COMMANDS
        for name, field in command.schema().fields.items()
        if is_personal(field)
    }
    return CONTRACTS.personal_field_names() | in_commands
