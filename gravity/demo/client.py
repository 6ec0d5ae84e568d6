"""The demo's HTTP client: the public API only, each call as some token's holder."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

import requests


class DemoClient:
    """Talks to the public API; each call may act as another token's holder."""

    def __init__(self, base_url: str, token: str) -> None:
        self.base = base_url.rstrip("/") + "/api/v1"
        self.http = requests.Session()
        self.token = token

    def call(self, method: str, path: str, body: Any = None, token: str | None = None) -> Any:
        headers = {"Authorization": f"Bearer {token or self.token}"}
        if method == "POST":
            headers["Idempotency-Key"] = str(uuid.uuid4())
        response = self.http.request(
            method, self.base + path, json=body, headers=headers, timeout=30
        )
        if response.status_code >= 400:
            raise DemoError(method, path, response.status_code, response.text)
        return response.json()

    def post(self, path: str, body: Any = None, token: str | None = None) -> dict[str, Any]:
        result: dict[str, Any] = self.call("POST", path, body or {}, token)
        return result

    def put(self, path: str, body: Any, token: str | None = None) -> dict[str, Any]:
        result: dict[str, Any] = self.call("PUT", path, body, token)
        return result

    def get(self, path: str, token: str | None = None) -> dict[str, Any]:
        result: dict[str, Any] = self.call("GET", path, None, token)
        return result

    def wait_for(self, path: str, done: Callable[[dict[str, Any]], bool], what: str) -> Any:
        """Poll a read model until ``done``: reads are eventually consistent."""
        deadline = time.monotonic() + 120
        while not done(found := self.get(path)):
            if time.monotonic() > deadline:
                raise RuntimeError(f"gave up waiting for {what}")
            time.sleep(0.2)
        return found


class DemoError(RuntimeError):
    def __init__(self, method: str, path: str, status: int, text: str) -> None:
        super().__init__(f"{method} {path} -> {status} {text}")
        self.status = status
