"""What a key store says it made since a time (the keys a key request's ``since`` gets ahead):
the latest ones, oldest first, at most the limit asked for."""

from __future__ import annotations

import time

from shared.privacy.classes import FIELD_CLASSES
from tests.unit.test_privacy_sealing import key_store


def test_the_keys_made_since_a_time_are_the_later_ones_in_order_and_at_most_the_limit() -> None:
    store, engine = key_store()
    made: list[str] = []
    with engine.begin() as db:
        for number in range(4):
            subject = f"student-{number}"
            keys = store.key_for(db, subject, new=True).of_classes(FIELD_CLASSES)
            made += [keys[kind][0] for kind in FIELD_CLASSES]
            time.sleep(0.002)
    middle = store._made[6][0]
    assert store.made_since(middle, 100) == made[6:]
    assert store.made_since(middle, 4) == made[-4:]
    assert store.made_since(time.time() + 60, 100) == []
    assert store.made_since(0.0, 100) == made
