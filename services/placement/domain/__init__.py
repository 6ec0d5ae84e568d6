"""The placement rules of the Gravity Plan, in plain Python."""
