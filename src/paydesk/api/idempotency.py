"""Stripe's idempotency semantics for every POST that carries ``Idempotency-Key``.

- The first request's response (any status below 500) is stored and replayed for the same
  key, with ``Idempotent-Replayed: true``.
- The same key with a different path or different parameters is an ``idempotency_error``.
- The same key while the first request still runs is a 409 ``idempotency_error``.
- A 5xx is not stored, so the client may retry with the same key.
- Keys expire 24 hours after first use.
"""

from __future__ import annotations

import datetime
import hashlib
import json

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse

from paydesk.core import clock
from paydesk.core.errors import IDEMPOTENCY_ERROR, PaydeskError

from .models import IdempotencyRecord
from .responses import error_response

KEY_LIFETIME = datetime.timedelta(hours=24)
MAX_KEY_LENGTH = 255
# A request still marked running after this long died with its process; let a retry in.
ABANDONED_AFTER = datetime.timedelta(minutes=5)


def _fingerprint(request: HttpRequest) -> str:
    body = request.body or b""
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode()
    except (ValueError, RecursionError):
        # Not JSON, or nested too deep to parse: the endpoint will refuse it; the raw bytes
        # still tell one request from another.
        canonical = body
    return hashlib.sha256(request.method.encode() + b" " + request.path.encode() + b"\n" + canonical).hexdigest()


def _claim(request: HttpRequest, key: str, fingerprint: str) -> IdempotencyRecord | HttpResponse:
    """Create the record for a first use, or answer from (or about) an earlier one."""
    now = clock.now()
    scope = {"business": request.business, "livemode": request.livemode, "key": key}
    for _ in range(2):
        try:
            with transaction.atomic():
                return IdempotencyRecord.objects.create(
                    **scope,
                    request_method=request.method,
                    request_path=request.path,
                    request_fingerprint=fingerprint,
                    created=now,
                )
        except IntegrityError:
            pass
        existing = IdempotencyRecord.objects.filter(**scope).first()
        if existing is None:
            continue
        expired = existing.created < now - KEY_LIFETIME
        abandoned = existing.response_status is None and existing.created < now - ABANDONED_AFTER
        if expired or abandoned:
            IdempotencyRecord.objects.filter(pk=existing.pk, created=existing.created).delete()
            continue
        if existing.request_fingerprint != fingerprint or existing.request_path != request.path:
            return error_response(
                PaydeskError(
                    "idempotency_key_reused",
                    "Keys for idempotent requests can only be used with the same parameters "
                    "they were first used with.",
                    type=IDEMPOTENCY_ERROR,
                )
            )
        if existing.response_status is None:
            return error_response(
                PaydeskError(
                    "idempotency_key_in_use",
                    "A request with this idempotency key is still being processed; retry shortly.",
                    type=IDEMPOTENCY_ERROR,
                    http_status=409,
                )
            )
        replay = HttpResponse(
            bytes(existing.response_body or b""),
            status=existing.response_status,
            content_type="application/json",
        )
        replay["Idempotent-Replayed"] = "true"
        return replay
    return error_response(
        PaydeskError("idempotency_key_in_use", "Retry shortly.", type=IDEMPOTENCY_ERROR, http_status=409)
    )


def with_idempotency(request: HttpRequest, key: str, handle) -> HttpResponse:
    """Run ``handle(request)`` at most once per key; replay its answer afterwards."""
    if len(key) > MAX_KEY_LENGTH or not key.isprintable():
        return error_response(
            PaydeskError(
                "idempotency_key_invalid",
                f"Idempotency-Key must be printable and at most {MAX_KEY_LENGTH} characters.",
                type=IDEMPOTENCY_ERROR,
            )
        )
    claimed = _claim(request, key, _fingerprint(request))
    if isinstance(claimed, HttpResponse):
        return claimed
    try:
        response = handle(request)
    except BaseException:
        IdempotencyRecord.objects.filter(pk=claimed.pk).delete()
        raise
    if response.status_code >= 500 or response.streaming:
        IdempotencyRecord.objects.filter(pk=claimed.pk).delete()
        return response
    IdempotencyRecord.objects.filter(pk=claimed.pk).update(
        response_status=response.status_code, response_body=response.content
    )
    return response


def idempotency_records_purge() -> int:
    """Forget keys older than their lifetime."""
    deleted, _ = IdempotencyRecord.objects.filter(created__lt=clock.now() - KEY_LIFETIME).delete()
    return deleted
