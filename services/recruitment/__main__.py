"""``python -m services.recruitment``: the recruitment service as its own process."""

import eventlet

eventlet.monkey_patch()

from services.recruitment.service import RecruitmentService  # noqa: E402
from shared.config import load_settings  # noqa: E402
from shared.process import run_service  # noqa: E402

if __name__ == "__main__":
    run_service(
        RecruitmentService,
        load_settings(),
        [("recruitment", "services.recruitment.migrations")],
    )
