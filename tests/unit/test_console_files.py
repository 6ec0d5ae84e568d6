"""The web console's packaged files: every error code has words, every asset is local, no
script is inline, every registered page exists; and the answers to a browser's requests
(content types, caching, the Content-Security-Policy, client-side routes, no way out of the
static folder)."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from gateway.console.static_files import CONTENT_SECURITY_POLICY, console_response
from gateway.core.errors import error_catalogue

STATIC = Path(str(resources.files("gateway.console").joinpath("static")))


def _text(relative: str) -> str:
    return (STATIC / relative).read_text(encoding="utf-8")


def _get(path: str, **headers: str) -> Request:
    return Request(EnvironBuilder(path=path, method="GET", headers=headers).get_environ())


def test_every_error_code_of_the_catalogue_has_chinese_and_english_words():
    table = dict(
        re.findall(r'^  ([A-Z_]+): \["([^"]+)", "[^"]+"\],$', _text("js/messages.js"), re.M)
    )
    missing = set(error_catalogue()) - set(table)
    assert missing == set()
    assert all(re.search(r"[\u4e00-\u9fff]", words) for words in table.values())


def test_every_asset_is_local_and_no_script_is_inline():
    files = [path for path in STATIC.rglob("*") if path.suffix in {".html", ".js", ".css"}]
    assert len(files) >= 10
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"(src|href|import)[^\n]*https?://", text), path
        assert not re.search(r"innerHTML|outerHTML|insertAdjacentHTML", text), path  # built
    index = _text("index.html")
    assert re.findall(r"<script[^>]*>([^<]*)</script>", index) == [""]
    for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', index):
        assert (STATIC / asset.removeprefix("/static/")).is_file(), asset


def test_every_page_in_the_registry_is_a_module_with_a_path_roles_and_a_title():
    registry = _text("js/pages/registry.js")
    modules = re.findall(r'^import \w+ from "\./([\w.]+)";$', registry, re.M)
    assert {"sign_in.js", "dashboard.js", "campaigns.js", "students.js"} <= set(modules)
    for module in modules:
        text = _text(f"js/pages/{module}")
        assert re.search(r"^export default \{\n  path: \"/", text, re.M), module
        assert re.search(r"^  roles: \[", text, re.M), module
        assert re.search(r"^  title: \[\"[^\"]+\", \"[^\"]+\"\],$", text, re.M), module


def test_a_static_file_answers_with_its_type_a_revalidating_cache_and_the_policy():
    answer = console_response(_get("/static/js/app.js"))
    assert answer is not None
    assert answer.status_code == 200
    assert answer.content_type == "text/javascript; charset=utf-8"
    assert answer.headers["Cache-Control"] == "no-cache"
    assert answer.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "script-src 'self'" in CONTENT_SECURITY_POLICY
    assert "unsafe-inline" not in CONTENT_SECURITY_POLICY
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    again = console_response(_get("/static/js/app.js", **{"If-None-Match": answer.headers["ETag"]}))
    assert again is not None
    assert (again.status_code, again.get_data()) == (304, b"")
    css = console_response(_get("/static/css/console.css"))
    assert css is not None
    assert css.content_type == "text/css; charset=utf-8"


def test_a_client_side_route_answers_the_app_and_an_api_path_is_left_to_the_api():
    for path in ("/", "/campaigns", "/campaigns/8b3bff18-de6a-5908-b9b0-cfd5be22117c/dashboard"):
        answer = console_response(_get(path))
        assert answer is not None
        assert answer.content_type == "text/html; charset=utf-8"
        assert b'<script type="module" src="/static/js/app.js">' in answer.get_data()
    for path in ("/api/v1/nothing", "/api/v2", "/healthz/x", "/verify/nothing", "/openapi.yaml"):
        assert console_response(_get(path)) is None, path
    post = Request(EnvironBuilder(path="/campaigns", method="POST").get_environ())
    assert console_response(post) is None


def test_no_path_leaves_the_static_folder_and_a_missing_file_is_not_the_app():
    for path in (
        "/static/../static_files.py",
        "/static/js/../../__init__.py",
        "/static/%2e%2e/static_files.py",
        "/static/.hidden",
        "/static/js/nothing.js",
        "/static/",
    ):
        assert console_response(_get(path)) is None, path
