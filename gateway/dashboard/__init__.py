"""The dashboard: one campaign's figures by stage and by section, and the programme's history."""
