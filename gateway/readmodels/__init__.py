"""Read models: campaigns and students as of a checkpoint in the event log, rebuildable."""
