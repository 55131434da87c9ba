"""Which provider serves a payment: an explicit dictionary, no lookup by import string."""

from __future__ import annotations

from paydesk.core.errors import PaydeskError

from .base import PaymentProvider
from .offline import OfflineProvider
from .paypal.adapter import PayPalProvider
from .sandbox.provider import SandboxProvider

PROVIDERS: dict[str, PaymentProvider] = {
    SandboxProvider.info.name: SandboxProvider(),
    # Cash, cheques and transfers staff record by hand.
    "offline": OfflineProvider("offline"),
    # Bank transfers the customer sends with the invoice's reference; settled when seen.
    "bank_transfer": OfflineProvider("bank_transfer"),
    # PayPal's Orders v2 API, when PAYDESK_PAYPAL_CLIENT_ID and _SECRET are set.
    PayPalProvider.info.name: PayPalProvider(),
}


def provider_for(*, livemode: bool) -> PaymentProvider:
    """The provider a business uses in this mode.

    Test mode always uses the sandbox. Live mode needs a connected provider (Stripe, in a
    later change); until one is connected, live payments are refused plainly.
    """
    if not livemode:
        return PROVIDERS["sandbox"]
    raise PaydeskError(
        "provider_not_configured",
        "No payment provider is connected for live payments.",
        http_status=400,
    )


def provider_named(name: str) -> PaymentProvider:
    return PROVIDERS[name]
