"""The recruitment rules of the Gravity Plan, in plain Python."""
