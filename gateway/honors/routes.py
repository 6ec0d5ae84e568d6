"""Honours' routes, described once: the pipeline enforces them and OpenAPI publishes them.

Commands go to the honours service, which checks from the caller's actor that only operators
run awards, appointments, recommendations and the showcase, and that a student acts only for
themself. A nomination and an appointment take the holder's name, and a recommendation the
university and the transcript's hash, from the gateway's read models (``filled``); the
section's own endpoints (``endpoints.py``) fill them. Reads come from the read models.
Past 200 lines because it is declarations only, one per route, as the routes are listed.
"""

from __future__ import annotations

from gateway.core.route import (
    BASE,
    OPERATOR,
    OPERATOR_OR_STUDENT,
    PARTIES_AND_OPERATOR,
    PUBLIC,
    Route,
    command_route,
    read_route,
)
from gateway.honors import list_schemas as ls
from gateway.honors import schemas as hs
from gateway.honors import transcript_schemas as ts
from shared.contracts.honors import commands

AWARDS, APPOINTMENTS, STUDENTS, REPORTS = "honours", "appointments", "students", "reports"
SERIAL = r"^[A-Z]{2,8}-[0-9]{4}-[0-9]{4,6}$"
PURPOSE = r"^(university_report|showcase)$"
# What the public may verify: a certificate's or letter's serial, or a transcript reference.
VERIFIABLE = r"^([A-Z]{2,8}-[0-9]{4}-[0-9]{4,6}|TR-[0-9a-f-]{36})$"
OPERATOR_OR_AUDITOR = frozenset({"operator", "auditor"})
# Stand-ins for what the gateway fills (see ``Route.filled``): never sent.
NAME_FILLED = (("holder_name", "(filled by the gateway)"),)
RECOMMENDATION_FILLED = (
    ("campaign_id", "00000000-0000-0000-0000-000000000000"),
    ("university", "(filled by the gateway)"),
    ("transcript_hash", "sha256:" + "0" * 64),
)

NOMINATE = command_route(
    "nominate_for_award",
    "/awards",
    "Nominate a registered student for a title (default ADV, 先进个人) with a citation; the "
    "holder's name is the registration's",
    AWARDS,
    OPERATOR,
    commands.NominateForAward,
    hs.AwardResponse,
    status=201,
    filled=NAME_FILLED,
)
GRANT = command_route(
    "grant_award",
    "/awards/{award_id}/grant",
    "Grant a nominated award: its certificate takes the next serial of its year and title",
    AWARDS,
    OPERATOR,
    commands.GrantAward,
    hs.AwardResponse,
)
REVOKE = command_route(
    "revoke_certificate",
    "/certificates/{serial}/revocation",
    "Revoke a certificate with a reason (it keeps its serial; verification says revoked)",
    AWARDS,
    OPERATOR,
    commands.RevokeCertificate,
    hs.AwardResponse,
    path_patterns=(("serial", SERIAL),),
)
APPOINT = command_route(
    "appoint_deputy_secretary",
    "/appointments",
    "Appoint a registered student part-time deputy secretary (兼职副书记) of a committee for "
    "a term; the letter takes the year's next serial, the holder's name the registration's",
    APPOINTMENTS,
    OPERATOR,
    commands.AppointDeputySecretary,
    hs.AppointmentResponse,
    status=201,
    filled=NAME_FILLED,
)
END_APPOINTMENT = command_route(
    "end_appointment",
    "/appointments/{serial}/end",
    "End an appointment: at its term's end, or earlier as a dismissal with a reason",
    APPOINTMENTS,
    OPERATOR,
    commands.EndAppointment,
    hs.AppointmentResponse,
    path_patterns=(("serial", SERIAL),),
)
RECORD_CONSENT = command_route(
    "record_consent",
    "/students/{student_id}/consents/{purpose}",
    "Give or withdraw a consent (the student, or an operator for them); withdrawing "
    "showcase takes the student's diaries out of the showcase",
    STUDENTS,
    OPERATOR_OR_STUDENT,
    commands.RecordConsent,
    hs.ConsentResponse,
    method="PUT",
    owner="student_id",
    path_patterns=(("purpose", PURPOSE),),
)
SEND_RECOMMENDATION = command_route(
    "send_recommendation",
    "/students/{student_id}/recommendations",
    "Send the student's transcript to their university (needs their university_report "
    "consent); the gateway renders the transcript PDF and records its SHA-256",
    STUDENTS,
    OPERATOR,
    commands.SendRecommendation,
    hs.RecommendationResponse,
    status=201,
    filled=RECOMMENDATION_FILLED,
)
SUBMIT_DIARY = command_route(
    "submit_diary",
    "/students/{student_id}/diaries",
    "Submit a practice diary entry with the name to be shown by (the student, or an operator)",
    STUDENTS,
    OPERATOR_OR_STUDENT,
    commands.SubmitDiary,
    hs.DiaryResponse,
    status=201,
    owner="student_id",
)
FEATURE_DIARY = command_route(
    "feature_diary",
    "/diaries/{diary_id}/feature",
    "Put a diary in the showcase (needs the student's showcase consent)",
    STUDENTS,
    OPERATOR,
    commands.FeatureDiary,
    hs.DiaryResponse,
)
LIST_AWARDS = read_route(
    "list_awards",
    "/awards",
    "Awards, cursor-paged, oldest nomination first unless sorted otherwise (operators: all; "
    "a host unit: its placed students', without holders' names; a student: their own)",
    AWARDS,
    PARTIES_AND_OPERATOR,
    ls.AwardListResponse,
    ls.AwardListQuery,
)
LIST_APPOINTMENTS = read_route(
    "list_appointments",
    "/appointments",
    "Appointments, cursor-paged, newest letter first unless sorted otherwise (operators: all; "
    "a student: their own)",
    APPOINTMENTS,
    OPERATOR_OR_STUDENT,
    ls.AppointmentPageResponse,
    ls.AppointmentListQuery,
)
GET_CONSENTS = read_route(
    "get_consents",
    "/students/{student_id}/consents",
    "A student's consents (the student, or an operator)",
    STUDENTS,
    OPERATOR_OR_STUDENT,
    hs.ConsentsResponse,
    owner="student_id",
)
HONOURS_REPORT = read_route(
    "honours_report",
    "/campaigns/{campaign_id}/honours/report",
    "Awards by title, appointments, diaries featured and recommendations sent",
    REPORTS,
    OPERATOR_OR_AUDITOR,
    hs.HonoursReportResponse,
)
SHOWCASE = read_route(
    "showcase",
    "/showcase",
    "A campaign's featured practice diaries with the names their students chose to show",
    STUDENTS,
    PARTIES_AND_OPERATOR | {"auditor"},
    hs.ShowcaseResponse,
    hs.ShowcaseQuery,
)
TRANSCRIPT = read_route(
    "get_transcript",
    "/students/{student_id}/transcript",
    "The student's second-classroom transcript (第二课堂成绩单) as JSON (the student, or an "
    "operator)",
    STUDENTS,
    OPERATOR_OR_STUDENT,
    ts.TranscriptResponse,
    owner="student_id",
)
TRANSCRIPT_PDF = read_route(
    "get_transcript_pdf",
    "/students/{student_id}/transcript.pdf",
    "The transcript as PDF, with the QR code of its verification URL",
    STUDENTS,
    OPERATOR_OR_STUDENT,
    None,
    owner="student_id",
    media_type="application/pdf",
)
CERTIFICATE_PDF = read_route(
    "get_certificate_pdf",
    "/certificates/{serial}.pdf",
    "An honour certificate (荣誉证书) as PDF (an operator, or its holder)",
    AWARDS,
    OPERATOR_OR_STUDENT,
    None,
    path_patterns=(("serial", SERIAL),),
    media_type="application/pdf",
)
LETTER_PDF = read_route(
    "get_appointment_letter_pdf",
    "/appointments/{serial}.pdf",
    "An appointment letter (聘书) as PDF (an operator, or its holder)",
    APPOINTMENTS,
    OPERATOR_OR_STUDENT,
    None,
    path_patterns=(("serial", SERIAL),),
    media_type="application/pdf",
)
RECOMMENDATION_BUNDLE = Route(
    "get_recommendation_bundle",
    "GET",
    BASE + "/recommendations/{recommendation_id}/bundle",
    "The signed bundle for the university (ZIP: transcript.pdf, exactly the PDF whose SHA-256 "
    "was recorded; manifest.json; manifest.sig, its Ed25519 signature, checked with the key "
    "at /verify/keys). An operator, or the student it concerns; 409 TRANSCRIPT_CHANGED when "
    "the transcript no longer renders to the recorded bytes, 409 CONSENT_REQUIRED when the "
    "student's university_report consent was withdrawn",
    STUDENTS,
    OPERATOR_OR_STUDENT,
    media_type="application/zip",
    errors=("TRANSCRIPT_CHANGED", "CONSENT_REQUIRED"),
)
DOCUMENT_KEYS = Route(
    "document_keys",
    "GET",
    "/verify/keys",
    "Public, no token: the Ed25519 public keys that check recommendation bundles' "
    "manifest.sig (the key in use first, then retired ones)",
    "verification",
    PUBLIC,
    response=hs.DocumentKeysResponse,
)
VERIFY = Route(
    "verify_serial",
    "GET",
    "/verify/{serial}",
    "Public, no token: is this certificate, appointment letter or transcript genuine? A "
    "wrong code and an unknown serial answer the same 404; rate-limited per client address",
    "verification",
    PUBLIC,
    query=hs.VerificationQuery,
    response=hs.VerificationResponse,
    path_patterns=(("serial", VERIFIABLE),),
    errors=("RATE_LIMITED",),
)

ROUTES = (
    NOMINATE,
    GRANT,
    REVOKE,
    LIST_AWARDS,
    CERTIFICATE_PDF,
    APPOINT,
    LIST_APPOINTMENTS,
    END_APPOINTMENT,
    LETTER_PDF,
    RECORD_CONSENT,
    GET_CONSENTS,
    SEND_RECOMMENDATION,
    RECOMMENDATION_BUNDLE,
    SUBMIT_DIARY,
    FEATURE_DIARY,
    SHOWCASE,
    TRANSCRIPT,
    TRANSCRIPT_PDF,
    HONOURS_REPORT,
    DOCUMENT_KEYS,
    VERIFY,
)
