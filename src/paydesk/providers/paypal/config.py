"""Where the PayPal adapter finds its account: environment variables, read at call time.

PayPal is optional. Without ``PAYDESK_PAYPAL_CLIENT_ID`` and ``PAYDESK_PAYPAL_CLIENT_SECRET``
nothing PayPal does is available, and every attempt is refused with ``PayPalNotConfigured``
(code ``provider_not_configured``, the same code the registry uses for a missing provider).

Read here and not in ``settings.py`` so the adapter stays self-contained and a test can
point it at a local fake PayPal by setting the variables.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from paydesk.core.errors import PaydeskError

CLIENT_ID_VARIABLE = "PAYDESK_PAYPAL_CLIENT_ID"
CLIENT_SECRET_VARIABLE = "PAYDESK_PAYPAL_CLIENT_SECRET"
API_BASE_VARIABLE = "PAYDESK_PAYPAL_API_BASE"
WEBHOOK_ID_VARIABLE = "PAYDESK_PAYPAL_WEBHOOK_ID"

SANDBOX_API_BASE = "https://api-m.sandbox.paypal.com"
LIVE_API_BASE = "https://api-m.paypal.com"

# Plain http is allowed only to this machine (a local fake PayPal in tests); anywhere else
# the client secret and bearer tokens would cross the network in the clear.
_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


class PayPalNotConfigured(PaydeskError):
    """PayPal was asked for, but this installation has no PayPal account connected."""

    def __init__(self, message: str) -> None:
        super().__init__("provider_not_configured", message, http_status=400)


@dataclass(frozen=True)
class PayPalConfig:
    client_id: str
    # Never shown by repr: a config may end up in a traceback or a log line.
    client_secret: str = field(repr=False)
    api_base: str = SANDBOX_API_BASE
    webhook_id: str = ""

    @property
    def is_sandbox(self) -> bool:
        """Anything but PayPal's live API is play money (its sandbox, or a local stand-in)."""
        return self.api_base != LIVE_API_BASE


def _variable(name: str) -> str:
    return os.environ.get(name, "").strip()


def _checked_api_base(raw: str) -> str:
    base = raw.rstrip("/")
    parts = urlsplit(base)
    secure = parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in _LOOPBACK_HOSTS)
    if not parts.hostname or not secure or parts.path or parts.query or parts.fragment:
        raise PayPalNotConfigured(
            f"{API_BASE_VARIABLE} must be an https:// address with no path, such as {LIVE_API_BASE}."
        )
    return base


def paypal_configured() -> bool:
    """Whether a PayPal account is connected (both credentials are set)."""
    return bool(_variable(CLIENT_ID_VARIABLE) and _variable(CLIENT_SECRET_VARIABLE))


def paypal_config() -> PayPalConfig:
    """The PayPal account to use now. Refuses plainly when it is not (fully) set up."""
    client_id = _variable(CLIENT_ID_VARIABLE)
    client_secret = _variable(CLIENT_SECRET_VARIABLE)
    if not client_id or not client_secret:
        raise PayPalNotConfigured(
            f"PayPal is not connected: set {CLIENT_ID_VARIABLE} and {CLIENT_SECRET_VARIABLE} "
            "to the REST app credentials from developer.paypal.com."
        )
    return PayPalConfig(
        client_id=client_id,
        client_secret=client_secret,
        api_base=_checked_api_base(_variable(API_BASE_VARIABLE) or SANDBOX_API_BASE),
        webhook_id=_variable(WEBHOOK_ID_VARIABLE),
    )
