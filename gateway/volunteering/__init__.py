"""Volunteering in the gateway: activities, sign-ups, hours and the people reached (routes,
read endpoints, read models)."""
