"""Placement's command handlers: one table, one way in (``HANDLERS.run``)."""

from __future__ import annotations

from services.placement.handlers import candidates, host_units, placements, selection
from shared.contracts.placement import commands
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
        commands.ConfirmOffer: placements.confirm_offer,
        commands.DeclineOffer: placements.decline_offer,
        commands.PlaceDirectly: placements.place_directly,
        commands.RecordInsurance: placements.record_insurance,
        commands.RecordTraining: placements.record_training,
        commands.SignDocument: placements.sign_document,
        commands.StartPlacement: placements.start_placement,
        commands.CompletePlacement: placements.complete_placement,
        commands.EvaluatePlacement: placements.evaluate_placement,
        commands.SubmitFeedback: placements.submit_feedback,
    }
)
