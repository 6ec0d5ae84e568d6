"""``python -m gateway.projector``: the read models' projector as its own process."""

import os
import warnings

# eventlet announces its deprecation on import; nameko 2 needs it, and operators' logs should
# not carry the notice on every start.
warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")

import eventlet  # noqa: E402

eventlet.monkey_patch()

from gateway.core.process import EVENT_LOG_MIGRATIONS, MIGRATIONS  # noqa: E402
from gateway.projector.service import ProjectorService  # noqa: E402
from shared.config import load_settings  # noqa: E402
from shared.process import run_service  # noqa: E402

# The read models may lag a little; a request should not wait. On a machine whose cores are
# busy the scheduler gives them to the services and the gateway first (docs/operations.md,
# "The projector"); an idle core is the projector's at once.
NICENESS = 10

if __name__ == "__main__":
    os.nice(NICENESS)
    # The gateway migrates the databases it shares with the projector; the projector waits.
    run_service(
        ProjectorService,
        load_settings(),
        schemas=[("gateway", MIGRATIONS), ("eventlog", EVENT_LOG_MIGRATIONS)],
    )
