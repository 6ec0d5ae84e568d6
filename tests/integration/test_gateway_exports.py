"""Exports through the real gateway over HTTP, on SQLite and PostgreSQL read models: CSV that
Excel opens as Chinese (a BOM) with formulas defused, XLSX that reads back the same rows,
personal columns for operators only, a host unit's own placements, refusals, and a large
export that leaves in chunks while its later rows are still being read."""

from __future__ import annotations

import csv
import io
import json
import socket
import urllib.parse
import uuid
from typing import Any

import openpyxl
import requests
import sqlalchemy as sa
from structlog.testing import capture_logs

from gateway.core.tokens import issue_token
from gateway.honors.tables import appointments, awards
from gateway.recruitment.tables import students
from gateway.volunteering.tables import activities, hours
from shared.eventstore.database import create_database_engine
from shared.eventstore.tables import events
from tests.integration.test_gateway_api import NAME, PHONE, make_registration
from tests.integration.test_gateway_api import wait_for as wait_until
from tests.integration.test_gateway_lists import listed_count, open_campaign, register
from tests.integration.test_gateway_placement import (
    PlacementStack,
    a_selection,
    settings,
    stack,
    wait_for_round,
)

__all__ = ["settings", "stack"]  # the placement tests' fixtures, used here as they are
BOM = b"\xef\xbb\xbf"
PERSONAL = {"name", "phone", "id_number"}
FORMULA = '=HYPERLINK("http://example.invalid/?leak","click")'
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def export(stack: PlacementStack, campaign_id: str, file: str, who: str = "operator") -> Any:
    answer = stack.call("GET", f"/campaigns/{campaign_id}/exports/{file}", who)
    assert answer.status_code == 200, (file, answer.text)
    return answer


def as_role(stack: PlacementStack, role: str, campaign_id: str, file: str) -> Any:
    token = issue_token(stack.settings, role, str(uuid.uuid4()))
    return requests.get(
        f"{stack.url}/api/v1/campaigns/{campaign_id}/exports/{file}",
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )


def accesses(stack: PlacementStack) -> list[tuple[str, dict[str, Any]]]:
    """The exports the gateway recorded as accesses, its own events (who, and the payload), in
    order. Profile reads and list pages are access records too (docs/privacy.md): left out."""
    engine = create_database_engine(stack.settings.database_url("gateway"))
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                sa.select(events.c.actor, events.c.payload, events.c.producer)
                .where(events.c.event_type == "PersonalDataAccessed")
                .order_by(events.c.seq)
            ).all()
    finally:
        engine.dispose()
    assert {row.producer for row in rows} <= {"gateway"}
    exports = []
    for row in rows:
        payload = json.loads(row.payload)
        if payload["purpose"] == "export":
            assert payload.pop("subject_id") is None  # an export names no one
            exports.append((row.actor, payload))
    return exports


def csv_rows(answer: Any) -> list[dict[str, str]]:
    assert answer.content.startswith(BOM)
    assert answer.headers["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig"), newline="")))


def xlsx_rows(answer: Any) -> list[dict[str, Any]]:
    assert answer.headers["Content-Type"] == XLSX
    book = openpyxl.load_workbook(io.BytesIO(answer.content), read_only=True)
    sheet = book.worksheets[0]
    header, *rows = sheet.iter_rows(values_only=True)
    return [dict(zip(header, row, strict=True)) for row in rows]


def test_an_operator_exports_registrations_as_csv_and_xlsx_with_names_and_defused_formulas(
    stack: PlacementStack,
) -> None:
    campaign_id = open_campaign(stack)
    registered = [
        register(stack, campaign_id, 1),
        register(stack, campaign_id, 2, name="王芳", major=FORMULA),
        register(stack, campaign_id, 3, name="李雷", hometown="+86 Beiguan Town"),
    ]
    register(stack, open_campaign(stack), 4)  # another campaign's student is not exported
    wait_until(lambda: listed_count(stack, campaign_id), lambda count: count == 3)

    with capture_logs() as logs:
        answer = export(stack, campaign_id, "students.csv")
        wait_until(lambda: [line["event"] for line in logs], lambda seen: "export.sent" in seen)
    personal = (NAME, "王芳", PHONE, make_registration(1)["id_number"])
    assert all(value not in str(logs) for value in personal)  # logged, but not the data
    rows = csv_rows(answer)
    assert [row["student_id"] for row in rows] == registered  # registration order
    assert [row["name"] for row in rows] == [NAME, "王芳", "李雷"]
    assert (rows[0]["phone"], rows[0]["university"]) == (PHONE, "Henan University")
    assert rows[0]["id_number"] == make_registration(1)["id_number"]
    assert rows[1]["major"] == "'" + FORMULA
    assert rows[2]["hometown"] == "'+86 Beiguan Town"
    assert not any(value.startswith(("=", "+", "-", "@")) for row in rows for value in row.values())
    disposition = answer.headers["Content-Disposition"]
    assert disposition.startswith(f'attachment; filename="students-{campaign_id}.csv"; ')
    encoded = disposition.split("filename*=UTF-8''", 1)[1]
    assert urllib.parse.unquote(encoded).endswith("-报名学生.csv")
    assert answer.headers["Cache-Control"] == "no-store"

    workbook = export(stack, campaign_id, "students.xlsx")
    assert workbook.headers["Content-Disposition"].endswith(".xlsx")
    cells = xlsx_rows(workbook)
    assert [row["student_id"] for row in cells] == registered
    assert [row["name"] for row in cells] == [NAME, "王芳", "李雷"]
    assert cells[1]["major"] == FORMULA  # a text cell: openpyxl would show a formula as such
    assert cells[0]["id_number"] == make_registration(1)["id_number"]  # text, not a number
    assert set(cells[0]) == set(rows[0])

    recorded = accesses(stack)
    assert recorded == [
        (
            "operator:op-1",
            {
                "purpose": "export",
                "resource": f"campaign/{campaign_id}/students.{extension}",
                "subject_count": 3,
            },
        )
        for extension in ("csv", "xlsx")
    ]
    assert NAME not in str(recorded)


def test_auditors_export_without_personal_columns_and_students_may_not_export(
    stack: PlacementStack,
) -> None:
    campaign_id = open_campaign(stack)
    student_id = register(stack, campaign_id, 1)
    wait_until(lambda: listed_count(stack, campaign_id), lambda count: count == 1)

    audited = as_role(stack, "auditor", campaign_id, "students.csv")
    assert audited.status_code == 200
    rows = csv_rows(audited)
    assert [row["student_id"] for row in rows] == [student_id]
    assert not PERSONAL & set(rows[0])
    assert NAME not in audited.content.decode("utf-8-sig")
    sheet = as_role(stack, "auditor", campaign_id, "students.xlsx")
    assert not PERSONAL & set(xlsx_rows(sheet)[0])

    for file in ("students.csv", "placements.xlsx", "awards.csv"):
        refused = as_role(stack, "student", campaign_id, file)
        assert (refused.status_code, refused.json()["error"]) == (403, "FORBIDDEN"), file
    assert as_role(stack, "host_unit", campaign_id, "students.csv").status_code == 403
    unknown = stack.call("GET", f"/campaigns/{uuid.uuid4()}/exports/students.csv")
    assert (unknown.status_code, unknown.json()["error"]) == (404, "NOT_FOUND")
    anonymous = requests.get(
        f"{stack.url}/api/v1/campaigns/{campaign_id}/exports/students.csv", timeout=10
    )
    assert anonymous.status_code == 401
    assert stack.call("GET", f"/campaigns/{campaign_id}/exports/students.pdf").status_code == 404
    recorded = accesses(stack)  # the two auditor's exports; the refusals recorded nothing
    assert [(actor.split(":")[0], payload["resource"]) for actor, payload in recorded] == [
        ("auditor", f"campaign/{campaign_id}/students.csv"),
        ("auditor", f"campaign/{campaign_id}/students.xlsx"),
    ]


def test_a_host_unit_exports_only_the_placements_at_itself_without_names(
    stack: PlacementStack,
) -> None:
    offers = a_selection(stack)
    wait_for_round(stack, offers)
    ids, campaign_id = stack.ids, stack.ids["campaign"]
    path = f"/campaigns/{campaign_id}/placements"
    wait_until(lambda: stack.ok("GET", path)["items"], lambda items: len(items) == 3)

    everything = csv_rows(export(stack, campaign_id, "placements.csv"))
    assert {row["placement_id"] for row in everything} == set(offers.values())
    assert {row["student_name"] for row in everything} == {NAME}
    by_student = {row["student_id"]: row for row in everything}
    assert by_student[ids["s1"]]["host_unit"] == "Beiguan Town Government"
    assert by_student[ids["s2"]]["position"] == "Position pa"
    assert by_student[ids["s2"]]["status"] == "offered"

    own = csv_rows(export(stack, campaign_id, "placements.csv", "unit_a"))
    assert sorted(row["placement_id"] for row in own) == sorted(
        [offers[ids["s2"]], offers[ids["s3"]]]
    )
    assert "student_name" not in own[0]
    other = xlsx_rows(export(stack, campaign_id, "placements.xlsx", "unit_b"))
    assert [row["placement_id"] for row in other] == [offers[ids["s1"]]]
    assert NAME not in str(other)
    unit_b_access = accesses(stack)[-1]
    assert unit_b_access == (
        f"host_unit:{ids['unit_b']}",
        {
            "purpose": "export",
            "resource": f"campaign/{campaign_id}/placements.xlsx",
            "subject_count": 1,
        },
    )
    assert (
        stack.call("GET", f"/campaigns/{campaign_id}/exports/hours.csv", "unit_a").status_code
        == 403
    )


def test_hours_and_honours_are_exported_from_their_read_models(stack: PlacementStack) -> None:
    campaign_id = open_campaign(stack)
    student_id = register(stack, campaign_id, 1)
    wait_until(lambda: listed_count(stack, campaign_id), lambda count: count == 1)
    activity_id, stamp = str(uuid.uuid4()), "2026-07-10T08:00:00Z"
    engine = create_database_engine(stack.settings.database_url("gateway"))
    try:
        with engine.begin() as connection:
            connection.execute(sa.insert(activities), [an_activity(activity_id, campaign_id)])
            connection.execute(
                sa.insert(hours),
                [
                    {
                        "hours_id": str(uuid.uuid4()),
                        "activity_id": activity_id,
                        "student_id": student_id,
                        "campaign_id": campaign_id,
                        "minutes": 90 * number,
                        "status": "approved",
                        "note": "-taught paper-cutting" if number == 1 else "剪纸课",
                        "logged_at": f"2026-07-1{number}T09:00:00Z",
                        "updated_at": stamp,
                    }
                    for number in (1, 2)
                ],
            )
            connection.execute(sa.insert(awards), [an_award(student_id, campaign_id)])
            connection.execute(sa.insert(appointments), [an_appointment(student_id, campaign_id)])
    finally:
        engine.dispose()

    logged = csv_rows(export(stack, campaign_id, "hours.csv"))
    assert [(row["minutes"], row["note"]) for row in logged] == [
        ("90", "'-taught paper-cutting"),
        ("180", "剪纸课"),
    ]
    assert (logged[0]["student_name"], logged[0]["activity"]) == (NAME, "暑托班 书法课堂")
    sheet = xlsx_rows(export(stack, campaign_id, "hours.xlsx"))
    assert [row["minutes"] for row in sheet] == [90, 180]  # numbers stay numbers

    honoured = csv_rows(export(stack, campaign_id, "awards.csv"))
    assert [(row["holder_name"], row["title_name"], row["serial"]) for row in honoured] == [
        (NAME, "先进个人", "ADV-2026-0001")
    ]
    audited = csv_rows(as_role(stack, "auditor", campaign_id, "awards.csv"))
    assert ("holder_name" in audited[0], audited[0]["serial"]) == (False, "ADV-2026-0001")
    letters = xlsx_rows(export(stack, campaign_id, "appointments.xlsx"))
    assert [(row["holder_name"], row["committee"]) for row in letters] == [(NAME, "团区委")]
    assert (
        "holder_name"
        not in xlsx_rows(as_role(stack, "auditor", campaign_id, "appointments.xlsx"))[0]
    )


def test_a_large_export_leaves_in_chunks_while_its_later_rows_are_still_read(
    stack: PlacementStack,
) -> None:
    """5,000 registrations of about 3 KB each (15 MB, far more than the sockets buffer): the
    client reads the first bytes, then a registration is written that sorts last; it is in
    the export, so the rows were still being read after the first ones had left."""
    campaign_id = open_campaign(stack)
    campaign_path = f"/campaigns/{campaign_id}"
    wait_until(lambda: stack.call("GET", campaign_path).status_code, lambda status: status == 200)
    engine = create_database_engine(stack.settings.database_url("gateway"))
    reason = "考察合格 " * 250
    try:
        with engine.begin() as connection:
            connection.execute(
                sa.insert(students),
                [a_student(campaign_id, number, reason) for number in range(5000)],
            )
        token = issue_token(stack.settings, "operator", "op-1")
        path = f"/api/v1/campaigns/{campaign_id}/exports/students.csv"
        with socket.socket() as client:
            client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
            client.settimeout(60)
            client.connect(("127.0.0.1", stack.settings.gateway_port))
            client.sendall(
                f"GET {path} HTTP/1.1\r\nHost: gravity\r\nAuthorization: Bearer {token}\r\n"
                "Connection: close\r\n\r\n".encode()
            )
            reader = client.makefile("rb")
            head = read_head(reader)
            first = [read_chunk(reader), read_chunk(reader)]
            late = a_student(campaign_id, 9999, "late") | {
                "student_id": str(uuid.uuid4()),
                "registered_at": "2999-01-01T00:00:00Z",
            }
            with engine.begin() as connection:
                connection.execute(sa.insert(students), [late])
            chunks = first + list(iter(lambda: read_chunk(reader), b""))
    finally:
        engine.dispose()

    assert head["transfer-encoding"] == "chunked"
    assert "content-length" not in head
    assert len(chunks) >= 10  # a chunk per batch of 500 rows (the header line goes with the first)
    body = b"".join(chunks)
    assert body.startswith(BOM)
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    assert len(rows) == 5001
    assert rows[-1]["student_id"] == late["student_id"]
    assert len({row["student_id"] for row in rows}) == 5001


def read_head(reader: Any) -> dict[str, str]:
    status = reader.readline()
    assert status.startswith(b"HTTP/1.1 200"), status
    headers: dict[str, str] = {}
    while (line := reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    return headers


def read_chunk(reader: Any) -> bytes:
    """One chunk of a chunked body; empty at its end."""
    size = int(reader.readline().split(b";")[0], 16)
    data = reader.read(size)
    assert reader.read(2) == b"\r\n"
    return bytes(data)


def a_student(campaign_id: str, number: int, reason: str) -> dict[str, Any]:
    return {
        "student_id": str(uuid.uuid4()),
        "campaign_id": campaign_id,
        "name": f"学生{number}",
        "phone": PHONE,
        "id_number": make_registration(1)["id_number"],
        "university": "Henan University",
        "major": "Law",
        "grade": "junior",
        "hometown": "Beiguan Town",
        "channel": "organisation",
        "status": "approved",
        "screening_decision": "approved",
        "screening_reason": reason,
        "in_alliance": False,
        "registered_at": f"2026-06-01T08:00:00.{number:06d}Z",
        "updated_at": "2026-06-01T08:00:00Z",
    }


def an_activity(activity_id: str, campaign_id: str) -> dict[str, Any]:
    return {
        "activity_id": activity_id,
        "campaign_id": campaign_id,
        "title": "暑托班 书法课堂",
        "kind": "classroom",
        "subject": "calligraphy",
        "place": "Xiangyang Street community centre",
        "starts_at": "2026-07-10T08:00:00Z",
        "ends_at": "2026-07-10T10:00:00Z",
        "capacity": 10,
        "coordinator": "周敏",
        "status": "scheduled",
        "scheduled_at": "2026-07-01T08:00:00Z",
        "updated_at": "2026-07-01T08:00:00Z",
    }


def an_award(student_id: str, campaign_id: str) -> dict[str, Any]:
    return {
        "award_id": str(uuid.uuid4()),
        "student_id": student_id,
        "campaign_id": campaign_id,
        "title_code": "ADV",
        "title_name": "先进个人",
        "citation": "taught 40 children calligraphy",
        "holder_name": NAME,
        "status": "granted",
        "serial": "ADV-2026-0001",
        "issued_at": "2026-08-30T08:00:00Z",
        "nominated_at": "2026-08-20T08:00:00Z",
        "updated_at": "2026-08-30T08:00:00Z",
    }


def an_appointment(student_id: str, campaign_id: str) -> dict[str, Any]:
    return {
        "appointment_id": str(uuid.uuid4()),
        "serial": "APT-2026-0001",
        "student_id": student_id,
        "campaign_id": campaign_id,
        "committee": "团区委",
        "term_starts_on": "2026-09-01",
        "term_ends_on": "2027-08-31",
        "holder_name": NAME,
        "status": "active",
        "issued_at": "2026-08-30T08:00:00Z",
        "updated_at": "2026-08-30T08:00:00Z",
    }
