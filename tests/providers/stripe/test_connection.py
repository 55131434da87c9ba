"""Connecting a business to Stripe: keys checked, secrets encrypted at rest, never logged."""

from __future__ import annotations

import logging

import pytest
from django.db import connection as database

from paydesk.core.errors import PaydeskError
from paydesk.providers.base import ChargeOutcome, ChargeRequest
from paydesk.providers.stripe.models import StripeConnection
from paydesk.providers.stripe.services import stripe_connection_create, stripe_provider_for

from .conftest import (
    LIVE_PUBLISHABLE_KEY,
    LIVE_SECRET_KEY,
    LIVE_WEBHOOK_SECRET,
    PUBLISHABLE_KEY,
    SECRET_KEY,
    WEBHOOK_SECRET,
)


def test_the_secret_key_and_webhook_secret_are_stored_encrypted(connection):
    with database.cursor() as cursor:
        cursor.execute(
            "SELECT secret_key, webhook_secret, publishable_key, secret_key_last4 "
            "FROM stripe_provider_stripeconnection WHERE id = %s",
            [connection.pk],
        )
        [(stored_secret_key, stored_webhook_secret, stored_publishable_key, last4)] = cursor.fetchall()

    for stored, plain in ((stored_secret_key, SECRET_KEY), (stored_webhook_secret, WEBHOOK_SECRET)):
        assert plain not in stored
        assert plain[-12:] not in stored
        assert stored.startswith("gAAAAA")  # a Fernet token
    # The publishable key is public by design; only the last four of the secret are kept plain.
    assert (stored_publishable_key, last4) == (PUBLISHABLE_KEY, SECRET_KEY[-4:])
    reread = StripeConnection.objects.get(pk=connection.pk)
    assert (reread.secret_key, reread.webhook_secret) == (SECRET_KEY, WEBHOOK_SECRET)


def test_no_table_holds_a_secret_in_plain_text(connection):
    with database.cursor() as cursor:
        for table in database.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')
            for row in cursor.fetchall():
                text = " ".join(str(value) for value in row)
                assert SECRET_KEY not in text and WEBHOOK_SECRET not in text, table


def test_connecting_again_replaces_the_keys_of_that_mode_only(business, connection):
    live = stripe_connection_create(
        business=business,
        livemode=True,
        secret_key=LIVE_SECRET_KEY,
        publishable_key=LIVE_PUBLISHABLE_KEY,
        webhook_secret=LIVE_WEBHOOK_SECRET,
    )
    rotated = stripe_connection_create(
        business=business,
        livemode=False,
        secret_key="sk_test_51PbWLk8sW1bx2RrotatedSecretKey0042",
        publishable_key=PUBLISHABLE_KEY,
        webhook_secret="whsec_rotatedSigningSecret77",
    )

    assert rotated.pk == connection.pk
    assert StripeConnection.objects.filter(business=business).count() == 2
    reread = StripeConnection.objects.get(pk=connection.pk)
    assert (reread.secret_key, reread.webhook_secret, reread.secret_key_last4) == (
        "sk_test_51PbWLk8sW1bx2RrotatedSecretKey0042",
        "whsec_rotatedSigningSecret77",
        "0042",
    )
    assert reread.created == connection.created and reread.updated >= connection.updated
    assert StripeConnection.objects.get(pk=live.pk).secret_key == LIVE_SECRET_KEY


@pytest.mark.parametrize(
    ("livemode", "changes", "code"),
    [
        (True, {}, "secret_key_invalid"),  # test keys for live mode
        (False, {"secret_key": LIVE_SECRET_KEY}, "secret_key_invalid"),
        (False, {"secret_key": PUBLISHABLE_KEY}, "secret_key_invalid"),
        (False, {"secret_key": "sk_test_short"}, "secret_key_invalid"),
        (False, {"secret_key": "sk_test_51PbWLk8sW1bx2R pasted twice"}, "secret_key_invalid"),
        (False, {"publishable_key": SECRET_KEY}, "publishable_key_invalid"),
        (False, {"publishable_key": LIVE_PUBLISHABLE_KEY}, "publishable_key_invalid"),
        (False, {"webhook_secret": "we_1PbWLk8sW1bx2RendpointId"}, "webhook_secret_invalid"),
    ],
)
def test_a_key_of_the_wrong_kind_or_mode_is_refused_without_echoing_it(business, livemode, changes, code):
    keys = {"secret_key": SECRET_KEY, "publishable_key": PUBLISHABLE_KEY, "webhook_secret": WEBHOOK_SECRET}
    keys.update(changes)

    with pytest.raises(PaydeskError) as refused:
        stripe_connection_create(business=business, livemode=livemode, **keys)

    assert (refused.value.code, refused.value.param) == (code, code.removesuffix("_invalid"))
    for value in keys.values():
        assert value not in refused.value.message
    assert StripeConnection.objects.count() == 0


def test_surrounding_whitespace_from_a_paste_is_dropped(business):
    connected = stripe_connection_create(
        business=business,
        livemode=False,
        secret_key=f"  {SECRET_KEY}\n",
        publishable_key=PUBLISHABLE_KEY,
        webhook_secret=f"{WEBHOOK_SECRET} ",
    )

    reread = StripeConnection.objects.get(pk=connected.pk)
    assert (reread.secret_key, reread.webhook_secret) == (SECRET_KEY, WEBHOOK_SECRET)


def test_the_connection_never_shows_its_secrets(connection):
    shown = f"{connection!r} {connection!s}"
    assert SECRET_KEY not in shown and WEBHOOK_SECRET not in shown
    assert str(connection) == f"Stripe (test, key ending {SECRET_KEY[-4:]})"


def test_a_business_without_stripe_has_no_stripe_provider(business):
    assert stripe_provider_for(business=business, livemode=False) is None


def test_the_business_provider_charges_with_the_connections_key_and_logs_no_secret(
    business, connection, fake_stripe, caplog
):
    caplog.set_level(logging.DEBUG)
    fake_stripe.will_answer("payment_intent_create_succeeded")

    provider = stripe_provider_for(business=business, livemode=False)
    result = provider.charge_create_with_payment_method(
        ChargeRequest(amount=12000, currency="usd", card=None, reference="pay_Qm4Xr7TzK2vN9cWb1LpY6eHs"),
        "pm_card_visa",
    )

    assert result.outcome == ChargeOutcome.SUCCEEDED
    assert fake_stripe.requests[0].headers["authorization"] == f"Bearer {SECRET_KEY}"
    assert "Request to Stripe api" in caplog.text  # the SDK did log, at DEBUG even
    assert SECRET_KEY not in caplog.text and WEBHOOK_SECRET not in caplog.text
    assert stripe_provider_for(business=business, livemode=True) is None
