"""Recruitment in the gateway: campaigns and students (routes, read endpoints, read models)."""
