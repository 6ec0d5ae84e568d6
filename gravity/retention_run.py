"""``gravity privacy retention [--dry-run]``: list (and, without ``--dry-run``, erase) what the
retention schedule (``gravity.retention``) says is due; and the daily run under ``gravity up``.

Erasure goes through recruitment's ``erase_student`` command over RPC, the same command the
gateway's erasure route sends, naming the field classes due (``field_classes``: the ID
number's, the phone's): the student's keys of those classes are destroyed, ``SubjectErased``
is logged with them and the reason ``retention: <rules>``, and every other component destroys
its keys of those classes when it consumes that event; the other fields stay readable until
their own rule is due. Asked again for classes erased already, the command answers the same
and records nothing, so a run that stopped half-way is simply run again.
"""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime

import sqlalchemy as sa

from gateway.placement.tables import placements
from gravity.retention import EVENT_TYPES, Facts, FieldDue, due_fields, retention_days, schedule
from shared.config import ConfigError, Settings
from shared.eventlog.reader import EventLogReader
from shared.events.canonical import format_timestamp, parse_timestamp
from shared.eventstore.database import create_database_engine
from shared.privacy.classes import field_class

ACTOR = "system:retention"
RUNNING = ("agreed", "started")  # placement statuses the erasure route waits for
PAGE = 1000
DAY_SECONDS = 24 * 3600


def read_facts(settings: Settings) -> Facts:
    """Fold the log's campaign, registration, alliance and erasure events, in log order."""
    engine = create_database_engine(settings.database_url("eventlog"), reader=True)
    reader, facts = EventLogReader(engine), Facts()
    try:
        entries = []
        for event_type in EVENT_TYPES:
            position = 0
            while page := reader.read_after(position, PAGE, event_type=event_type):
                entries += page
                position = page[-1].position
        for entry in sorted(entries, key=lambda entry: entry.position):
            facts.take(entry.envelope)
    finally:
        engine.dispose()
    return facts


def run_retention(settings: Settings, *, dry_run: bool, now_text: str | None = None) -> int:
    """Print each due field (subject, field, rule, due time; never a value), then erase each
    of them, unless ``dry_run``: a student's due fields in one erasure, the fields not yet due
    kept. Exit 0, or 1 if an erasure failed, 2 on a malformed schedule or ``--now``."""
    try:
        days = retention_days(settings.retention)
        now = parse_timestamp(now_text) if now_text else datetime.now(UTC)
    except (ConfigError, ValueError) as error:
        print(f"gravity privacy retention: {error}", file=sys.stderr)
        return 2
    if not days:
        print("retention: no rule is on (retention settings); nothing is due")
        return 0
    try:
        facts = read_facts(settings)
    except sa.exc.DBAPIError as error:  # the class only: a driver's message may quote rows
        print(
            f"gravity privacy retention: cannot read the event log ({type(error.orig).__name__}); "
            "is the suite migrated (gravity migrate)?",
            file=sys.stderr,
        )
        return 2
    fields_due = schedule(facts, days, now)
    due = due_fields(fields_due, now)
    running = _running_placements(settings, list(due))
    due = {subject: items for subject, items in due.items() if subject not in running}
    for items in due.values():
        for item in items:
            when = format_timestamp(item.due_at) if item.due_at else "-"
            print(f"{item.subject_id}  {item.field}  {item.rule}={item.days}  due {when}")
    for subject in sorted(running):  # the erasure route refuses these too (409)
        print(f"{subject}  waits: a placement of the student is agreed or started")
    fields = sum(len(items) for items in due.values())
    waiting = len(fields_due) - fields - sum(i.subject_id in running for i in fields_due)
    verb = "would be erased" if dry_run else "to erase"
    print(
        f"retention as of {format_timestamp(now)}: {fields} field(s) of {len(due)} student(s) "
        f"{verb} (each field class on its own rule), {waiting} field(s) not yet due"
    )
    if dry_run or not due:
        return 0
    return _erase(settings, due)


def _running_placements(settings: Settings, subjects: list[str]) -> set[str]:
    """The students among ``subjects`` with an agreed or started placement (the gateway's read
    model, as the erasure route checks it): the data is still needed, so they wait."""
    if not subjects:
        return set()
    engine = create_database_engine(settings.database_url("gateway"), reader=True)
    try:
        with engine.connect() as connection:
            found = connection.execute(
                sa.select(placements.c.student_id).where(
                    placements.c.status.in_(RUNNING), placements.c.student_id.in_(subjects)
                )
            ).scalars()
            return set(found)
    finally:
        engine.dispose()


def _erase(settings: Settings, due: dict[str, list[FieldDue]]) -> int:
    from nameko.standalone.rpc import ClusterRpcProxy

    failed = 0
    config = {"AMQP_URI": settings.amqp_uri}
    with ClusterRpcProxy(config, timeout=settings.rpc_timeout) as cluster:
        for subject, items in due.items():
            context = {"actor": ACTOR, "correlation_id": str(uuid.uuid4())}
            command = {
                "student_id": subject,
                "reason": "retention: " + ", ".join(sorted({item.rule for item in items})),
                "field_classes": sorted({field_class(item.field) for item in items}),
            }
            names = " ".join(sorted(item.field for item in items))
            try:
                cluster.recruitment.erase_student(context, command)
            except Exception as error:  # a refusal or an outage: reported, the rest go on
                failed += 1
                print(f"{subject}  {names}  not erased: {type(error).__name__}", file=sys.stderr)
                continue
            print(f"{subject}  {names}  erased")
    return 1 if failed else 0


class DailyRetention:
    """``gravity up``'s daily run of ``gravity privacy retention`` as a child process: on in
    production unless ``retention.run_daily`` is false, off in development unless it is true
    (a demo season's dates are long past, so a development machine would erase it)."""

    def __init__(self, settings: Settings, environ: dict[str, str], first_delay: float) -> None:
        value = settings.retention.get("run_daily")  # YAML reads true/false as booleans
        configured = "" if value is None else str(value).strip().lower()
        self.enabled = configured in {"true", "yes", "1"} or (
            configured == "" and settings.is_production
        )
        self.environ = environ
        self.next_run = time.monotonic() + first_delay
        self.running: subprocess.Popen[bytes] | None = None

    def tick(self) -> None:
        """Start a run when one is due and none is running (called from the watch loop)."""
        if self.running is not None and self.running.poll() is not None:
            self.running = None
        if not self.enabled or self.running is not None or time.monotonic() < self.next_run:
            return
        self.next_run = time.monotonic() + DAY_SECONDS
        self.running = subprocess.Popen(
            [sys.executable, "-m", "gravity.cli", "privacy", "retention"], env=self.environ
        )

    def stop(self) -> None:
        if self.running is not None and self.running.poll() is None:
            self.running.terminate()
            self.running.wait(10)
