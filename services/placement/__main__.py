"""``python -m services.placement``: the placement service as its own process."""

import warnings

# eventlet announces its deprecation on import; nameko 2 needs it, and operators' logs should
# not carry the notice on every start.
warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")

import eventlet  # noqa: E402

eventlet.monkey_patch()

from services.placement.service import PlacementService  # noqa: E402
from shared.config import load_settings  # noqa: E402
from shared.process import run_service  # noqa: E402

if __name__ == "__main__":
    run_service(
        PlacementService,
        load_settings(),
        [("placement", "services.placement.migrations")],
    )
