"""A local stand-in for api.stripe.com that replays recorded responses, in order.

A test queues the recorded exchanges it expects (``fixtures/*.json``: the request line Stripe
saw and the response it gave); the real SDK, pointed here, makes its requests; the server
answers each with the next recording and keeps what the SDK sent (method, path, query,
form-encoded body, headers) for the test to assert on. A request that does not match the
next recording's method and path, or one with nothing queued, is answered 500 and noted in
``mismatches``; the ``fake_stripe`` fixture fails the test on any mismatch or on a
recording left unused.

Listens on 127.0.0.1 only.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

FIXTURES = Path(__file__).parent / "fixtures"


def load_fixture(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text())


def _pairs_to_dict(pairs: list[tuple[str, str]]) -> dict[str, str]:
    result: dict[str, str] = {}
    for key, value in pairs:
        assert key not in result, f"parameter {key} sent twice"
        result[key] = value
    return result


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    query: dict[str, str]
    form: dict[str, str]
    headers: dict[str, str]  # names lower-cased


@dataclass(frozen=True)
class _Answer:
    fixture: str
    method: str
    path: str
    status: int
    headers: dict[str, str]
    body: bytes


class FakeStripe:
    def __init__(self) -> None:
        self._answers: deque[_Answer] = deque()
        self.requests: list[RecordedRequest] = []
        self.mismatches: list[str] = []
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format, *args):  # keep test output quiet
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode() if length else ""
                status, headers, payload = fake._respond(self.command, self.path, dict(self.headers), body)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_DELETE = _handle

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def will_answer(self, fixture: str) -> dict:
        """Queue the recording ``fixtures/<fixture>.json``; returns its response body."""
        recording = load_fixture(fixture)
        response = recording["response"]
        self._answers.append(
            _Answer(
                fixture=fixture,
                method=recording["request"]["method"],
                path=recording["request"]["path"],
                status=response["status"],
                headers=response.get("headers", {}),
                body=json.dumps(response["body"]).encode(),
            )
        )
        return response["body"]

    def will_answer_body(self, method: str, path: str, body: dict, status: int = 200) -> None:
        """Queue an answer built in the test (a recording adjusted to the test's own ids)."""
        self._answers.append(
            _Answer(
                fixture=f"{method} {path}",
                method=method,
                path=path,
                status=status,
                headers={"Stripe-Version": "2024-06-20"},
                body=json.dumps(body).encode(),
            )
        )

    @property
    def unused(self) -> list[str]:
        return [answer.fixture for answer in self._answers]

    def _respond(self, method: str, raw_path: str, headers: dict, body: str) -> tuple[int, dict, bytes]:
        parts = urlsplit(raw_path)
        request = RecordedRequest(
            method=method,
            path=parts.path,
            query=_pairs_to_dict(parse_qsl(parts.query, keep_blank_values=True)),
            form=_pairs_to_dict(parse_qsl(body, keep_blank_values=True)),
            headers={name.lower(): value for name, value in headers.items()},
        )
        with self._lock:
            self.requests.append(request)
            answer = self._answers.popleft() if self._answers else None
        if answer is None or (answer.method, answer.path) != (method, parts.path):
            expected = f"{answer.method} {answer.path}" if answer else "nothing"
            self.mismatches.append(f"got {method} {parts.path}, expected {expected}")
            error = {"error": {"type": "api_error", "message": "fake_stripe: unexpected request"}}
            return 500, {"Stripe-Should-Retry": "false"}, json.dumps(error).encode()
        return answer.status, answer.headers, answer.body

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
