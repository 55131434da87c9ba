"""PayPal behind Paydesk's provider interface (Orders v2, intent CAPTURE).

A PayPal payment is a redirect, not a card charge:

1. ``order_create`` makes an order for the amount and answers REQUIRES_ACTION with the
   PayPal page the payer must visit (``redirect_url``) and the order id as reference.
2. The payer approves (PayPal sends them to ``return_url``) or gives up (``cancel_url``).
3. ``charge_complete_action(order id, approved=...)`` captures the approved order
   (SUCCEEDED, reference ``"<order id>:<capture id>"``, PayPal's fee) or, for a cancel,
   fails the payment without calling PayPal.
4. ``refund_create`` refunds part or all of the capture named in the reference.

Every POST carries ``PayPal-Request-Id`` so a retry never acts twice: our payment id for
the order, ``<order id>-capture`` for its capture, our refund id for a refund.
Declines are results; an unreachable PayPal raises ``PayPalUnavailable`` and changes nothing
on our side, so the caller's transaction rolls back and the same call can be repeated.
"""

from __future__ import annotations

from typing import NoReturn

from paydesk.core.errors import PaydeskError

from ..base import Capability, CardDetails, ChargeRequest, ChargeResult, ProviderInfo, RefundResult
from . import convert
from .client import PayPalClient, PayPalDeclined, checked_paypal_id, shared_client
from .config import paypal_config

# PayPal's limit for purchase_units[].description.
_DESCRIPTION_LIMIT = 127


class PayPalProvider:
    info = ProviderInfo(name="paypal", capabilities=frozenset({Capability.REFUND, Capability.PARTIAL_REFUND}))

    def __init__(self, client: PayPalClient | None = None) -> None:
        # Without a client, one is made from the environment at each call's time (and
        # shared, so its access token is reused): the registry can hold this object even
        # when PayPal is not configured.
        self._client = client

    @property
    def client(self) -> PayPalClient:
        return self._client or shared_client(paypal_config())

    def charge_create(self, request: ChargeRequest) -> NoReturn:
        """Refused: PayPal never receives card numbers from us; use ``order_create``."""
        raise PaydeskError(
            "payment_method_not_supported",
            "PayPal payments are made on PayPal's own page, not with card details.",
        )

    def card_tokenize(self, card: CardDetails) -> NoReturn:
        """Refused: PayPal keeps the payer's funding sources on its side, never from a number."""
        raise PaydeskError(
            "payment_method_not_supported",
            "PayPal cannot save a card; the payer chooses how to pay on PayPal's own page.",
        )

    def order_create(
        self,
        *,
        amount: int,
        currency: str,
        reference: str,
        return_url: str,
        cancel_url: str,
        description: str = "",
    ) -> ChargeResult:
        """Create an order the payer approves on PayPal: REQUIRES_ACTION with its ``redirect_url``.

        ``reference`` is our payment id: PayPal's idempotency key and the order's
        ``reference_id``/``custom_id``, so PayPal's records point back to the payment.
        Refuses a currency PayPal does not take, or a fraction of a HUF/TWD.
        """
        purchase_unit = {
            "reference_id": reference,
            "custom_id": reference,
            "amount": convert.paypal_amount(amount, currency),
        }
        if description:
            purchase_unit["description"] = description[:_DESCRIPTION_LIMIT]
        body = {
            "intent": "CAPTURE",
            "purchase_units": [purchase_unit],
            "payment_source": {
                "paypal": {
                    "experience_context": {
                        "return_url": return_url,
                        "cancel_url": cancel_url,
                        # The payer's click on PayPal is the payment: we capture on return.
                        "user_action": "PAY_NOW",
                        "shipping_preference": "NO_SHIPPING",
                    }
                }
            },
        }
        try:
            order = self.client.order_create(body, request_id=reference)
        except PayPalDeclined as declined:
            return convert.charge_result_for_issue(declined.issue, order_id="")
        return convert.charge_result_from_created_order(order)

    def charge_complete_action(self, provider_reference: str, *, approved: bool) -> ChargeResult:
        """Capture the order the payer approved; a cancel fails the payment without a call.

        A capture PayPal already made (a repeated call, or one raced by the webhook) is
        fetched and answered the same way, so the money is never taken twice nor lost.
        """
        order_id, _ = convert.split_reference(provider_reference)
        checked_paypal_id(order_id, "order")
        if not approved:
            return convert.charge_result_not_approved(order_id)
        client = self.client
        try:
            order = client.order_capture(order_id, request_id=f"{order_id}-capture")
        except PayPalDeclined as declined:
            if declined.issue != "ORDER_ALREADY_CAPTURED":
                return convert.charge_result_for_issue(declined.issue, order_id=order_id)
            order = client.order_get(order_id)
        return convert.charge_result_from_order(order)

    def refund_create(self, provider_reference: str, *, amount: int, currency: str, reference: str) -> RefundResult:
        """Refund ``amount`` of the capture; ``reference`` (our refund id) is the idempotency key.

        Always sends the amount, also for a full refund, so what PayPal returns is exactly
        what Paydesk records.
        """
        _, capture_id = convert.split_reference(provider_reference)
        if not capture_id:
            return RefundResult(succeeded=False, failure_reason="charge_not_captured")
        body = {"amount": convert.paypal_amount(amount, currency)}
        try:
            refund = self.client.capture_refund(capture_id, body, request_id=reference)
        except PayPalDeclined as declined:
            return convert.refund_result_for_issue(declined.issue)
        return convert.refund_result_from_refund(refund)
