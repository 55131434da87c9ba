"""Authentication and idempotency for ``/api/v1/``, before django-ninja sees the request.

Done here rather than per endpoint so no endpoint can forget either, and so a replayed
response is returned without touching the endpoint at all.
"""

from __future__ import annotations

from django.http import HttpRequest

from paydesk.businesses.selectors import api_key_find
from paydesk.core.errors import AUTHENTICATION_ERROR, PaydeskError

from .idempotency import with_idempotency
from .responses import error_response

API_PREFIX = "/api/v1/"
PUBLIC_PATHS = {"/api/v1/openapi.json", "/api/v1/docs"}


def _bearer_token(request: HttpRequest) -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer":
        return ""
    return token.strip()


class ApiRequestMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        if not request.path.startswith(API_PREFIX) or request.path.rstrip("/") in PUBLIC_PATHS:
            return self.get_response(request)
        token = _bearer_token(request)
        if not token:
            return error_response(
                PaydeskError(
                    "api_key_missing",
                    "No API key provided. Send 'Authorization: Bearer sk_test_...'.",
                    type=AUTHENTICATION_ERROR,
                )
            )
        api_key = api_key_find(token)
        if api_key is None:
            return error_response(
                PaydeskError("api_key_invalid", "Invalid API key provided.", type=AUTHENTICATION_ERROR)
            )
        if api_key.kind != "secret":
            return error_response(
                PaydeskError(
                    "secret_key_required",
                    "This request needs a secret key (sk_...), not a publishable key.",
                    type=AUTHENTICATION_ERROR,
                )
            )
        request.api_key = api_key
        request.business = api_key.business
        request.livemode = api_key.livemode
        idempotency_key = request.headers.get("Idempotency-Key", "")
        if request.method == "POST" and idempotency_key:
            return with_idempotency(request, idempotency_key, self.get_response)
        return self.get_response(request)
