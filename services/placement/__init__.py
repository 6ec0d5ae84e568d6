"""The placement service: two-way selection of students and host units' practice positions."""
