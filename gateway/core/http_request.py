"""A request's line and headers as the standard library's ``BaseHTTPRequestHandler`` reads
them, without ``email.parser`` for the usual headers.

``http.server`` hands every request's header block to ``http.client.parse_headers``, which
feeds it to the email package's ``FeedParser``: about 2.5% of the gateway's CPU per
registration in a sampled bench/registrations.py run (docs/performance.md), for a handful of
``Name: value`` lines. ``read_headers`` reads the lines under the same limits and builds the
same ``HTTPMessage`` from them directly when every line is such a plain header line; any other
block (a folded line, a line without a colon, a name with a space or a control character, a
bare CR) is parsed by the email package as before, so the headers, the defects and what is
left of a malformed block are what they always were. ``parse_request`` is CPython 3.11's
``BaseHTTPRequestHandler.parse_request`` with that one call changed.
"""

from __future__ import annotations

import email.parser
import http.client
import re
from http import HTTPStatus
from typing import Any

# http.client's own limits (its private _MAXLINE and _MAXHEADERS).
MAX_LINE = 65536
MAX_HEADERS = 100
# A line the email package's header parser takes as ``Name: value`` and nothing else: a
# name of printable ASCII without a colon (its headerRE), ended by LF or CRLF, with no CR
# before that (the email package splits lines at a bare CR too).
_PLAIN_LINE = re.compile(r"([\x21-\x39\x3b-\x7e]+):([^\r\n]*)\r?\n\Z")
_END_OF_BLOCK = (b"\r\n", b"\n", b"")


def read_headers(fp: Any) -> http.client.HTTPMessage:
    """``http.client.parse_headers(fp)``: the same limits and errors, the same message."""
    lines: list[bytes] = []
    while True:
        line = fp.readline(MAX_LINE + 1)
        if len(line) > MAX_LINE:
            raise http.client.LineTooLong("header line")
        lines.append(line)
        if len(lines) > MAX_HEADERS:
            raise http.client.HTTPException(f"got more than {MAX_HEADERS} headers")
        if line in _END_OF_BLOCK:
            break
    message = http.client.HTTPMessage()
    if lines[-1]:  # ended by an empty line, not cut short
        for line in lines[:-1]:
            plain = _PLAIN_LINE.match(line.decode("iso-8859-1"))
            if plain is None:
                break
            name, value = plain.groups()
            message.set_raw(name, value.lstrip(" \t"))
        else:
            message.set_payload("")  # what the email package leaves after an empty body
            return message
    text = b"".join(lines).decode("iso-8859-1")
    parsed: http.client.HTTPMessage = email.parser.Parser(_class=http.client.HTTPMessage).parsestr(
        text
    )
    return parsed


def parse_request(handler: Any) -> bool:  # noqa: PLR0911, PLR0912, PLR0915 - CPython's, as it is
    """CPython 3.11's ``BaseHTTPRequestHandler.parse_request``, the headers read by
    ``read_headers``: True for a request to answer, else False (answered, or nothing sent)."""
    handler.command = None  # set in case of error on the first line
    handler.request_version = version = handler.default_request_version
    handler.close_connection = True
    requestline = str(handler.raw_requestline, "iso-8859-1")
    requestline = requestline.rstrip("\r\n")
    handler.requestline = requestline
    words = requestline.split()
    if len(words) == 0:
        return False

    if len(words) >= 3:  # Enough to determine protocol version
        version = words[-1]
        try:
            if not version.startswith("HTTP/"):
                raise ValueError
            base_version_number = version.split("/", 1)[1]
            parts = base_version_number.split(".")
            if len(parts) != 2:
                raise ValueError
            if any(not component.isdigit() for component in parts):
                raise ValueError("non digit in http version")
            if any(len(component) > 10 for component in parts):
                raise ValueError("unreasonable length http version")
            version_number = int(parts[0]), int(parts[1])
        except (ValueError, IndexError):
            handler.send_error(HTTPStatus.BAD_REQUEST, f"Bad request version ({version!r})")
            return False
        if version_number >= (1, 1) and handler.protocol_version >= "HTTP/1.1":
            handler.close_connection = False
        if version_number >= (2, 0):
            handler.send_error(
                HTTPStatus.HTTP_VERSION_NOT_SUPPORTED,
                f"Invalid HTTP version ({base_version_number})",
            )
            return False
        handler.request_version = version

    if not 2 <= len(words) <= 3:
        handler.send_error(HTTPStatus.BAD_REQUEST, f"Bad request syntax ({requestline!r})")
        return False
    command, path = words[:2]
    if len(words) == 2:
        handler.close_connection = True
        if command != "GET":
            handler.send_error(HTTPStatus.BAD_REQUEST, f"Bad HTTP/0.9 request type ({command!r})")
            return False
    handler.command, handler.path = command, path

    # gh-87389: a path starting with '//' could be taken for an absolute URI without scheme.
    if handler.path.startswith("//"):
        handler.path = "/" + handler.path.lstrip("/")  # Reduce to a single /

    try:
        handler.headers = read_headers(handler.rfile)
    except http.client.LineTooLong as err:
        handler.send_error(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "Line too long", str(err))
        return False
    except http.client.HTTPException as err:
        handler.send_error(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "Too many headers", str(err))
        return False

    conntype = handler.headers.get("Connection", "")
    if conntype.lower() == "close":
        handler.close_connection = True
    elif conntype.lower() == "keep-alive" and handler.protocol_version >= "HTTP/1.1":
        handler.close_connection = False
    # Examine the headers and look for an Expect directive
    expect = handler.headers.get("Expect", "")
    if (
        expect.lower() == "100-continue"
        and handler.protocol_version >= "HTTP/1.1"
        and handler.request_version >= "HTTP/1.1"
    ):
        return bool(handler.handle_expect_100())
    return True
