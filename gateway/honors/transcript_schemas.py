"""The transcript's JSON body (``GET /api/v1/students/{student_id}/transcript``)."""

from __future__ import annotations

from marshmallow import Schema, fields

from gateway.core.schemas import PERSONAL, day


class PlacementRecordResponse(Schema):
    host_unit = fields.String(required=True)
    position = fields.String(required=True)
    starts_on = day(required=True)
    ends_on = day(required=True)
    hours = fields.Float(required=True)
    status = fields.String(required=True, metadata={"enum": ["started", "completed"]})
    evaluation_score = fields.Integer(required=True, allow_none=True)
    evaluation = fields.String(required=True, metadata={"example": "优秀 92"})


class HonourRecordResponse(Schema):
    title = fields.String(required=True)
    serial = fields.String(required=True)
    awarded_on = day(required=True)


class FeaturedDiaryRecordResponse(Schema):
    title = fields.String(required=True)
    featured_on = day(required=True)


class PracticeCategoryResponse(Schema):
    name = fields.String(required=True, metadata={"example": "实践实习"})
    placements = fields.List(fields.Nested(PlacementRecordResponse), required=True)
    honours = fields.List(fields.Nested(HonourRecordResponse), required=True)
    featured_diaries = fields.List(fields.Nested(FeaturedDiaryRecordResponse), required=True)


class KindHoursResponse(Schema):
    kind = fields.String(required=True)
    label = fields.String(required=True, metadata={"example": "暑托班公益课堂"})
    hours = fields.Float(required=True)


class VolunteeringCategoryResponse(Schema):
    name = fields.String(required=True, metadata={"example": "志愿公益"})
    hours_by_kind = fields.List(fields.Nested(KindHoursResponse), required=True)
    total_hours = fields.Float(required=True, metadata={"description": "Approved hours only."})


class PostRecordResponse(Schema):
    post = fields.String(required=True, metadata={"example": "兼职副书记"})
    committee = fields.String(required=True)
    serial = fields.String(required=True)
    term_starts_on = day(required=True)
    term_ends_on = day(required=True)  # or the day it ended early
    status = fields.String(required=True, metadata={"enum": ["active", "term_ended", "dismissed"]})


class PostsCategoryResponse(Schema):
    name = fields.String(required=True, metadata={"example": "工作履历"})
    appointments = fields.List(fields.Nested(PostRecordResponse), required=True)


class TranscriptCategoriesResponse(Schema):
    practice = fields.Nested(PracticeCategoryResponse, required=True)
    volunteering = fields.Nested(VolunteeringCategoryResponse, required=True)
    posts = fields.Nested(PostsCategoryResponse, required=True)


class TranscriptSummaryResponse(Schema):
    practice_hours = fields.Float(required=True)
    volunteering_hours = fields.Float(required=True)
    honours = fields.Integer(required=True)
    appointments = fields.Integer(required=True)
    featured_diaries = fields.Integer(required=True)


class TranscriptResponse(Schema):
    """The second-classroom transcript (第二课堂成绩单) of a student in their campaign, from
    the event log alone: dated by its newest fact, the same after any rebuild."""

    reference = fields.String(required=True, metadata={"description": "TR-<student id>."})
    student_id = fields.UUID(required=True)
    student_name = fields.String(required=True, metadata=PERSONAL)
    university = fields.String(required=True)
    campaign_id = fields.UUID(required=True)
    campaign_name = fields.String(required=True)
    issued_on = day(required=True)
    categories = fields.Nested(TranscriptCategoriesResponse, required=True)
    summary = fields.Nested(TranscriptSummaryResponse, required=True)
