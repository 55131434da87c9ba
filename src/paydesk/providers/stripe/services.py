"""Connecting a business's Stripe account, and the adapter that uses it.

The secret key and webhook signing secret are written encrypted (``EncryptedTextField``)
and appear in no log, message or ``repr``: errors name the field, never its value.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from paydesk.businesses.models import Business
from paydesk.core import clock
from paydesk.core.errors import PaydeskError

from .adapter import DEFAULT_MAX_NETWORK_RETRIES, StripeProvider
from .models import StripeConnection

_SECRET_KEY_PREFIXES = {True: ("sk_live_", "rk_live_"), False: ("sk_test_", "rk_test_")}
_PUBLISHABLE_KEY_PREFIX = {True: "pk_live_", False: "pk_test_"}
_WEBHOOK_SECRET_PREFIX = "whsec_"


def _check_key(value: str, prefixes: tuple[str, ...], *, param: str, what: str) -> str:
    value = value.strip()
    if not value.startswith(prefixes) or len(value) < 16 or any(character.isspace() for character in value):
        raise PaydeskError(
            f"{param}_invalid",
            f"That is not a {what} (it starts with {' or '.join(prefixes)}).",
            param=param,
        )
    return value


@transaction.atomic
def stripe_connection_create(
    *, business: Business, livemode: bool, secret_key: str, publishable_key: str, webhook_secret: str
) -> StripeConnection:
    """Connect ``business`` to its Stripe account in one mode; connecting again replaces the keys.

    Refuses a key of the other mode (a test key for live mode or the reverse), a publishable
    key in place of the secret key, and a webhook secret that is not a ``whsec_`` signing
    secret. Restricted keys (``rk_``) are accepted: they need write access to PaymentIntents
    and Refunds. The keys are not tried against Stripe here.
    """
    mode = "live" if livemode else "test"
    secret_key = _check_key(
        secret_key, _SECRET_KEY_PREFIXES[livemode], param="secret_key", what=f"Stripe {mode} secret key"
    )
    publishable_key = _check_key(
        publishable_key,
        (_PUBLISHABLE_KEY_PREFIX[livemode],),
        param="publishable_key",
        what=f"Stripe {mode} publishable key",
    )
    webhook_secret = _check_key(
        webhook_secret, (_WEBHOOK_SECRET_PREFIX,), param="webhook_secret", what="Stripe webhook signing secret"
    )
    now = clock.now()
    connection, _ = StripeConnection.objects.update_or_create(
        business=business,
        livemode=livemode,
        defaults={
            "secret_key": secret_key,
            "secret_key_last4": secret_key[-4:],
            "publishable_key": publishable_key,
            "webhook_secret": webhook_secret,
            "updated": now,
        },
        create_defaults={
            "secret_key": secret_key,
            "secret_key_last4": secret_key[-4:],
            "publishable_key": publishable_key,
            "webhook_secret": webhook_secret,
            "created": now,
            "updated": now,
        },
    )
    return connection


def stripe_provider_for_connection(connection: StripeConnection) -> StripeProvider:
    """The adapter speaking for this connection.

    ``STRIPE_API_BASE`` (optional setting) replaces Stripe's address, for a local fake or
    stripe-mock; ``STRIPE_MAX_NETWORK_RETRIES`` (optional) sets the SDK's retries.
    """
    return StripeProvider(
        connection.secret_key,
        api_base=getattr(settings, "STRIPE_API_BASE", ""),
        max_network_retries=getattr(settings, "STRIPE_MAX_NETWORK_RETRIES", DEFAULT_MAX_NETWORK_RETRIES),
    )


def stripe_provider_for(*, business: Business, livemode: bool) -> StripeProvider | None:
    """The adapter for ``business`` in this mode, or None when it has not connected Stripe."""
    connection = StripeConnection.objects.filter(business=business, livemode=livemode).first()
    if connection is None:
        return None
    return stripe_provider_for_connection(connection)
