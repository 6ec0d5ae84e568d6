"""``python -m gateway``: the HTTP gateway as its own process."""

import warnings

# eventlet announces its deprecation on import; nameko 2 needs it, and operators' logs should
# not carry the notice on every start.
warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")

import eventlet  # noqa: E402

eventlet.monkey_patch()

from gateway.core.process import run_gateway  # noqa: E402
from shared.config import load_settings  # noqa: E402

if __name__ == "__main__":
    run_gateway(load_settings())
