"""CORS on the gateway's WSGI app (no nameko, no network): preflights answered from the
allow-list with the methods each path really has, answers marked for allowed origins only."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from werkzeug.routing import Map, Rule
from werkzeug.test import Client
from werkzeug.wrappers import Request, Response

from gateway.core.cors import DEVELOPMENT_ORIGINS, CorsPolicy, parse_origins
from gateway.core.web_server import ApiWsgiApp
from shared.config import ConfigError

FRONT_END = "http://localhost:5173"
STRANGER = "https://evil.example"


class Answering:
    """A stand-in for a nameko entrypoint: answers every request 200 with a Location."""

    def handle_request(self, _request: Request) -> Response:
        return Response("{}", headers={"Location": "/api/v1/x"}, mimetype="application/json")


def client(origins: frozenset[str] = frozenset(DEVELOPMENT_ORIGINS)) -> Client:
    provider = Answering()
    rules = [
        Rule("/api/v1/campaigns", methods=["GET"], endpoint=provider),
        Rule("/api/v1/campaigns", methods=["POST"], endpoint=provider),
        Rule("/api/v1/campaigns/<campaign_id>", methods=["GET"], endpoint=provider),
    ]
    # A server without metrics (a container without the gateway's app).
    server = SimpleNamespace(
        make_url_map=lambda: Map(rules), cors=CorsPolicy(origins), metrics=lambda: None
    )
    return Client(ApiWsgiApp(server))


def preflight(origin: str, path: str = "/api/v1/campaigns", method: str = "POST") -> Any:
    return client().options(
        path,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": "authorization, content-type, idempotency-key",
        },
    )


def cors_headers(response: Any) -> dict[str, str]:
    return {k: v for k, v in response.headers.items() if k.lower().startswith("access-control")}


def test_development_allows_the_local_front_end_dev_server_and_production_nothing():
    assert parse_origins(None, production=False) == {
        "http://localhost:5173",
        "http://127.0.0.1:5173",
    }
    assert parse_origins("", production=True) == frozenset()
    configured = "https://console.example.org, https://portal.example.org:8443"
    assert parse_origins(configured, production=True) == {
        "https://console.example.org",
        "https://portal.example.org:8443",
    }


@pytest.mark.parametrize("bad", ["*", "https://x.example/path", "console.example.org", "null"])
def test_a_wildcard_or_anything_but_an_origin_is_refused_at_start(bad):
    with pytest.raises(ConfigError, match="not an origin"):
        parse_origins(f"https://ok.example {bad}", production=True)


def test_a_preflight_from_an_allowed_origin_gets_204_with_the_paths_own_methods():
    answer = preflight(FRONT_END)
    assert answer.status_code == 204
    assert answer.headers["Access-Control-Allow-Origin"] == FRONT_END
    assert answer.headers["Access-Control-Allow-Methods"] == "GET, POST"
    assert answer.headers["Access-Control-Allow-Headers"] == (
        "Authorization, Content-Type, Idempotency-Key, X-Correlation-Id"
    )
    assert int(answer.headers["Access-Control-Max-Age"]) > 0
    assert "Origin" in answer.headers["Vary"]
    assert "Access-Control-Allow-Credentials" not in answer.headers
    one = preflight(FRONT_END, "/api/v1/campaigns/42", "GET")
    assert one.headers["Access-Control-Allow-Methods"] == "GET"


def test_a_preflight_from_another_origin_gets_no_cors_header():
    answer = preflight(STRANGER)
    assert answer.status_code == 204
    assert cors_headers(answer) == {}


def test_a_preflight_to_a_path_that_does_not_exist_is_404_in_json():
    answer = preflight(FRONT_END, "/api/v1/nothing")
    assert (answer.status_code, answer.json["error"]) == (404, "NOT_FOUND")


def test_an_answer_to_an_allowed_origin_names_it_and_exposes_the_headers_a_client_reads():
    answer = client().get("/api/v1/campaigns", headers={"Origin": "http://127.0.0.1:5173"})
    assert answer.status_code == 200
    assert answer.headers["Access-Control-Allow-Origin"] == "http://127.0.0.1:5173"
    exposed = answer.headers["Access-Control-Expose-Headers"]
    assert {"X-Correlation-Id", "Retry-After", "Location"} <= set(exposed.split(", "))
    assert answer.headers["Vary"] == "Origin"


def test_refusals_carry_the_marks_too_so_that_the_page_can_read_the_error():
    answer = client().delete("/api/v1/campaigns", headers={"Origin": FRONT_END})
    assert (answer.status_code, answer.json["error"]) == (405, "METHOD_NOT_ALLOWED")
    assert answer.headers["Access-Control-Allow-Origin"] == FRONT_END


def test_an_answer_to_another_origin_or_without_one_has_no_cors_header_and_never_a_star():
    stranger = client().get("/api/v1/campaigns", headers={"Origin": STRANGER})
    assert cors_headers(stranger) == {}
    assert stranger.headers["Vary"] == "Origin"
    plain = client().get("/api/v1/campaigns")
    assert cors_headers(plain) == {}


def test_with_an_empty_list_nothing_is_marked_and_a_preflight_gets_no_cors_header():
    answer = client(frozenset()).get("/api/v1/campaigns", headers={"Origin": FRONT_END})
    assert cors_headers(answer) == {}
    assert "Vary" not in answer.headers
