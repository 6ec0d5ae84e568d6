"""Event payload contracts: one marshmallow schema per (event type, schema version).

Importing this package registers every contract, so any process can read any event.
"""

from shared.contracts import placement as placement
from shared.contracts import recruitment as recruitment
from shared.contracts.registry import CONTRACTS, ContractRegistry, UnknownEventTypeError

__all__ = ["CONTRACTS", "ContractRegistry", "UnknownEventTypeError"]
