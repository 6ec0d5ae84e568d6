"""Honours' command handlers: one table, one way in (``HANDLERS.run``).

The commands of consumed events commit in groups (``group_events``): no caller waits on them,
so a group costs no reply, and it saves a transaction per event (docs/performance.md, "Group
commit for consumed events")."""

from __future__ import annotations

from services.honors.handlers import appointments, awards, programme, students
from shared.contracts.honors import commands
from shared.kit.handlers import CommandHandlers

HANDLERS = CommandHandlers(
    {
        commands.DefineTitle: awards.define_title,
        commands.NominateForAward: awards.nominate_for_award,
        commands.GrantAward: awards.grant_award,
        commands.RevokeCertificate: awards.revoke_certificate,
        commands.AppointDeputySecretary: appointments.appoint_deputy_secretary,
        commands.EndAppointment: appointments.end_appointment,
        commands.RecordConsent: students.record_consent,
        commands.SendRecommendation: students.send_recommendation,
        commands.SubmitDiary: students.submit_diary,
        commands.FeatureDiary: students.feature_diary,
        commands.NotePractice: programme.note_practice,
        commands.NotePracticeCompleted: programme.note_practice_completed,
        commands.NotePracticeEvaluated: programme.note_practice_evaluated,
        commands.NoteScreeningDeclined: programme.note_screening_declined,
    },
    group_events=True,
)
