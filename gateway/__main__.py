"""``python -m gateway``: the HTTP gateway as its own process."""

import eventlet

eventlet.monkey_patch()

from gateway.process import run_gateway  # noqa: E402
from shared.config import load_settings  # noqa: E402

if __name__ == "__main__":
    run_gateway(load_settings())
