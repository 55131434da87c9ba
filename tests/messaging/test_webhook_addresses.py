"""Webhooks go to public addresses only (unless the installation allows private ones)."""

from __future__ import annotations

import pytest

from paydesk.core.errors import PaydeskError
from paydesk.messaging.webhooks import _public_address_problem, webhook_endpoint_create


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:8000/hook", "http://localhost/hook", "http://10.0.0.5/hook", "http://169.254.169.254/latest", "http://[::1]/hook"],
)
def test_private_addresses_are_refused_at_once(business, settings, url):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    with pytest.raises(PaydeskError) as raised:
        webhook_endpoint_create(business=business, livemode=False, url=url, enabled_events=["*"])
    assert raised.value.code == "url_not_public"


def test_a_name_resolving_to_a_private_address_is_not_delivered_to(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    # (an endpoint saved while private addresses were allowed, or a name that resolves to one)
    assert "non-public" in _public_address_problem("http://localhost:8000/hook")


def test_an_installation_may_allow_private_addresses(business, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    endpoint = webhook_endpoint_create(business=business, livemode=False, url="http://127.0.0.1:9/hook", enabled_events=["*"])
    assert endpoint.url == "http://127.0.0.1:9/hook"
    assert _public_address_problem(endpoint.url) == ""
