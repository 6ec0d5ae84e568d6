"""Honours' read endpoints, the public verification, the documents, and the command routes
whose commands the gateway completes (the holder's name, the recommended transcript).

Who sees what: operators everything; a student their own transcript, consents, awards and
documents (another student's answer 404, as a missing one does); a host unit only the
awards of students placed with it, without holders' names; auditors the report and the
showcase; anyone with a document's code its verification, and anyone the public keys that
check a recommendation's bundle. A little past 200 lines: one short method per route, the
section's whole HTTP surface in one class (nameko binds entrypoints to one service class).
"""

from __future__ import annotations

from typing import Any, cast

from werkzeug.wrappers import Request, Response

from gateway.accesses.records import AccessRecords
from gateway.core.auth import host_unit_subject, student_subject
from gateway.core.call import ApiCall, Reply
from gateway.core.endpoints import Endpoints
from gateway.core.errors import ApiError
from gateway.core.web import ApiEndpoint, api
from gateway.honors import documents as docs
from gateway.honors import routes
from gateway.honors.bundle import (
    ZIP_MEDIA_TYPE,
    BundleManifest,
    TranscriptChangedError,
    build_bundle,
    hex_digest,
)
from gateway.honors.filling import filled_command
from gateway.honors.lists import HonorsLists
from gateway.honors.queries import HonorsReads
from gateway.honors.signing import DocumentsSigner, DocumentsSignerProvider
from gateway.honors.transcript import reference_of
from gateway.honors.verification import (
    TokenBucket,
    VerificationLimiter,
    certificate_answer,
    letter_answer,
    retry_after,
    transcript_answer,
)
from gateway.recruitment.queries import RecruitmentReads
from shared.contracts.honors.commands import (
    AppointDeputySecretary,
    NominateForAward,
    SendRecommendation,
)
from shared.contracts.honors.events import UNIVERSITY_REPORT
from shared.contracts.records import Command
from shared.verification_codes import is_valid_code

Row = dict[str, Any]
PDF = "application/pdf"


def _registered(endpoints: HonorsEndpoints, student_id: str) -> Row:
    found = endpoints.app.read(HonorsReads).student(student_id)
    if found is None:
        raise ApiError("NOT_FOUND", "no such student", {"student_id": student_id})
    return found


def _holder_name(endpoints: HonorsEndpoints, _call: ApiCall, command: Command) -> dict[str, object]:
    """The name printed on a certificate or letter: the student's registered name."""
    assert isinstance(command, NominateForAward | AppointDeputySecretary)
    return {"holder_name": _registered(endpoints, command.student_id)["name"]}


def _recommended(endpoints: HonorsEndpoints, call: ApiCall, command: Command) -> dict[str, object]:
    """The student's campaign and university, and the SHA-256 of their transcript's PDF."""
    assert isinstance(command, SendRecommendation)
    student_id = command.student_id
    student = _registered(endpoints, student_id)
    transcript = call.found(endpoints.app.read(HonorsReads).transcript(student_id), "student")
    pdf = endpoints.documents.transcript(docs.transcript_of(endpoints.app.settings, transcript))
    return {
        "campaign_id": student["campaign_id"],
        "university": student["university"],
        "transcript_hash": docs.sha256_of(pdf),
    }


def _pdf(pdf: bytes, name: str) -> Reply:
    headers = {"Content-Disposition": f'inline; filename="{name}.pdf"'}
    return Reply(200, {}, headers, content=pdf, media_type=PDF)


def _holder_may_see(call: ApiCall, record: Row | None, what: str) -> Row:
    """Operators see any document; a student only their own (else 404, as if missing)."""
    if record is None or (
        call.caller.role == "student" and student_subject(call.caller) != record["student_id"]
    ):
        raise ApiError("NOT_FOUND", f"no such {what}", call.path)
    return record


class HonorsEndpoints(Endpoints):
    # nameko dependency providers; a worker sees what they provide.
    documents: docs.Documents = cast("docs.Documents", docs.DocumentsProvider())
    verify_limiter: TokenBucket = cast("TokenBucket", VerificationLimiter())
    signer: DocumentsSigner = cast("DocumentsSigner", DocumentsSignerProvider())

    nominate_for_award = filled_command(routes.NOMINATE, _holder_name)
    appoint_deputy_secretary = filled_command(routes.APPOINT, _holder_name)
    send_recommendation = filled_command(routes.SEND_RECOMMENDATION, _recommended)

    @api(routes.LIST_AWARDS)
    def list_awards(self, call: ApiCall) -> Reply:
        role, query = call.caller.role, dict(call.query)
        if role == "student":
            query["student_id"] = student_subject(call.caller) or "-"
        if role == "host_unit":
            query["host_unit_id"] = host_unit_subject(call.caller) or "-"
        found, next_cursor = self.app.read(HonorsLists).awards_page(**query)
        if role == "host_unit":
            found = [{k: v for k, v in row.items() if k != "holder_name"} for row in found]
        return call.answer({"items": found, "next_cursor": next_cursor, "awards": found})

    @api(routes.LIST_APPOINTMENTS)
    def list_appointments(self, call: ApiCall) -> Reply:
        query = dict(call.query)
        if call.caller.role == "student":
            own = student_subject(call.caller)
            if own is None or query.setdefault("student_id", own) != own:
                return call.answer({"items": [], "next_cursor": None})
        found, next_cursor = self.app.read(HonorsLists).appointments_page(**query)
        return call.answer({"items": found, "next_cursor": next_cursor})

    @api(routes.GET_CONSENTS)
    def get_consents(self, call: ApiCall) -> Reply:
        student_id = call.path["student_id"]
        call.found(self.app.read(HonorsReads).student(student_id), "student")
        return call.answer(self.app.read(HonorsReads).consents(student_id))

    @api(routes.HONOURS_REPORT)
    def honours_report(self, call: ApiCall) -> Reply:
        campaign_id = call.path["campaign_id"]
        call.found(self.app.read(RecruitmentReads).get_campaign(campaign_id), "campaign")
        return call.answer(self.app.read(HonorsReads).report(campaign_id))

    @api(routes.SHOWCASE)
    def showcase(self, call: ApiCall) -> Reply:
        campaign_id = str(call.query["campaign_id"])
        featured = self.app.read(HonorsReads).showcase(campaign_id)
        return call.answer({"campaign_id": campaign_id, "diaries": featured})

    @api(routes.TRANSCRIPT)
    def get_transcript(self, call: ApiCall) -> Reply:
        found = self.app.read(HonorsReads).transcript(call.path["student_id"])
        transcript = call.found(found, "student")
        self._record(call, "transcript", f"students/{call.path['student_id']}/transcript")
        return call.answer(transcript)

    @api(routes.TRANSCRIPT_PDF)
    def get_transcript_pdf(self, call: ApiCall) -> Reply:
        found = call.found(
            self.app.read(HonorsReads).transcript(call.path["student_id"]), "student"
        )
        pdf = self.documents.transcript(docs.transcript_of(self.app.settings, found))
        self._record(call, "transcript", f"students/{call.path['student_id']}/transcript.pdf")
        return _pdf(pdf, found["reference"])

    @api(routes.RECOMMENDATION_BUNDLE)
    def get_recommendation_bundle(self, call: ApiCall) -> Reply:
        reads = self.app.read(HonorsReads)
        found = reads.recommendation(call.path["recommendation_id"])
        recommendation = _holder_may_see(call, found, "recommendation")
        student_id = recommendation["student_id"]
        if not reads.consents(student_id)["consents"][UNIVERSITY_REPORT]["given"]:
            details = {"student_id": student_id, "purpose": UNIVERSITY_REPORT}
            raise ApiError("CONSENT_REQUIRED", "the student withdrew their consent", details)
        transcript = call.found(reads.transcript(student_id), "student")
        pdf = self.documents.transcript(docs.transcript_of(self.app.settings, transcript))
        try:
            bundle = build_bundle(self._manifest(recommendation), pdf, self.signer.sign)
        except TranscriptChangedError as changed:
            details = {"recorded": changed.recorded, "rendered": changed.rendered}
            raise ApiError(
                "TRANSCRIPT_CHANGED", "the transcript changed since it was recommended", details
            ) from None
        name = f"recommendation-{recommendation['recommendation_id']}.zip"
        self._record(call, "recommendation", f"recommendations/{name}", student_id)
        headers = {"Content-Disposition": f'attachment; filename="{name}"'}
        return Reply(200, {}, headers, content=bundle, media_type=ZIP_MEDIA_TYPE)

    def _record(
        self, call: ApiCall, purpose: str, resource: str, student_id: str | None = None
    ) -> None:
        """Record the read of a student's personal data (docs/privacy.md, "Access records"),
        before it is handed out."""
        subject = student_id or call.path["student_id"]
        self.app.read(AccessRecords).record(call, purpose, resource, subject_id=subject)

    def _manifest(self, recommendation: Row) -> BundleManifest:
        settings, student_id = self.app.settings, recommendation["student_id"]
        return BundleManifest(
            recommendation_id=recommendation["recommendation_id"],
            student_id=student_id,
            campaign_id=recommendation["campaign_id"],
            campaign_name=recommendation["campaign_name"] or "",
            university=recommendation["university"],
            sent_at=recommendation["sent_at"],
            transcript_sha256=hex_digest(recommendation["transcript_hash"]),
            transcript_verification_url=docs.verification_url(settings, reference_of(student_id)),
            signing_key_id=self.signer.key_id,
            public_keys_url=f"{docs.public_url(settings)}{routes.DOCUMENT_KEYS.path}",
        )

    @api(routes.DOCUMENT_KEYS)
    def document_keys(self, call: ApiCall) -> Reply:
        return call.answer({"keys": self.signer.public_keys()})

    @api(routes.CERTIFICATE_PDF)
    def get_certificate_pdf(self, call: ApiCall) -> Reply:
        serial = call.path["serial"]
        award = _holder_may_see(call, self.app.read(HonorsReads).certificate(serial), "certificate")
        self._record(call, "certificate", f"certificates/{serial}.pdf", award["student_id"])
        return _pdf(
            self.documents.certificate(docs.certificate_of(self.app.settings, award)), serial
        )

    @api(routes.LETTER_PDF)
    def get_appointment_letter_pdf(self, call: ApiCall) -> Reply:
        serial = call.path["serial"]
        found = self.app.read(HonorsReads).appointment(serial)
        appointment = _holder_may_see(call, found, "appointment")
        self._record(
            call, "appointment_letter", f"appointments/{serial}.pdf", appointment["student_id"]
        )
        return _pdf(self.documents.letter(docs.letter_of(self.app.settings, appointment)), serial)

    @ApiEndpoint.decorator(routes.VERIFY)  # type: ignore[untyped-decorator] # nameko is untyped
    def verify_serial(self, request: Request, **_path: str) -> Response:
        """``GET /verify/{serial}``: see ``gateway.honors.verification``."""
        wait = self.verify_limiter.take(request.remote_addr or "-")

        def action(call: ApiCall) -> Reply:
            if wait > 0:
                error = ApiError("RATE_LIMITED", "too many verifications; retry later")
                return Reply(error.status, error.body(), {"Retry-After": retry_after(wait)})
            return call.answer(self._verified(call.path["serial"], call.query["code"]))

        response: Response = self.app.edge.handle(request, routes.VERIFY, action)
        return response

    def _verified(self, serial: str, code: str) -> Row:
        unknown = ApiError("NOT_FOUND", "no such document, or a wrong code", {})
        if not is_valid_code(self.app.settings.verification_secret, serial, code):
            raise unknown
        reads = self.app.read(HonorsReads)
        if serial.startswith("TR-"):
            transcript = reads.transcript(serial.removeprefix("TR-"))
            answer = None if transcript is None else transcript_answer(transcript)
        elif serial.startswith("APT-"):
            appointment = reads.appointment(serial)
            answer = None if appointment is None else letter_answer(appointment)
        else:
            award = reads.certificate(serial)
            answer = None if award is None else certificate_answer(award)
        if answer is None:
            raise unknown
        return answer
