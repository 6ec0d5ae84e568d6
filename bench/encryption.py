"""The cost of sealing personal fields (docs/privacy.md): registrations through recruitment's
own handler and unit of work on a SQLite file, with per-subject encryption on beside off, in
alternating rounds of the same run; then the gateway's side, opening the stored events.

No broker and no gateway: what it measures is the work encryption adds (three data keys per
student, one per field class, made, wrapped and stored in one statement; three fields sealed;
the fields opened again), against a registration's whole command (contract, campaign, index,
events, outbox, fsynced commit).

    .venv/bin/python bench/encryption.py [--registrations 400] [--rounds 4]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker

from services.recruitment.adapters.indexes import ResidentIdIndex
from services.recruitment.domain.student import Student
from services.recruitment.handlers import HANDLERS
from shared.contracts.recruitment.commands import CreateCampaign, OpenCampaign, RegisterStudent
from shared.domain import CommandContext
from shared.eventstore.database import create_database_engine
from shared.eventstore.store import row_to_envelope
from shared.eventstore.tables import events
from shared.eventstore.uow import UnitOfWork
from shared.logging import configure_logging
from shared.lookup_digest import LookupDigest
from shared.migrations import upgrade_to_head
from shared.privacy.keystore import KeyStore
from shared.privacy.master_key import MasterKey
from shared.privacy.payloads import open_envelope, sealed_key_ids
from shared.resident_id import check_character

CONTEXT = CommandContext(actor="operator:bench", correlation_id="bench")


def resident_id(seed: int) -> str:
    first = f"410102{19900101 + seed % 28:08d}{seed % 1000:03d}"
    return first + check_character(first)


class Recruitment:
    """Recruitment's handlers on one database, with or without a key store."""

    def __init__(self, url: str, keys: KeyStore | None) -> None:
        self.engine = create_database_engine(url)
        self.sessions = sessionmaker(self.engine)
        self.keys = keys
        self.keepers = {Student: ResidentIdIndex(LookupDigest(b"bench-lookup-key" * 2))}

    def unit_of_work(self, context: CommandContext) -> UnitOfWork:
        return UnitOfWork(
            self.sessions, "recruitment", context, keepers=self.keepers, keys=self.keys
        )

    def run(self, command: object) -> None:
        HANDLERS.run(command, self.unit_of_work, CONTEXT)  # type: ignore[arg-type]

    def open_campaign(self) -> str:
        campaign_id = str(uuid.uuid4())
        now = datetime.now(UTC)
        self.run(
            CreateCampaign(
                campaign_id=campaign_id,
                name="bench",
                year=now.year,
                season="summer",
                registration_opens_at=now - timedelta(days=1),
                registration_closes_at=now + timedelta(days=1),
                scope="bench",
                practice_content="bench",
            )
        )
        self.run(OpenCampaign(campaign_id=campaign_id))
        return campaign_id


def register(
    recruitment: Recruitment, campaign_id: str, count: int, first: int
) -> tuple[float, float]:
    """Wall and CPU seconds for ``count`` registrations."""
    wall, cpu = time.perf_counter(), time.process_time()
    for seed in range(first, first + count):
        recruitment.run(
            RegisterStudent(
                student_id=str(uuid.uuid4()),
                campaign_id=campaign_id,
                name="欧阳明轩",
                phone="13700001234",
                id_number=resident_id(seed),
                university="Henan University",
                major="Law",
                grade="junior",
                hometown="Beiguan Town",
                channel="organisation",
            )
        )
    return time.perf_counter() - wall, time.process_time() - cpu


def open_all(recruitment: Recruitment, keys: KeyStore) -> tuple[int, float]:
    """CPU seconds to open every stored registration with a cold key cache (the gateway's
    side: the keys looked up together, three per student unwrapped, three fields opened)."""
    cold = KeyStore(keys.owner, keys.master)
    with recruitment.sessions() as session:
        rows = session.execute(sa.select(events).where(events.c.event_type == "StudentRegistered"))
        stored = [row_to_envelope(row) for row in rows]
        cpu = time.process_time()
        found = cold.lookup(session, sealed_key_ids(stored))
        for envelope in stored:
            open_envelope(envelope, found)
        return len(stored), time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--registrations", type=int, default=400, help="per round and mode")
    parser.add_argument("--rounds", type=int, default=4)
    options = parser.parse_args()
    configure_logging("bench", level="warning")  # a line per command would be measured too
    with tempfile.TemporaryDirectory() as folder:
        modes: dict[str, Recruitment] = {}
        for label, keys in (("off", None), ("on", KeyStore("recruitment", MasterKey.generate()))):
            url = f"sqlite:///{folder}/recruitment-{label}.db"
            upgrade_to_head(url, "services.recruitment.migrations")
            modes[label] = Recruitment(url, keys)
        campaigns = {label: r.open_campaign() for label, r in modes.items()}
        totals = {label: [0.0, 0.0] for label in modes}
        for round_number in range(options.rounds):
            order = ("off", "on") if round_number % 2 == 0 else ("on", "off")
            for label in order:
                first = round_number * options.registrations
                wall, cpu = register(modes[label], campaigns[label], options.registrations, first)
                totals[label][0] += wall
                totals[label][1] += cpu
        count = options.registrations * options.rounds
        print(f"{count} registrations per mode, {options.rounds} alternating rounds, SQLite")
        print(f"{'encryption':<12}{'registrations/s':>18}{'CPU ms/registration':>22}")
        for label, (wall, cpu) in totals.items():
            print(f"{label:<12}{count / wall:>18.1f}{cpu / count * 1000:>22.3f}")
        off, on = totals["off"], totals["on"]
        print(
            f"cost of encryption: throughput {1 - off[0] / on[0]:+.1%} slower, "
            f"CPU {on[1] / off[1] - 1:+.1%}"
        )
        keys = modes["on"].keys
        assert keys is not None
        opened, seconds = open_all(modes["on"], keys)
        print(
            f"opening (gateway side): {opened} registrations, "
            f"{seconds / opened * 1000:.3f} CPU ms each"
        )
        for recruitment in modes.values():
            recruitment.engine.dispose()


if __name__ == "__main__":
    main()
