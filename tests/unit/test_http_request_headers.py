"""The gateway reads a request's headers without the email package when they are plain
``Name: value`` lines, and gets the very message ``http.client.parse_headers`` makes of
any block, plain or not."""

from __future__ import annotations

import http.client
import io
import random
from http.server import BaseHTTPRequestHandler

import pytest

from gateway.core.http_request import MAX_HEADERS, parse_request, read_headers

USUAL = (
    b"Host: 127.0.0.1:8000\r\n"
    b"User-Agent: python-httpx/0.27\r\n"
    b"Accept: */*\r\n"
    b"Connection: keep-alive\r\n"
    b"Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.c2ln\r\n"
    b"Content-Type: application/json; charset=utf-8\r\n"
    b"Content-Length: 300\r\n"
    b"X-Empty:\r\n"
    b"X-Spaced:  \t value with trailing spaces  \r\n"
    b"x-repeated: one\r\n"
    b"X-Repeated: two\r\n"
    b"\r\n"
    b"the body, not read"
)
ODD_BLOCKS = [
    b"Host: a\r\nX-Folded: one\r\n two\r\n\r\n",  # obsolete line folding
    b"Host: a\r\n\tleading tab\r\n\r\n",
    b" Host: a\r\n\r\n",  # a continuation first
    b"Host: a\r\nno colon here\r\nX-After: lost\r\n\r\n",  # the rest is the body
    b"Host: a\r\n: empty name\r\n\r\n",
    b"Host : a\r\n\r\n",  # a space in the name
    b"From me: a\r\nFrom: b\r\n\r\n",
    b"Host: a\rX-Bare-Cr: b\r\n\r\n",
    b"Host: a\nX-Lf-Only: b\n\n",
    b"Host: caf\xe9 \x85 \x0b \x0c end\r\n\r\n",  # Latin-1, NEL, VT, FF in a value
    b"X-Ctl\x01: a\r\n\r\n",
    b"Host: a\r\nX-Cut: short",  # the connection ends inside the headers
    b"Host: a\r\n",  # no empty line before the end
    b"\r\n",
    b"",
]


def both(block: bytes) -> tuple[http.client.HTTPMessage, http.client.HTTPMessage]:
    ours = read_headers(io.BytesIO(block))
    standard = http.client.parse_headers(io.BytesIO(block))
    return ours, standard


def test_usual_headers_give_the_message_the_standard_library_gives() -> None:
    ours, standard = both(USUAL)
    assert vars(ours) == vars(standard)
    assert ours.get_all("x-repeated") == ["one", "two"]
    assert ours.get_content_type() == "application/json"


@pytest.mark.parametrize("block", ODD_BLOCKS)
def test_odd_header_blocks_give_the_message_the_standard_library_gives(block: bytes) -> None:
    ours, standard = both(block)
    assert vars(ours) == {**vars(standard), "defects": ours.defects}
    assert [type(defect) for defect in ours.defects] == [
        type(defect) for defect in standard.defects
    ]


def test_random_header_blocks_give_the_message_the_standard_library_gives() -> None:
    pieces = [b"Host", b"X-A", b":", b": ", b" ", b"\t", b"\r", b"\n", b"\r\n", b"v", b"\x85"]
    pieces += [b"From ", b"\xff", b"\x00", b";", b"=", b"~"]
    chooser = random.Random(14)
    for _ in range(3000):
        block = b"".join(chooser.choice(pieces) for _ in range(chooser.randint(0, 24)))
        block += b"\r\n\r\n" if chooser.random() < 0.8 else b""
        ours, standard = both(block)
        assert (ours.items(), ours.get_payload()) == (standard.items(), standard.get_payload())
        assert len(ours.defects) == len(standard.defects), block


def test_the_standard_library_limits_hold() -> None:
    too_many = b"".join(b"X-%d: v\r\n" % number for number in range(MAX_HEADERS + 1))
    with pytest.raises(http.client.HTTPException, match="more than 100 headers"):
        read_headers(io.BytesIO(too_many + b"\r\n"))
    with pytest.raises(http.client.LineTooLong):
        read_headers(io.BytesIO(b"X-Long: " + b"v" * 70_000 + b"\r\n\r\n"))


class Handler(BaseHTTPRequestHandler):
    """A request handler with no socket: what parsing a request sets and answers."""

    protocol_version = "HTTP/1.1"

    def __init__(self, raw: bytes) -> None:  # no socket to set up: no super().__init__
        line, _, rest = raw.partition(b"\n")
        self.raw_requestline = line + b"\n"
        self.rfile = io.BytesIO(rest)
        self.answered: list[int] = []
        self.continued = 0

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        del message, explain
        self.answered.append(code)

    def handle_expect_100(self) -> bool:
        self.continued += 1
        return True

    def outcome(self, parsed: bool) -> tuple[object, ...]:
        headers = getattr(self, "headers", None)
        return (
            parsed,
            self.command,
            getattr(self, "path", None),
            self.request_version,
            self.close_connection,
            None if headers is None else headers.items(),
            self.answered,
            self.continued,
        )


REQUESTS = [
    b"POST /api/v1/campaigns/x/registrations HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\n{}",
    b"GET //evil.example/path HTTP/1.1\r\nConnection: close\r\n\r\n",
    b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
    b"POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\nx",
    b"GET /\r\n",
    b"POST /\r\n",
    b"GET / HTTP/2.0\r\n\r\n",
    b"GET / HTTP/1.1.1\r\n\r\n",
    b"GET / FTP/1.1\r\n\r\n",
    b"GET / HTTP/01234567890.1\r\n\r\n",
    b"GET a b HTTP/1.1\r\n\r\n",
    b"\r\n",
    b"GET / HTTP/1.1\r\n" + b"".join(b"X-%d: v\r\n" % n for n in range(MAX_HEADERS + 1)) + b"\r\n",
    b"GET / HTTP/1.1\r\nX-Long: " + b"v" * 70_000 + b"\r\n\r\n",
]


@pytest.mark.parametrize("raw", REQUESTS)
def test_a_request_is_parsed_as_the_standard_library_parses_it(raw: bytes) -> None:
    ours, standard = Handler(raw), Handler(raw)
    assert ours.outcome(parse_request(ours)) == standard.outcome(
        BaseHTTPRequestHandler.parse_request(standard)
    )
