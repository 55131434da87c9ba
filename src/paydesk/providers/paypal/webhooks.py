"""PayPal's webhooks: verified by PayPal itself, then applied to the payment they concern.

Verification posts the transmission headers, ``PAYDESK_PAYPAL_WEBHOOK_ID`` and the event to
``/v1/notifications/verify-webhook-signature``; anything but ``verification_status:
SUCCESS`` is refused and changes nothing. The event goes in as the exact bytes received:
PayPal signed that text, and a re-serialized copy can differ and fail.

What each event does (everything else is acknowledged and ignored):

- ``CHECKOUT.ORDER.APPROVED``: the payer approved but may never have come back to our
  return page, so the order is captured now, through ``payment_complete_action`` (which
  first checks the invoice can still take the money). Capturing twice is harmless: the
  capture's ``PayPal-Request-Id`` is fixed per order, and a payment already final is left.
- ``PAYMENT.CAPTURE.COMPLETED`` / ``PENDING`` / ``DENIED`` / ``DECLINED``: the capture's
  status is converted and handed to ``payment_settle_from_provider``, which is idempotent
  and moves only a payment still waiting (requires_action or processing). A capture whose
  amount is not the payment's is not applied.
- ``PAYMENT.CAPTURE.REFUNDED``: refunds made through Paydesk are recorded when they are
  made; a refund made on PayPal's own site would need a service that records an outside
  refund, which payments does not have yet, so it is acknowledged only.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from paydesk.core.errors import PaydeskError
from paydesk.payments.enums import PaymentStatus
from paydesk.payments.models import Payment
from paydesk.payments.services import payment_complete_action, payment_settle_from_provider

from . import convert
from .client import PayPalClient, PayPalError, shared_client
from .config import WEBHOOK_ID_VARIABLE, PayPalNotConfigured, paypal_config

logger = logging.getLogger("paydesk.providers.paypal")

PROVIDER_NAME = "paypal"

# The verification request's fields and the headers PayPal sends them in.
TRANSMISSION_HEADERS = (
    ("auth_algo", "PAYPAL-AUTH-ALGO"),
    ("cert_url", "PAYPAL-CERT-URL"),
    ("transmission_id", "PAYPAL-TRANSMISSION-ID"),
    ("transmission_sig", "PAYPAL-TRANSMISSION-SIG"),
    ("transmission_time", "PAYPAL-TRANSMISSION-TIME"),
)


class PayPalWebhookRejected(PaydeskError):
    """The webhook could not be shown to come from PayPal; nothing was applied."""

    def __init__(self, message: str) -> None:
        super().__init__("webhook_signature_invalid", message, http_status=400)


@dataclass(frozen=True)
class WebhookOutcome:
    event_id: str
    event_type: str
    # settled | completed | ignored | no_payment | amount_mismatch
    action: str
    payment_id: str = ""


def webhook_verify(*, raw_body: bytes, headers: Mapping[str, str], client: PayPalClient | None = None) -> dict[str, Any]:
    """The event, once PayPal has confirmed its signature; refuses it otherwise."""
    config = paypal_config()
    if not config.webhook_id:
        raise PayPalNotConfigured(
            f"PayPal webhooks cannot be verified: set {WEBHOOK_ID_VARIABLE} to the webhook's id "
            "from the REST app's settings on developer.paypal.com."
        )
    upper_headers = {str(name).upper(): value for name, value in headers.items()}
    fields = {}
    for field, header in TRANSMISSION_HEADERS:
        value = upper_headers.get(header, "")
        if not value:
            raise PayPalWebhookRejected(f"The webhook has no {header} header.")
        fields[field] = value
    fields["webhook_id"] = config.webhook_id
    try:
        event = json.loads(raw_body)
    except ValueError as error:
        raise PayPalWebhookRejected("The webhook's body is not JSON.") from error
    if not isinstance(event, dict):
        raise PayPalWebhookRejected("The webhook's body is not a JSON object.")
    # The body is valid JSON (just parsed), so splicing its bytes in keeps the request valid.
    request_body = json.dumps(fields).encode()[:-1] + b', "webhook_event": ' + raw_body.strip() + b"}"
    answer = (client or shared_client(config)).webhook_signature_verify(request_body)
    if answer.get("verification_status") != "SUCCESS":
        logger.warning("PayPal webhook %s failed verification", str(event.get("id", ""))[:60])
        raise PayPalWebhookRejected("PayPal did not confirm this webhook's signature.")
    return event


def webhook_apply(event: dict[str, Any]) -> WebhookOutcome:
    """Apply a verified event to its payment (see the module docstring for which do what)."""
    event_id = str(event.get("id", ""))
    event_type = str(event.get("event_type", ""))
    resource = event.get("resource")
    handler = _HANDLERS.get(event_type)
    if handler is None or not isinstance(resource, dict):
        return WebhookOutcome(event_id, event_type, "ignored")
    action, payment = handler(resource)
    logger.info("PayPal webhook %s (%s): %s", event_id, event_type, action)
    return WebhookOutcome(event_id, event_type, action, payment.public_id if payment else "")


def _paypal_payment(references: list[str]) -> Payment | None:
    return Payment.objects.filter(provider=PROVIDER_NAME, provider_reference__in=references).first()


def _order_approved(order: dict[str, Any]) -> tuple[str, Payment | None]:
    payment = _paypal_payment([str(order.get("id", ""))])
    if payment is None:
        return "no_payment", None
    if payment.status != PaymentStatus.REQUIRES_ACTION:
        return "ignored", payment
    return "completed", payment_complete_action(payment=payment, approved=True)


def _capture_changed(capture: dict[str, Any]) -> tuple[str, Payment | None]:
    order_id = str(((capture.get("supplementary_data") or {}).get("related_ids") or {}).get("order_id", ""))
    if not order_id:
        return "ignored", None
    result = convert.charge_result_from_capture(capture, order_id=order_id)
    # Before the capture the payment holds the order id; after it, "<order id>:<capture id>".
    references = [order_id, result.provider_reference]
    payment = _paypal_payment(references)
    if payment is None:
        return "no_payment", None
    if convert.amount_from_paypal(capture.get("amount")) != (payment.amount, payment.currency):
        logger.error("PayPal capture %s is not for the amount of payment %s", capture.get("id"), payment.public_id)
        return "amount_mismatch", payment
    for reference in references:
        # Tried in turn: the return page may have captured (and renamed) it meanwhile.
        settled = payment_settle_from_provider(provider_name=PROVIDER_NAME, provider_reference=reference, result=result)
        if settled is not None:
            return "settled", settled
    return "no_payment", None


def _refunded(refund: dict[str, Any]) -> tuple[str, Payment | None]:
    return "ignored", None


_HANDLERS: dict[str, Callable[[dict[str, Any]], tuple[str, Payment | None]]] = {
    "CHECKOUT.ORDER.APPROVED": _order_approved,
    "PAYMENT.CAPTURE.COMPLETED": _capture_changed,
    "PAYMENT.CAPTURE.PENDING": _capture_changed,
    "PAYMENT.CAPTURE.DENIED": _capture_changed,
    "PAYMENT.CAPTURE.DECLINED": _capture_changed,
    "PAYMENT.CAPTURE.REFUNDED": _refunded,
}


@csrf_exempt
@require_POST
def webhook_receive(request: HttpRequest) -> JsonResponse:
    """PayPal's webhook endpoint. 2xx only when the event was verified and handled;
    PayPal retries anything else (for up to three days), so a passing outage loses nothing."""
    try:
        event = webhook_verify(raw_body=request.body, headers=request.headers)
        outcome = webhook_apply(event)
    except PayPalError as error:  # PayPal unreachable or refusing us: let it retry later
        return JsonResponse(error.as_dict(), status=503)
    except PaydeskError as error:  # not configured, or rejected
        return JsonResponse(error.as_dict(), status=error.http_status)
    return JsonResponse({"received": True, "action": outcome.action})
