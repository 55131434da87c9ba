"""Fixtures for journeys over real HTTP: a real ``paydesk serve`` subprocess, a JSON client
speaking to it with urllib, and a real local HTTP server that records webhook POSTs.

The server gets a fresh data directory (SQLite database, queue file, secret key). When
``PAYDESK_DATABASE_URL`` is set it is passed on, so the same journey runs on PostgreSQL;
that database is the real one named in the URL, not pytest's test database, so tests
scope everything to the business they create and never assume it is empty.
"""

from __future__ import annotations

import http.server
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

_console_script = Path(sys.executable).with_name("paydesk")
PAYDESK_COMMAND = [str(_console_script)] if _console_script.exists() else [sys.executable, "-m", "paydesk.cli"]
STARTUP_TIMEOUT_SECONDS = 30
COMMAND_TIMEOUT_SECONDS = 120
REQUEST_TIMEOUT_SECONDS = 30


def free_loopback_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class PaydeskServer:
    base_url: str
    environment: dict[str, str]
    log_path: Path
    process: subprocess.Popen

    def cli(self, *arguments: str) -> subprocess.CompletedProcess:
        """Run ``paydesk ARGUMENTS`` against the same database and data directory."""
        return subprocess.run(
            [*PAYDESK_COMMAND, *arguments],
            env=self.environment,
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT_SECONDS,
        )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


def _wait_until_healthy(server: PaydeskServer) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(f"paydesk serve exited with {server.process.returncode}:\n{server.log()}")
        try:
            with urllib.request.urlopen(server.base_url + "/healthz", timeout=2) as response:
                if response.status == 200 and json.loads(response.read()) == {"status": "ok"}:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.1)
    pytest.fail(f"paydesk serve did not answer /healthz in {STARTUP_TIMEOUT_SECONDS} s:\n{server.log()}")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def paydesk_server(tmp_path_factory) -> PaydeskServer:
    """``paydesk serve`` (web server and in-process worker) on a free loopback port."""
    data_dir = tmp_path_factory.mktemp("paydesk-data")
    port = free_loopback_port()
    base_url = f"http://127.0.0.1:{port}"
    environment = dict(os.environ)
    environment.update(
        PAYDESK_DATA_DIR=str(data_dir),
        PAYDESK_BASE_URL=base_url,
        # The test's webhook receiver listens on this machine.
        PAYDESK_WEBHOOK_ALLOW_PRIVATE_ADDRESSES="1",
        PYTHONUNBUFFERED="1",
    )
    # The subprocess must queue jobs for its own worker, not run them inline.
    environment.pop("PAYDESK_QUEUE_IMMEDIATE", None)
    log_path = data_dir / "server.log"

    migrated = subprocess.run(
        [*PAYDESK_COMMAND, "migrate"], env=environment, capture_output=True, text=True, timeout=COMMAND_TIMEOUT_SECONDS
    )
    assert migrated.returncode == 0, migrated.stdout + migrated.stderr

    with open(log_path, "wb") as log_file:
        process = subprocess.Popen(
            [*PAYDESK_COMMAND, "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=environment,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    server = PaydeskServer(base_url=base_url, environment=environment, log_path=log_path, process=process)
    try:
        _wait_until_healthy(server)
        yield server
    finally:
        _stop(process)
        print(f"paydesk serve output kept in {log_path}")


@dataclass
class HttpResponse:
    status: int
    body: dict


class HttpApi:
    """The API over real HTTP with a bearer key, JSON in and out."""

    def __init__(self, base_url: str, secret_key: str):
        self.base_url = base_url + "/api/v1"
        self.secret_key = secret_key

    def request(self, method: str, path: str, body: dict | None = None) -> HttpResponse:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base_url + path, data=data, method=method)
        request.add_header("Authorization", f"Bearer {self.secret_key}")
        request.add_header("Accept", "application/json")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT_SECONDS) as response:
                return HttpResponse(response.status, json.loads(response.read()))
        except urllib.error.HTTPError as error:
            return HttpResponse(error.code, json.loads(error.read() or b"{}"))

    def get(self, path: str) -> HttpResponse:
        return self.request("GET", path)

    def post(self, path: str, body: dict | None = None) -> HttpResponse:
        return self.request("POST", path, body if body is not None else {})


@pytest.fixture
def http_api(live_server, created_business) -> HttpApi:
    """The API of the live server over real HTTP, with the business's test secret key."""
    return HttpApi(live_server.url, created_business.secret_key)


def advance_until(api: HttpApi, condition, *, most_days: int = 45) -> int:
    """Advance the business's test clock a day at a time (the server runs the work due after
    each day) until ``condition()`` holds; answers how many days that took."""
    for day in range(1, most_days + 1):
        advanced = api.post("/test_helpers/advance_clock", {"days": 1})
        assert advanced.status == 200, advanced.body
        if condition():
            return day
    raise AssertionError(f"still not so after {most_days} days")


@dataclass
class ReceivedWebhook:
    path: str
    signature: str
    body: bytes

    @property
    def event(self) -> dict:
        return json.loads(self.body)


@dataclass
class WebhookReceiver:
    """A real HTTP server on loopback that records every POST and answers ``statuses``.

    ``statuses`` is consumed one per request; once empty, every request gets 200.
    """

    url: str
    statuses: list[int] = field(default_factory=list)
    received: list[ReceivedWebhook] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def snapshot(self) -> list[ReceivedWebhook]:
        with self.lock:
            return list(self.received)

    def wait_for(self, predicate, *, timeout_seconds: float = 20) -> list[ReceivedWebhook]:
        """Poll until ``predicate(received)`` holds; return what was received either way."""
        deadline = time.monotonic() + timeout_seconds
        while True:
            received = self.snapshot()
            if predicate(received) or time.monotonic() >= deadline:
                return received
            time.sleep(0.1)


@pytest.fixture
def webhook_receiver(settings):
    # The receiver is on this machine: allow that for deliveries made in this process too.
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    receiver = WebhookReceiver(url="")

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's naming)
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with receiver.lock:
                receiver.received.append(
                    ReceivedWebhook(self.path, self.headers.get("Paydesk-Signature", ""), body)
                )
                status = receiver.statuses.pop(0) if receiver.statuses else 200
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(b"ok" if status < 300 else b"try again")

        def log_message(self, format, *args):  # keep the test output quiet
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    receiver.url = f"http://127.0.0.1:{httpd.server_address[1]}/hooks"
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="webhook-receiver", daemon=True
    )
    thread.start()
    try:
        yield receiver
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


# The browser fixtures, for every journey module in this folder.
from .browser import browser_settings, chromium, new_context, page, shots  # noqa: E402, F401
