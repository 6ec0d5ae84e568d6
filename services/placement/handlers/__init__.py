"""Placement's command handlers: one table, one way in (``HANDLERS.run``).

The commands of consumed events commit in groups (``group_events``): no caller waits on them,
so a group costs no reply, and it saves a transaction per event (docs/performance.md, "Group
commit for consumed events")."""

from __future__ import annotations

from services.placement.domain.placement import Placement
from services.placement.handlers import candidates, host_units, placements, selection
from services.placement.handlers.placements import on_placement
from shared.contracts.placement import commands, documents
from shared.contracts.placement import placements as placement_commands
from shared.kit.handlers import CommandHandlers

HANDLERS = CommandHandlers(
    {
        commands.RegisterHostUnit: host_units.register_host_unit,
        commands.PostPosition: host_units.post_position,
        commands.ClosePosition: host_units.close_position,
        commands.WithdrawPosition: host_units.withdraw_position,
        commands.RankApplicants: host_units.rank_applicants,
        commands.AdmitCandidate: candidates.admit_candidate,
        commands.WithdrawCandidate: candidates.withdraw_candidate,
        commands.OpenSelection: selection.open_selection,
        commands.SubmitRanking: selection.submit_ranking,
        commands.ProposeMatching: selection.propose_matching,
        commands.PublishMatching: selection.publish_matching,
        placement_commands.PlaceDirectly: placements.place_directly,
        placement_commands.ConfirmOffer: placements.confirm_offer,
        placement_commands.DeclineOffer: on_placement(Placement.decline),
        placement_commands.RecordInsurance: placements.record_insurance,
        placement_commands.RecordTraining: on_placement(Placement.record_training),
        placement_commands.SignDocument: placements.sign_document,
        documents.PublishDocument: placements.publish_document,
        placement_commands.StartPlacement: placements.start_placement,
        placement_commands.CompletePlacement: placements.complete_placement,
        placement_commands.EvaluatePlacement: on_placement(Placement.evaluate),
        placement_commands.SubmitFeedback: on_placement(Placement.submit_feedback),
    },
    group_events=True,
)
