"""The auditor's part of the gateway: the event log, its checkpoints and proofs, read-only."""
