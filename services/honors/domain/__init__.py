"""Honours' rules in plain Python: titles, awards, appointments, consents, diaries."""
