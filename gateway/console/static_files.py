"""The console's files as HTTP answers: what the gateway says to a path no route matched.

A file under ``static/`` is answered with its content type, an ETag (a client revalidates
with ``If-None-Match`` and gets 304) and ``Cache-Control: no-cache``: the files have no
content hash in their names (no build step), so a browser must ask each time whether its copy
is current, which costs a 304 and never serves a stale module after an upgrade. Any other GET
outside the API's prefixes is a client-side route (``/campaigns/…``): it gets ``index.html``.
Every answer carries a Content-Security-Policy that allows only the gateway's own scripts,
styles and connections (no inline script, no CDN).
"""

from __future__ import annotations

import hashlib
import mimetypes
from dataclasses import dataclass
from importlib import resources
from pathlib import PurePosixPath

from werkzeug.wrappers import Request, Response

STATIC_PREFIX = "/static/"
# Paths that belong to the server, never to the console: an unknown one stays a JSON 404.
SERVER_PREFIXES = ("/api/", "/verify/", "/healthz", "/readyz", "/metrics", "/openapi")

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
}


@dataclass(frozen=True)
class StaticFile:
    body: bytes
    content_type: str
    etag: str


def _load(relative: str) -> StaticFile | None:
    """The packaged file at ``relative`` (a clean relative path), or None. Read on each
    request (the files are a few kilobytes): an upgraded file is served at once."""
    node = resources.files("gateway.console").joinpath("static")
    for part in PurePosixPath(relative).parts:
        node = node.joinpath(part)
    if not node.is_file():
        return None
    body = node.read_bytes()
    suffix = PurePosixPath(relative).suffix
    content_type = TYPES.get(suffix) or mimetypes.guess_type(relative)[0] or "text/plain"
    return StaticFile(body, content_type, hashlib.sha256(body).hexdigest()[:32])


def _clean(path: str) -> str | None:
    """``path`` below ``/static/`` as a relative path, or None if it could leave the folder."""
    parts = PurePosixPath(path[len(STATIC_PREFIX) :]).parts
    if not parts or any(part in {"..", "."} or part.startswith(".") for part in parts):
        return None
    if any("\\" in part or "\0" in part for part in parts):
        return None
    return "/".join(parts)


def console_response(request: Request) -> Response | None:
    """The console's answer to ``request``, or None where the API's JSON 404 belongs."""
    if request.method not in {"GET", "HEAD"}:
        return None
    path = request.path
    if path.startswith(SERVER_PREFIXES):
        return None
    if path.startswith(STATIC_PREFIX):
        relative = _clean(path)
        found = _load(relative) if relative is not None else None
    else:
        found = _load("index.html")  # a client-side route: the app reads the path itself
    if found is None:
        return None
    headers = {**SECURITY_HEADERS, "ETag": f'"{found.etag}"', "Cache-Control": "no-cache"}
    if found.etag in request.if_none_match:
        return Response(status=304, headers=headers)
    body = b"" if request.method == "HEAD" else found.body
    response = Response(body, status=200, headers=headers, content_type=found.content_type)
    response.content_length = len(found.body)
    return response
