"""``python -m gateway.projector``: the read models' projector as its own process."""

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

if __name__ == "__main__":
    # The gateway migrates the databases it shares with the projector; the projector waits.
    run_service(
        ProjectorService,
        load_settings(),
        schemas=[("gateway", MIGRATIONS), ("eventlog", EVENT_LOG_MIGRATIONS)],
    )
