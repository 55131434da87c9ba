"""A local fake of PayPal's REST API that replays the JSON fixtures, for tests without internet.

``fixtures/<name>.json`` holds one PayPal answer: ``{"about", "status", "headers", "body"}``,
written in PayPal's documented shapes. ``fixtures/webhook_*.json`` are event bodies as PayPal
posts them to us (used verbatim, byte for byte), ``webhook_transmission_headers.json`` the
headers that come with them.

Like PayPal, the fake checks credentials: the token endpoint wants HTTP basic auth with the
client id and secret it was given, and every other call a bearer token it handed out (and
has not revoked). Every request is recorded, so tests can assert exactly what was sent.
"""

from __future__ import annotations

import base64
import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).parent / "fixtures"
TOKEN_PATH = "/v1/oauth2/token"


def fixture(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / f"{name}.json").read_text())


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / f"{name}.json").read_bytes()


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def header(self, name: str) -> str | None:
        for key, value in self.headers.items():
            if key.lower() == name.lower():
                return value
        return None

    def json(self) -> Any:
        return json.loads(self.body)


class FakePayPal:
    def __init__(self, *, client_id: str, client_secret: str) -> None:
        self.expected_basic = "Basic " + base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()
        self.requests: list[RecordedRequest] = []
        self.valid_tokens: set[str] = set()
        self.delay_seconds = 0.0
        self._replies: dict[tuple[str, str], list[str]] = {}
        self._lock = threading.Lock()
        self._released = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.fake = self  # type: ignore[attr-defined]
        # A short poll so shutdown() returns at once rather than after half a second.
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakePayPal:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._released.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def replay(self, method: str, path: str, *fixture_names: str) -> None:
        """Answer ``method path`` with these fixtures in turn; the last one keeps answering."""
        with self._lock:
            self._replies[(method, path)] = list(fixture_names)

    def revoke_tokens(self) -> None:
        with self._lock:
            self.valid_tokens.clear()

    def calls(self) -> list[tuple[str, str]]:
        return [(request.method, request.path) for request in self.requests]

    def api_requests(self) -> list[RecordedRequest]:
        """Everything but the token requests."""
        return [request for request in self.requests if request.path != TOKEN_PATH]

    def _next_fixture(self, method: str, path: str) -> str | None:
        with self._lock:
            queue = self._replies.get((method, path))
            if not queue:
                return None
            return queue.pop(0) if len(queue) > 1 else queue[0]

    def answer(self, request: RecordedRequest) -> tuple[int, dict[str, str], bytes]:
        with self._lock:
            self.requests.append(request)
        if self.delay_seconds:
            self._released.wait(self.delay_seconds)
        authorization = request.header("Authorization") or ""
        if request.path == TOKEN_PATH:
            if authorization != self.expected_basic:
                return _reply(fixture("oauth2_token_invalid_client"))
            name = self._next_fixture(request.method, request.path) or "oauth2_token"
            reply = fixture(name)
            if reply["status"] == 200:
                with self._lock:
                    self.valid_tokens.add(reply["body"]["access_token"])
            return _reply(reply)
        token = authorization.removeprefix("Bearer ")
        with self._lock:
            token_valid = authorization.startswith("Bearer ") and token in self.valid_tokens
        if not token_valid:
            return _reply(fixture("authentication_failure"))
        name = self._next_fixture(request.method, request.path)
        if name is None:
            return 404, {"Content-Type": "application/json"}, json.dumps(
                {"name": "RESOURCE_NOT_FOUND", "message": "The specified resource does not exist.", "debug_id": "0000fake0000"}
            ).encode()
        return _reply(fixture(name))


def _reply(recorded: dict[str, Any]) -> tuple[int, dict[str, str], bytes]:
    return recorded["status"], recorded["headers"], json.dumps(recorded["body"]).encode()


class _Handler(BaseHTTPRequestHandler):
    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        request = RecordedRequest(self.command, self.path, dict(self.headers.items()), body)
        status, headers, payload = self.server.fake.answer(request)  # type: ignore[attr-defined]
        try:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test)

    do_GET = _handle
    do_POST = _handle

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        pass
