"""The demo's registration generator: valid bodies, and no ID number twice in one run."""

from gravity.demo.data import registrations
from shared.resident_id import canonical_resident_id


def test_every_body_has_a_valid_and_distinct_id_number() -> None:
    # 20,000 draws from 1.8 million birth-date x sequence codes repeat ~110 times by chance.
    bodies = list(registrations(20_000, seed=7))
    id_numbers = [body["id_number"] for body in bodies]
    assert len(set(id_numbers)) == len(id_numbers)
    assert all(canonical_resident_id(number) == number for number in id_numbers[:500])


def test_the_same_seed_gives_the_same_bodies() -> None:
    assert list(registrations(50, seed=2023)) == list(registrations(50, seed=2023))
