"""What the Stripe adapter raises instead of answering with a result.

Declines and bad payment methods are results (``ChargeResult`` / ``RefundResult``), never
exceptions. These are the cases where no answer about the money can be given:

- ``ProviderUnavailable``: Stripe could not be reached, timed out, answered 5xx or 429.
  Whether the charge happened is unknown; repeating the same call with the same reference
  (our idempotency key) is safe and returns what Stripe did.
- ``ProviderRejected``: Stripe refused the request itself (a wrong or revoked key, a
  restricted key without the permission, an idempotency key reused with other parameters)
  or answered something this adapter does not understand. Retrying will not help; an
  operator must look.
- ``RawCardNotAccepted``: a card number reached the server. With Stripe card details are
  tokenized in the payer's browser (Stripe.js / the Payment Element); the server only ever
  handles the resulting PaymentMethod id (``pm_...``).
"""

from __future__ import annotations

from paydesk.core.errors import API_ERROR, PaydeskError


class ProviderUnavailable(PaydeskError):
    def __init__(self, message: str) -> None:
        super().__init__("provider_unavailable", message, type=API_ERROR, http_status=503)


class ProviderRejected(PaydeskError):
    def __init__(self, message: str) -> None:
        super().__init__("provider_rejected", message, type=API_ERROR, http_status=502)


class RawCardNotAccepted(PaydeskError):
    def __init__(self) -> None:
        super().__init__(
            "raw_card_data_not_accepted",
            "Stripe takes card details only in the payer's browser; send the PaymentMethod id "
            "(pm_...) that Stripe.js created instead of the card number.",
            param="card",
            http_status=400,
        )
