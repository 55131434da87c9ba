"""Fixtures for the Stripe adapter: the fake Stripe server, an adapter pointed at it, and a
business connected to Stripe in test mode."""

from __future__ import annotations

import hashlib
import hmac
import time

import pytest

from paydesk.providers.stripe.adapter import StripeProvider
from paydesk.providers.stripe.services import stripe_connection_create

from .fake_stripe import FakeStripe

SECRET_KEY = "sk_test_51PbWLk8sW1bx2RpaydeskFakeSecretKeyZq9v"
PUBLISHABLE_KEY = "pk_test_51PbWLk8sW1bx2RpaydeskFakePublishableKey"
WEBHOOK_SECRET = "whsec_paydeskFakeSigningSecret4b7c9d1e"
LIVE_SECRET_KEY = "sk_live_51PbWLk8sW1bx2RpaydeskFakeLiveSecretKey"
LIVE_PUBLISHABLE_KEY = "pk_live_51PbWLk8sW1bx2RpaydeskFakeLivePublishable"
LIVE_WEBHOOK_SECRET = "whsec_paydeskFakeLiveSigningSecret8e2f"


@pytest.fixture
def fake_stripe():
    """The fake api.stripe.com. Fails the test if the SDK sent a request no recording
    expected, or if a queued recording was never asked for."""
    server = FakeStripe()
    yield server
    server.close()
    assert server.mismatches == []
    assert server.unused == []


@pytest.fixture
def provider(fake_stripe) -> StripeProvider:
    return StripeProvider(SECRET_KEY, api_base=fake_stripe.url, max_network_retries=0)


@pytest.fixture
def connection(business, fake_stripe, settings):
    """``business`` connected to Stripe in test mode, its adapter pointed at the fake server."""
    settings.STRIPE_API_BASE = fake_stripe.url
    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    return stripe_connection_create(
        business=business,
        livemode=False,
        secret_key=SECRET_KEY,
        publishable_key=PUBLISHABLE_KEY,
        webhook_secret=WEBHOOK_SECRET,
    )


def stripe_signature(payload: bytes, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """The ``Stripe-Signature`` header as Stripe documents it, computed here without the SDK:
    ``t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>" keyed with the signing secret>``."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"
