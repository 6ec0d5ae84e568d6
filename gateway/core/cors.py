"""Cross-origin requests from browser front-ends: an allow-list of origins, never ``*``.

The list is ``http.cors_origins`` (``GRAVITY_CORS_ORIGINS``, origins separated by commas
or spaces). Left empty it holds the local front-end dev server's origins in development and
nothing in production, so that a production gateway answers no other origin until told.

A preflight (``OPTIONS`` with ``Origin`` and ``Access-Control-Request-Method``) is answered
204 with the methods the path really has and the request headers the API reads; any other
answer to an allowed origin names it (echoed, with ``Vary: Origin``) and exposes the
response headers a client needs. A disallowed origin gets no CORS header at all, so the
browser keeps the answer from its page. Tokens travel in ``Authorization``, not cookies, so
credentials are never allowed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from werkzeug.datastructures import Headers

from shared.config import ConfigError, Settings

DEVELOPMENT_ORIGINS = ("http://localhost:5173", "http://127.0.0.1:5173")
ALLOWED_HEADERS = ("Authorization", "Content-Type", "Idempotency-Key", "X-Correlation-Id")
EXPOSED_HEADERS = ("X-Correlation-Id", "Retry-After", "Location", "Idempotent-Replayed")
MAX_AGE_SECONDS = 600
_ORIGIN = re.compile(
    r"^https?://[A-Za-z0-9.-]+(:\d{1,5})?$|^https?://\[[0-9A-Fa-f:.]+\](:\d{1,5})?$"
)
_SEPARATORS = re.compile(r"[,\s]+")


def parse_origins(configured: object, *, production: bool) -> frozenset[str]:
    """The allow-list from its setting; a malformed origin (or ``*``) is a ConfigError."""
    text = "" if configured is None else str(configured)
    origins = [origin for origin in _SEPARATORS.split(text) if origin]
    if not origins:
        return frozenset() if production else frozenset(DEVELOPMENT_ORIGINS)
    bad = [origin for origin in origins if not _ORIGIN.match(origin)]
    if bad:
        raise ConfigError(
            f"http.cors_origins: {', '.join(bad)} not an origin (scheme://host[:port], no "
            "path, no wildcard)"
        )
    return frozenset(origin.lower() for origin in origins)


@dataclass(frozen=True)
class CorsPolicy:
    """Which origins may read the API from a browser, and the headers that tell it so."""

    origins: frozenset[str] = frozenset()

    @classmethod
    def from_settings(cls, settings: Settings) -> CorsPolicy:
        configured = settings.http.get("cors_origins")
        return cls(parse_origins(configured, production=settings.is_production))

    def allows(self, origin: str | None) -> bool:
        return origin is not None and origin.lower() in self.origins

    @staticmethod
    def is_preflight(method: str, headers: Headers) -> bool:
        return (
            method == "OPTIONS"
            and "Origin" in headers
            and "Access-Control-Request-Method" in headers
        )

    def preflight_headers(self, origin: str | None, methods: Iterable[str]) -> dict[str, str]:
        """A preflight's answer headers; none for an origin not on the list."""
        if not self.allows(origin):
            return self._vary()
        assert origin is not None
        return {
            "Access-Control-Allow-Origin": origin,
            "Access-Control-Allow-Methods": ", ".join(sorted(set(methods) - {"HEAD", "OPTIONS"})),
            "Access-Control-Allow-Headers": ", ".join(ALLOWED_HEADERS),
            "Access-Control-Max-Age": str(MAX_AGE_SECONDS),
            "Vary": "Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
        }

    def answer_headers(self, origin: str | None) -> dict[str, str]:
        """What any other answer carries; none but ``Vary`` for an origin not on the list."""
        if not self.allows(origin):
            return self._vary()
        assert origin is not None
        return {
            "Access-Control-Allow-Origin": origin,
            "Access-Control-Expose-Headers": ", ".join(EXPOSED_HEADERS),
            "Vary": "Origin",
        }

    def _vary(self) -> dict[str, str]:
        # Caches must not hand one origin's answer to another.
        return {"Vary": "Origin"} if self.origins else {}
