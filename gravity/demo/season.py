"""The placement half of the demo: two-way selection through to 74 started placements."""

from __future__ import annotations

import hashlib
import random
from datetime import UTC, datetime, timedelta
from typing import Any

from tqdm import tqdm

from gravity.demo.client import DemoClient, DemoError
from gravity.demo.data import DOCUMENTS, GIVEN, HOST_UNITS, POSITIONS, SEATS, SURNAMES
from gravity.demo.ids import demo_record_id
from shared.config import Settings


class Season:
    """The placement half of the demo: two-way selection through to 74 started placements."""

    def __init__(
        self, client: DemoClient, settings: Settings, campaign_id: str, approved: dict[str, Any]
    ) -> None:
        self.client, self.settings, self.campaign_id = client, settings, campaign_id
        self.approved = approved  # student id -> registration (for the insured person's name)
        self.rng = random.Random(2023)
        self.today = datetime.now(UTC).date()
        self.ends_on = self.today + timedelta(days=41)
        self.tokens: dict[str, str] = {}
        self.unit_of: dict[str, str] = {}  # position id -> host unit id
        self.choices: dict[str, list[str]] = {}
        self.units: dict[str, str] = {}  # host unit name -> id, once registered
        self.report_path = f"/campaigns/{campaign_id}/placements/report"

    def token(self, role: str, subject: str) -> str:
        from gateway.core.tokens import issue_token

        if subject not in self.tokens:
            self.tokens[subject] = issue_token(self.settings, role, subject, ttl_seconds=4 * 3600)
        return self.tokens[subject]

    def run(self) -> None:
        units = self.register_host_units()
        self.post_positions(units)
        self.rank_both_ways()
        proposal = self.client.post(f"/campaigns/{self.campaign_id}/matching-rounds")
        published = self.client.post(f"/matching-rounds/{proposal['round_id']}/publication")
        agreed = [self.confirm(offer) for offer in tqdm(published["offers"], desc="confirming")]
        direct = self.place_leftovers(proposal)
        self.publish_documents()
        for placement in tqdm(agreed + direct, desc="readying", unit="placement"):
            self.ready_and_start(placement)
        report = self.client.wait_for(
            self.report_path,
            lambda r: r["agreements"] == len(self.approved) and r["started"] == r["agreements"],
            "every placement to show as started",
        )
        print(
            f"two-way selection: {len(units)} host units, {len(self.unit_of)} positions "
            f"({sum(SEATS)} seats); round {proposal['round_id'][:8]} "
            f"{'stable' if proposal['stable'] else 'UNSTABLE'}: {len(agreed)} matched and "
            f"confirmed by both sides, {len(direct)} placed directly"
        )
        print(
            f"placements: {report['agreements']} agreements at {report['host_units_involved']} "
            f"host units, {report['started']} started; positions filled "
            f"{report['positions']['filled']}, still open {report['positions']['open']}; "
            f"insured {report['insured_rate']:.0%}, trained {report['trained_rate']:.0%}, "
            f"signed {report['signed_rate']:.0%}"
        )

    def register_host_units(self) -> list[str]:
        units = []
        for index, (name, kind, township) in enumerate(HOST_UNITS):
            unit = {
                "host_unit_id": demo_record_id(self.campaign_id, "host-unit", index),
                "name": name,
                "kind": kind,
                "township": township,
                "contact_person": self.rng.choice(SURNAMES) + self.rng.choice(GIVEN),
                "contact_phone": f"0371-6{self.rng.randint(0, 9_999_999):07d}",
            }
            units.append(self.client.post("/host-units", unit)["host_unit_id"])
            self.units[name] = units[-1]
        return units

    def post_positions(self, units: list[str]) -> None:
        for index, seats in enumerate(SEATS):
            unit = units[index // 2]
            title, duties = POSITIONS[(index * 3) % len(POSITIONS)]
            position = {
                "campaign_id": self.campaign_id,
                "title": title,
                "duties": duties,
                "capacity": seats,
                "starts_on": self.today.isoformat(),
                "ends_on": self.ends_on.isoformat(),
                "place": HOST_UNITS[index // 2][0],
                "requirements": "home-district student; available for six weeks",
            }
            token = self.token("host_unit", unit)
            posted = self.client.post(f"/host-units/{unit}/positions", position, token)
            self.unit_of[posted["position_id"]] = unit

    def rank_both_ways(self) -> None:
        now = datetime.now(UTC)
        window = {
            "opens_at": (now - timedelta(minutes=1)).isoformat(),
            "closes_at": (now + timedelta(days=14)).isoformat(),
            "max_choices": 5,
        }
        self.client.post(f"/campaigns/{self.campaign_id}/selection-window", window)
        everyone = len(self.approved)
        self.client.wait_for(
            self.report_path, lambda r: r["candidates"] == everyone, "the approved candidates"
        )
        campaign = f"/campaigns/{self.campaign_id}/students"
        for student_id in tqdm(self.approved, desc="students ranking", unit="student"):
            # In the order posted, not by id: the season must not hang on the ids the
            # services make up, so that every run reaches the same matching.
            chosen = self.rng.sample(list(self.unit_of), 5)
            self.choices[student_id] = chosen
            token = self.token("student", student_id)
            self.client.put(f"{campaign}/{student_id}/ranking", {"position_ids": chosen}, token)
        self.client.wait_for(
            self.report_path, lambda r: r["students_ranked"] == everyone, "every ranking"
        )
        for position_id, unit in tqdm(self.unit_of.items(), desc="units ranking", unit="position"):
            token = self.token("host_unit", unit)
            found = self.client.get(f"/positions/{position_id}/applicants", token)["applicants"]
            if found:
                applicants = sorted(a["student_id"] for a in found)
                order = sorted(applicants, key=lambda _: self.rng.random())
                ranking = {"student_ids": order, "unacceptable": []}
                self.client.put(f"/positions/{position_id}/applicant-ranking", ranking, token)

    def confirm(self, offer: dict[str, Any]) -> dict[str, Any]:
        path = f"/placements/{offer['placement_id']}/confirmation"
        self.client.post(path, token=self.token("student", offer["student_id"]))
        self.client.post(path, token=self.token("host_unit", self.unit_of[offer["position_id"]]))
        return offer

    def place_leftovers(self, proposal: dict[str, Any]) -> list[dict[str, Any]]:
        """Whom the round left without a seat gets one directly: a chosen one if still free."""
        free = dict(proposal["unfilled"])
        placed = []
        for student_id in sorted(proposal["unmatched"]):
            wanted = [pid for pid in self.choices[student_id] if free.get(pid, 0) > 0]
            position_id = (wanted or [pid for pid in self.unit_of if free.get(pid, 0) > 0])[0]
            free[position_id] -= 1
            body = {
                "student_id": student_id,
                "position_id": position_id,
                "reason": "every chosen position was full after the matching round",
            }
            placed.append(self.client.post("/placements", body))
        return placed

    def document_text(self, kind: str) -> bytes:
        return f"{kind} of the Gravity Plan, {self.today.year} edition".encode()

    def publish_documents(self) -> None:
        """The committee publishes this year's notice and commitment for students to sign."""
        for kind in DOCUMENTS:
            text = self.document_text(kind).decode()
            version = {"document_kind": kind, "version": f"{self.today.year}.1", "text": text}
            try:
                self.client.post("/documents", version)
            except DemoError as error:
                if error.status != 409:  # published by an earlier demo this year: the same text
                    raise

    def ready_and_start(self, placement: dict[str, Any]) -> None:
        path = f"/placements/{placement['placement_id']}"
        unit = self.token("host_unit", self.unit_of[placement["position_id"]])
        student = self.token("student", placement["student_id"])
        insurance = {
            "insurer": "PICC District Branch",
            "policy_number": f"PA-{self.today.year}-{self.rng.randint(0, 999_999):06d}",
            "insured_person": self.approved[placement["student_id"]]["name"],
            "covers_from": (self.today - timedelta(days=1)).isoformat(),
            "covers_until": (self.ends_on + timedelta(days=1)).isoformat(),
        }
        self.client.post(f"{path}/insurance", insurance, unit)
        training = {
            "session": "pre-job training, district youth league",
            "attended_on": str(self.today),
        }
        self.client.post(f"{path}/training", training)
        for kind in DOCUMENTS:
            document = {
                "document_kind": kind,
                "version": f"{self.today.year}.1",
                "content_hash": "sha256:" + hashlib.sha256(self.document_text(kind)).hexdigest(),
            }
            self.client.post(f"{path}/documents", document, student)
        self.client.post(f"{path}/start", {"started_on": self.today.isoformat()}, unit)
