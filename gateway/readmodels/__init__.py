"""Read models: campaigns, students, host units, positions, selection and placements, as of a
checkpoint in the event log; rebuildable from the log at any time."""
