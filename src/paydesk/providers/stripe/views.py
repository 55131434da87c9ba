"""The endpoint Stripe posts a business's webhook events to.

Answers: 200 when the event was applied, ignored or already seen (Stripe stops retrying);
400 when the signature, its age or the body is wrong (nothing is written); 503 when a
refund owed at Stripe could not be made just now (nothing is written; Stripe retries).
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .errors import ProviderUnavailable
from .webhooks import WebhookRejected, stripe_webhook_receive


def _error(status: int, code: str, message: str) -> JsonResponse:
    error_type = "invalid_request_error" if status == 400 else "api_error"
    return JsonResponse({"error": {"type": error_type, "code": code, "message": message}}, status=status)


@csrf_exempt  # Stripe cannot send our CSRF token; the signature authenticates the request.
@require_POST
def webhook_receive(request: HttpRequest, business_public_id: str) -> JsonResponse:
    try:
        receipt = stripe_webhook_receive(
            business_public_id=business_public_id,
            payload=request.body,
            signature_header=request.headers.get("Stripe-Signature"),
        )
    except WebhookRejected as rejection:
        return _error(400, rejection.code, rejection.message)
    except ProviderUnavailable as error:
        return _error(503, error.code, error.message)
    return JsonResponse(
        {"received": True, "id": receipt.event_id, "duplicate": receipt.duplicate, "outcome": receipt.outcome}
    )
