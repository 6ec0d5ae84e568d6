"""The volunteering rules of the Gravity Plan, in plain Python."""
