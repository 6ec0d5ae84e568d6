"""Contracts between the parts of Gravity: commands, event payloads and errors, one package
per service. Importing this package registers every event contract, so any process can read
any event.
"""

from shared.contracts import placement as placement
from shared.contracts import recruitment as recruitment
from shared.contracts.registry import CONTRACTS, ContractRegistry, UnknownEventTypeError

__all__ = ["CONTRACTS", "ContractRegistry", "UnknownEventTypeError"]
