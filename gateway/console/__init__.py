"""The web console: a no-build single-page app (plain ES modules) that the gateway serves
under ``/`` beside the API under ``/api/v1`` (docs/console.md)."""
