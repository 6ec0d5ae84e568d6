"""The read models' projector as a process of its own (``python -m gateway.projector``).

It follows the event log (``gateway.core.subscription``), asks the key owners for their new
keys ahead of it (``gateway.core.keys_ahead``) and writes the read models and their
checkpoint into the gateway's database, which the gateway reads. Out of the gateway's
process, its database waits and its batches' CPU no longer hold up the gateway's requests,
and one projector can serve several gateways (docs/operations.md, "The projector").
"""
