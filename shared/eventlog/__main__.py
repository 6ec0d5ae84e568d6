"""``python -m shared.eventlog``: the process that keeps the global event log."""

from __future__ import annotations

import sys

from shared.eventlog.process import main

if __name__ == "__main__":
    sys.exit(main())
