"""Starting a service as its own process: eventlet patches the standard library first.

nameko needs a patched standard library, and the patch must come before anything else
imports ``threading`` or ``socket``; so this module imports nothing else at the top, and
``python -m services.<name>`` is a one-liner that calls ``launch_service``.
"""

from __future__ import annotations

import importlib
import warnings


def launch_service(package: str) -> None:
    """Run the nameko service named like the package (``services.recruitment`` ->
    ``name = "recruitment"`` in its ``service`` module), migrating its database first."""
    # eventlet announces its deprecation on import; nameko 2 needs it, and operators' logs
    # should not carry the notice on every start.
    warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
    import eventlet

    eventlet.monkey_patch()
    from shared.config import load_settings
    from shared.process import run_service

    name = package.rsplit(".", 1)[-1]
    module = importlib.import_module(f"{package}.service")
    service = next(
        member
        for member in vars(module).values()
        if isinstance(member, type) and getattr(member, "name", None) == name
    )
    run_service(service, load_settings(), [(name, f"{package}.migrations")])
