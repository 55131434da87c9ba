"""Authentication and idempotency for ``/api/v1/``, before django-ninja sees the request.

Done here rather than per endpoint so no endpoint can forget either, and so a replayed
response is returned without touching the endpoint at all. The checks that need no
endpoint (unknown query parameters, NUL characters, an oversized body) run here too,
before the idempotency record, so a refused request is never stored as an answer; and any
answer Django gives outside django-ninja (an unknown URL, a wrong method) is put in the
error envelope like every other.
"""

from __future__ import annotations

import functools
import logging
import re

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve

from paydesk.businesses.selectors import api_key_find
from paydesk.core import clock
from paydesk.core.errors import AUTHENTICATION_ERROR, PaydeskError

from .idempotency import with_idempotency
from .responses import error_response

logger = logging.getLogger(__name__)

API_PREFIX = "/api/v1/"
PUBLIC_PATHS = {"/api/v1/openapi.json", "/api/v1/docs"}
_ROUTE_PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>")


def _bearer_token(request: HttpRequest) -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer":
        return ""
    return token.strip()


@functools.cache
def _query_parameters_by_operation() -> dict[tuple[str, str], frozenset[str]]:
    """``(METHOD, "/api/v1/invoices/{invoice_id}")`` → the query parameters it declares.

    Read once from the OpenAPI document, which django-ninja builds from the endpoints'
    signatures, so a new endpoint or parameter needs no change here.
    """
    from .main import api

    try:
        paths = api.get_openapi_schema()["paths"]
    except Exception:  # a broken schema must not take the whole API down
        logger.exception("cannot read the OpenAPI document; unknown query parameters are not checked")
        return {}
    return {
        (method.upper(), path): frozenset(
            parameter["name"] for parameter in operation.get("parameters", []) if parameter.get("in") == "query"
        )
        for path, operations in paths.items()
        for method, operation in operations.items()
    }


def _unknown_query_parameter(request: HttpRequest) -> str | None:
    """The first query parameter the endpoint does not declare (Stripe refuses those too)."""
    if not request.GET:
        return None
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    path = "/" + _ROUTE_PARAMETER.sub(r"{\1}", match.route)
    allowed = _query_parameters_by_operation().get((request.method, path))
    if allowed is None:  # not a django-ninja endpoint, or a method it lacks: answered later
        return None
    return next((name for name in request.GET if name not in allowed), None)


def _refusal_before_endpoint(request: HttpRequest) -> PaydeskError | None:
    if "\x00" in request.path or any("\x00" in name + "".join(values) for name, values in request.GET.lists()):
        return PaydeskError("parameter_invalid_string", "The request URL must not contain NUL characters.")
    unknown = _unknown_query_parameter(request)
    if unknown is not None:
        return PaydeskError("parameter_unknown", f"Received unknown parameter: {unknown}", param=unknown)
    try:
        request.body  # noqa: B018 - read now, so a body past the limit is refused here
    except RequestDataTooBig:
        return PaydeskError("request_too_large", "The request body is too large.", http_status=413)
    return None


def _in_envelope(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Django's own HTML 404 and 405 pages, for URLs and methods no endpoint serves."""
    if response.status_code not in (404, 405) or response.get("Content-Type", "").startswith("application/json"):
        return response
    if response.status_code == 404:
        return error_response(
            PaydeskError(
                "resource_missing",
                f"Unrecognized request URL ({request.method}: {request.path}).",
                http_status=404,
            )
        )
    allowed = response.get("Allow", "")
    envelope = error_response(
        PaydeskError(
            "method_not_allowed",
            f"{request.method} is not allowed on {request.path}; allowed: {allowed}.",
            http_status=405,
        )
    )
    envelope["Allow"] = allowed
    return envelope


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
        refusal = _refusal_before_endpoint(request)
        if refusal is not None:
            return error_response(refusal)

        def respond(request: HttpRequest) -> HttpResponse:
            return _in_envelope(request, self.get_response(request))

        idempotency_key = request.headers.get("Idempotency-Key", "")
        # Everything this request does happens at the business's time (its test clock).
        with clock.business_time(request.business, livemode=request.livemode):
            if request.method == "POST" and idempotency_key:
                return with_idempotency(request, idempotency_key, respond)
            return respond(request)
