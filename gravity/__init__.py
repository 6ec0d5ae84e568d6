"""The ``gravity`` command: run the suite, load the demo, mint tokens, audit the event log."""
