"""Accounts and sign-in: operators invite, people accept and sign in for a session whose short
access tokens work on every route, with rotating refresh tokens (see docs/accounts.md)."""
