from gateway.core.tables import metadata
from gateway.sections import SECTIONS
from shared.migrations import run_env

assert SECTIONS, "importing the sections puts every read-model table on the metadata"
run_env(metadata)
