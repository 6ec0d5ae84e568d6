"""The command handlers of placement, grouped by what they act on; handlers.py lists them."""
