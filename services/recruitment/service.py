"""The recruitment nameko service: one line per RPC method (see ``shared.kit.service``)."""

from __future__ import annotations

from services.recruitment.adapters.indexes import KEEPERS, RESIDENT_IDS, LookupKey
from services.recruitment.adapters.registered_names import registered_name_rpc
from services.recruitment.handlers import HANDLERS
from shared.contracts.recruitment import commands
from shared.kit.entrypoints import command_rpc, readiness_ping
from shared.kit.privacy import subject_key_rpc
from shared.kit.service import ServiceKit


class RecruitmentService:
    """Campaigns, registrations, screening and the Spark Alliance."""

    name = "recruitment"
    kit = ServiceKit(HANDLERS, KEEPERS)
    lookup_key = LookupKey(RESIDENT_IDS)  # keys the ID-number index (docs/privacy.md)
    ping = readiness_ping()

    create_campaign = command_rpc(commands.CreateCampaign)
    open_campaign = command_rpc(commands.OpenCampaign)
    close_campaign = command_rpc(commands.CloseCampaign)
    register_student = command_rpc(commands.RegisterStudent)
    screen_student = command_rpc(commands.ScreenStudent)
    withdraw_student = command_rpc(commands.WithdrawStudent)
    join_alliance = command_rpc(commands.JoinAlliance)
    leave_alliance = command_rpc(commands.LeaveAlliance)
    erase_student = command_rpc(commands.EraseStudent)
    share_subject_keys = subject_key_rpc()
    registered_name = registered_name_rpc()  # placement's, to check a policy
