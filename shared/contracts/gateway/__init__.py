"""The gateway's contracts: the events it records itself (accounts, accesses to personal data).

The gateway is a producer like the services (``gateway.trail``): its events go through its own
outbox to ``gateway.events``, signed with the ``gateway`` producer key, into the event log.
"""

from shared.contracts.gateway import events

__all__ = ["events"]
