"""The gateway asks the key owners for their new keys on a timer of its own, so that a batch
of the read models finds its keys held and waits for no owner: a key made is held before the
event needing it is projected, a key whose command has not committed yet comes with a later
answer, and an answer that came before an erasure is not kept after it."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from gateway.core.keys_ahead import KeysAhead
from gateway.core.privacy import ReadModelKeys
from shared.events.envelope import Envelope
from shared.events.producer_keys import ProducerKeys, ProducerSigner
from shared.privacy.classes import FIELD_CLASSES
from shared.privacy.fetching import KeyFetcher
from shared.privacy.key_rows import metadata
from shared.privacy.keystore import KeyStore
from shared.privacy.master_key import MasterKey
from shared.privacy.payloads import envelope_key_ids, open_envelope, seal_envelope
from shared.privacy.sharing import (
    MAX_KEYS_PER_REQUEST,
    KeyRequester,
    answer_request,
    verified_request,
)
from tests.factories import make_subject_erased
from tests.unit.test_privacy_sealing import registration


class Recruitment:
    """The key owner: its key store in a database file (a reader sees committed keys only)."""

    def __init__(self, tmp_path: Path) -> None:
        self.engine = sa.create_engine(f"sqlite:///{tmp_path / 'recruitment.db'}")
        metadata.create_all(self.engine)
        self.store = KeyStore("recruitment", MasterKey.generate())

    def registered(self, student_id: str) -> Envelope:
        """A registration sealed with the student's new keys, committed."""
        with self.engine.begin() as db:
            return seal_envelope(
                registration(student_id=student_id),
                lambda subject, new: self.store.key_for(db, subject, new=new),
            )


class InProcessFetcher(KeyFetcher):
    """The gateway's fetcher with the owner answering in this process, through the real
    signed request and sealed answer; it keeps the key ids of every request."""

    def __init__(self, owner: Recruitment) -> None:
        signing_key = Ed25519PrivateKey.generate()
        requester = KeyRequester("gateway", ProducerSigner(signing_key))
        super().__init__(requester, "memory://", 1.0, ahead=True)
        self.owner = owner
        self.producers = ProducerKeys({"gateway": [signing_key.public_key()]})
        self.requests: list[list[str]] = []
        self.while_asked: Any = None  # what happens while a request is on its way

    def _call(self, owner: str, method: str, request: Any) -> Any:
        assert (owner, method) == ("recruitment", "share_subject_keys")
        self.requests.append(request["key_ids"])
        with self.owner.engine.connect() as db:
            answer = answer_request(db, self.owner.store, verified_request(request, self.producers))
        if self.while_asked is not None:
            self.while_asked()
        return answer


def gateway_keys(tmp_path: Path, owner: Recruitment) -> tuple[ReadModelKeys, InProcessFetcher]:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'gateway.db'}")
    metadata.create_all(engine)
    fetcher = InProcessFetcher(owner)
    return ReadModelKeys(engine, KeyStore("gateway", MasterKey.generate()), fetcher), fetcher


def erasure(student_id: str) -> Envelope:
    return make_subject_erased(student_id, student_id, 1)  # version 1: every class


def test_keys_made_are_held_before_their_event_is_projected_and_its_batch_asks_no_one(
    tmp_path: Path,
) -> None:
    recruitment = Recruitment(tmp_path)
    keys, fetcher = gateway_keys(tmp_path, recruitment)
    first = recruitment.registered("student-1")
    keys.prepare([first])  # the first batch asks for its keys: the owner is known from then
    second = recruitment.registered("student-2")
    asked = len(fetcher.requests)

    assert keys.ask_ahead() == len(FIELD_CLASSES)
    opened = open_envelope(second, keys.prepare([second]))

    assert fetcher.requests[asked:] == [[]]  # the timer's request, none from the batch
    assert opened.payload["name"] == "孙悦"


def test_a_batch_still_asks_for_a_key_the_timer_has_not_brought(tmp_path: Path) -> None:
    recruitment = Recruitment(tmp_path)
    keys, fetcher = gateway_keys(tmp_path, recruitment)
    keys.prepare([recruitment.registered("student-1")])
    later = recruitment.registered("student-2")

    opened = open_envelope(later, keys.prepare([later]))

    assert fetcher.requests[-1] == sorted(envelope_key_ids(later))
    assert opened.payload["name"] == "孙悦"


def test_a_key_whose_command_commits_after_an_answer_comes_with_the_next_answer(
    tmp_path: Path,
) -> None:
    recruitment = Recruitment(tmp_path)
    keys, fetcher = gateway_keys(tmp_path, recruitment)
    keys.prepare([recruitment.registered("student-1")])
    with recruitment.engine.begin() as db:  # a registration's command, not committed yet
        pending = seal_envelope(
            registration(student_id="student-2"),
            lambda subject, new: recruitment.store.key_for(db, subject, new=new),
        )
        assert keys.ask_ahead() == 0
    assert keys.ask_ahead() == len(FIELD_CLASSES)
    asked = len(fetcher.requests)

    assert open_envelope(pending, keys.prepare([pending])).payload["name"] == "孙悦"
    assert len(fetcher.requests) == asked


def test_keys_answered_before_an_erasure_are_not_kept_after_it(tmp_path: Path) -> None:
    recruitment = Recruitment(tmp_path)
    keys, fetcher = gateway_keys(tmp_path, recruitment)
    keys.prepare([recruitment.registered("student-1")])
    doomed = recruitment.registered("student-2")
    # The answer leaves the owner with student-2's live keys; before it is kept, the owner
    # erases the student and the read models apply the erasure.
    erased = erasure("student-2")

    def erase() -> None:
        fetcher.while_asked = None
        with recruitment.engine.begin() as db:
            recruitment.store.destroy(db, "student-2")
        keys.prepare([erased])

    fetcher.while_asked = erase
    keys.ask_ahead()

    assert keys.store.held(envelope_key_ids(doomed)) == {}
    with keys.engine.connect() as db:
        found = keys.store.lookup(db, envelope_key_ids(doomed))
    assert all(key.data_key is None for key in found.values())
    assert open_envelope(doomed, keys.prepare([doomed])).payload["name"] == "[erased]"


def test_the_timer_asks_again_soon_while_keys_come_and_seldom_while_none_do() -> None:
    came = iter([3, 3, 0, 0, 0, 2])
    pauses: list[float] = []
    ahead: KeysAhead

    class Keys:
        def ask_ahead(self) -> int:
            answer = next(came)
            if answer == 2:
                ahead.stop()
            return answer

    def sleep(seconds: float) -> None:
        pauses.append(seconds)

    ahead = KeysAhead(
        cast(ReadModelKeys, Keys()), pause_seconds=0.05, idle_seconds=0.15, sleep=sleep
    )
    ahead.run()

    assert pauses == [0.05, 0.05, 0.1, 0.15, 0.15, 0.05]


def test_a_batch_needing_more_keys_than_one_request_takes_asks_in_several(
    tmp_path: Path,
) -> None:
    recruitment = Recruitment(tmp_path)
    keys, fetcher = gateway_keys(tmp_path, recruitment)
    # A projector back after a while away: more registrations in one batch than one
    # request's key ids (three keys each) may name.
    students = MAX_KEYS_PER_REQUEST // len(FIELD_CLASSES) + 2
    backlog = [recruitment.registered(f"student-{n}") for n in range(students)]

    held = keys.prepare(backlog)

    asked = [ids for ids in fetcher.requests if ids]
    assert all(len(ids) <= MAX_KEYS_PER_REQUEST for ids in asked)
    assert len(asked) == 2
    assert sum(len(ids) for ids in asked) == students * len(FIELD_CLASSES)
    assert open_envelope(backlog[-1], held).payload["name"] == "孙悦"
    assert open_envelope(backlog[0], held).payload["name"] == "孙悦"
