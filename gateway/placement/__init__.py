"""Placement in the gateway (being moved onto the kit: read side only for now)."""
