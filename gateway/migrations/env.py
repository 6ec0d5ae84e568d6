# The tables alone, not gateway.sections (routes, PDF layout, nameko): a replay migrates its
# temporary store through here, and its memory should be its data's. Importing these puts
# every gateway table on the metadata (tests/unit/test_replay_imports.py checks it).
import gateway.accounts.tables
import gateway.readmodels  # noqa: F401 - for the sections' tables on the metadata
from gateway.core.tables import metadata
from shared.migrations import run_env

run_env(metadata)
