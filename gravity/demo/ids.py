"""Ids of the demo's records: derived from their names, so that a second run meets the first
and every run reaches the same matching and the same figures."""

from __future__ import annotations

import uuid

DEMO_NAMESPACE = uuid.UUID("0b6e1b7c-5f0e-4f53-9d7e-1f3c2a9b8d41")


def demo_campaign_id(year: int) -> str:
    """The demo season's campaign id: the same for every run in ``year``."""
    return str(uuid.uuid5(DEMO_NAMESPACE, f"gravity-demo-campaign-{year}"))


def demo_record_id(campaign_id: str, kind: str, index: int) -> str:
    """The id of the demo season's ``index``-th record of ``kind`` (student, host unit)."""
    return str(uuid.uuid5(DEMO_NAMESPACE, f"{campaign_id}:{kind}:{index}"))
