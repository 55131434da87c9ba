"""Which provider serves a payment: an explicit dictionary, no lookup by import string."""

from __future__ import annotations

from paydesk.core.errors import PaydeskError

from .base import PaymentProvider
from .offline import OfflineProvider
from .paypal.adapter import PayPalProvider
from .sandbox.provider import SandboxProvider
from .stripe.adapter import PROVIDER_NAME as STRIPE
from .stripe.services import stripe_provider_for

PROVIDERS: dict[str, PaymentProvider] = {
    SandboxProvider.info.name: SandboxProvider(),
    # Cash, cheques and transfers staff record by hand.
    "offline": OfflineProvider("offline"),
    # Bank transfers the customer sends with the invoice's reference; settled when seen.
    "bank_transfer": OfflineProvider("bank_transfer"),
    # PayPal's Orders v2 API, when PAYDESK_PAYPAL_CLIENT_ID and _SECRET are set.
    PayPalProvider.info.name: PayPalProvider(),
}


def provider_for(*, business, livemode: bool) -> PaymentProvider:
    """The card provider a business uses in this mode.

    Test mode always uses the sandbox. Live mode needs the business's own Stripe account
    (its keys are per business, so it is looked up, not kept in ``PROVIDERS``); without
    one, live payments are refused plainly.
    """
    if not livemode:
        return PROVIDERS["sandbox"]
    connected = stripe_provider_for(business=business, livemode=True)
    if connected is None:
        raise PaydeskError(
            "provider_not_configured",
            "No payment provider is connected for live payments.",
            http_status=400,
        )
    return connected


def provider_named(name: str, *, business=None, livemode: bool = False) -> PaymentProvider:
    """The provider that made a payment, to finish or refund it."""
    if name == STRIPE:
        connected = stripe_provider_for(business=business, livemode=livemode) if business is not None else None
        if connected is None:
            raise PaydeskError("provider_not_configured", "Stripe is not connected for this business.", http_status=400)
        return connected
    return PROVIDERS[name]
