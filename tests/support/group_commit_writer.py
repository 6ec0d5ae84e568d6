"""Registers students without end from many green threads, as recruitment's workers would,
and prints each registration's student id once its command has answered (acknowledged).

    python -m tests.support.group_commit_writer DATABASE_URL

tests/integration/test_group_commit_crash.py kills it with SIGKILL mid-run.
"""

from __future__ import annotations

import eventlet

eventlet.monkey_patch()

import itertools  # noqa: E402 - after monkey_patch, as in every service process
import sys  # noqa: E402

from sqlalchemy.orm import sessionmaker  # noqa: E402

from services.recruitment.handlers import HANDLERS as RECRUITMENT  # noqa: E402
from shared.contracts.recruitment.commands import OpenCampaign  # noqa: E402
from shared.domain import CommandContext  # noqa: E402
from shared.eventstore.database import create_database_engine  # noqa: E402
from shared.eventstore.stream_cache import StreamCache  # noqa: E402
from shared.eventstore.uow import UnitOfWork  # noqa: E402
from shared.logging import configure_logging  # noqa: E402
from shared.migrations import upgrade_to_head  # noqa: E402
from shared.resident_id import check_character  # noqa: E402
from tests.factories import make_application, make_campaign_plan, recruitment_keepers  # noqa: E402
from tests.integration.test_taken_ids import IN_WINDOW  # noqa: E402

CLIENTS = 16
HANDLERS = RECRUITMENT.with_group_commit()


def main() -> None:
    url = sys.argv[1]
    configure_logging("writer", level="warning")
    upgrade_to_head(url, "services.recruitment.migrations")
    sessions = sessionmaker(create_database_engine(url, green=True))
    keepers, cache = recruitment_keepers(), StreamCache()

    def unit_of_work(context: CommandContext) -> UnitOfWork:
        return UnitOfWork(
            sessions,
            "recruitment",
            context,
            keepers=keepers,
            clock=lambda: IN_WINDOW,
            stream_cache=cache,
        )

    def run(command: object) -> dict[str, object]:
        context = CommandContext("operator:op-1", "corr-crash")
        return HANDLERS.run(command, unit_of_work, context)  # type: ignore[arg-type,return-value]

    plan = make_campaign_plan()
    run(plan)
    run(OpenCampaign(campaign_id=plan.campaign_id))
    numbers = itertools.count()

    def client() -> None:
        while True:
            seed = next(numbers)
            first = f"4101022003{seed // 28 % 12 + 1:02d}{seed % 28 + 1:02d}{seed // 336:03d}"
            application = make_application(
                campaign_id=plan.campaign_id, id_number=first + check_character(first)
            )
            answer = run(application)
            sys.stdout.write(f"{answer['student_id']}\n")
            sys.stdout.flush()

    pool = eventlet.GreenPool(CLIENTS)
    for _ in range(CLIENTS):
        pool.spawn(client)
    pool.waitall()


if __name__ == "__main__":
    main()
