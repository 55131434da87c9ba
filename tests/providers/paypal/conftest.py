"""A fake PayPal on 127.0.0.1 for each test, and the environment pointing the adapter at it."""

from __future__ import annotations

import pytest

from paydesk.providers.paypal.client import shared_client

from .fake_paypal import FakePayPal

CLIENT_ID = "paydesk-test-client-id"
CLIENT_SECRET = "paydesk-test-client-secret"
WEBHOOK_ID = "1JE4291016473214C"


@pytest.fixture
def fake_paypal(monkeypatch):
    server = FakePayPal(client_id=CLIENT_ID, client_secret=CLIENT_SECRET).start()
    monkeypatch.setenv("PAYDESK_PAYPAL_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("PAYDESK_PAYPAL_CLIENT_SECRET", CLIENT_SECRET)
    monkeypatch.setenv("PAYDESK_PAYPAL_API_BASE", server.base_url)
    monkeypatch.setenv("PAYDESK_PAYPAL_WEBHOOK_ID", WEBHOOK_ID)
    shared_client.cache_clear()
    yield server
    server.stop()
    shared_client.cache_clear()


@pytest.fixture
def no_paypal(monkeypatch):
    for name in ("PAYDESK_PAYPAL_CLIENT_ID", "PAYDESK_PAYPAL_CLIENT_SECRET", "PAYDESK_PAYPAL_API_BASE", "PAYDESK_PAYPAL_WEBHOOK_ID"):
        monkeypatch.delenv(name, raising=False)
    shared_client.cache_clear()
