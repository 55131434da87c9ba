"""Outgoing webhooks: endpoint management, fan-out of events, signing and delivery.

Every event is delivered at least once to every endpoint that wants it, with the same
event id on every retry, signed ``Paydesk-Signature: t=<unix>,v1=<hex hmac>``.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import ipaddress
import json
import logging
import secrets
import socket
import time
import urllib.error
import urllib.request
from urllib.parse import urlparse

from django.conf import settings
from django.db import transaction
from django.db.models import F

from paydesk.api.objects import event_object
from paydesk.businesses.models import Business
from paydesk.core import clock
from paydesk.core.errors import NotFound, PaydeskError
from paydesk.events.models import Event

from .models import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "Paydesk-Signature"
SIGNATURE_TOLERANCE_SECONDS = 300
# Waits after the 1st, 2nd, ... failed attempt; the last repeats until the window closes.
RETRY_DELAYS_SECONDS = [60, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600]
LEASE_SECONDS = 120
MAX_ENDPOINTS_PER_BUSINESS = 16


def sign_payload(*, secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify_signature(*, secret: str, header: str, body: bytes, now: int | None = None) -> bool:
    """What a receiver does: check the HMAC and that the timestamp is recent."""
    parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    now = int(time.time()) if now is None else now
    if abs(now - timestamp) > SIGNATURE_TOLERANCE_SECONDS:
        return False
    expected = sign_payload(secret=secret, timestamp=timestamp, body=body).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))


def _check_url(url: str) -> None:
    """An http(s) address; a host written as a non-public IP address (or "localhost") is
    refused at once. Names are resolved and checked again at every delivery."""
    parsed = urlparse(url or "")
    if parsed.scheme not in {"http", "https"} or not parsed.hostname or len(url) > 2000:
        raise PaydeskError("url_invalid", "The webhook URL must be an http or https address.", param="url")
    if settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES:
        return
    host = parsed.hostname
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if host == "localhost" or host.endswith(".localhost") or (literal is not None and not literal.is_global):
        raise PaydeskError(
            "url_not_public", "Webhooks can only be sent to public internet addresses.", param="url"
        )


def _check_events(enabled_events: list[str]) -> None:
    if not enabled_events:
        raise PaydeskError("parameter_missing", "Name at least one event type, or '*'.", param="enabled_events")
    for pattern in enabled_events:
        if not isinstance(pattern, str) or not pattern or len(pattern) > 60 or " " in pattern:
            raise PaydeskError("event_type_invalid", f"'{pattern}' is not an event type.", param="enabled_events")


@transaction.atomic
def webhook_endpoint_create(
    *, business: Business, livemode: bool, url: str, enabled_events: list[str]
) -> WebhookEndpoint:
    _check_url(url)
    _check_events(enabled_events)
    active = WebhookEndpoint.objects.filter(business=business, livemode=livemode, deleted_at__isnull=True).count()
    if active >= MAX_ENDPOINTS_PER_BUSINESS:
        raise PaydeskError("too_many_endpoints", f"At most {MAX_ENDPOINTS_PER_BUSINESS} webhook endpoints.")
    return WebhookEndpoint.objects.create(
        business=business,
        livemode=livemode,
        url=url,
        enabled_events=list(enabled_events),
        secret="whsec_" + secrets.token_urlsafe(32),
    )


def webhook_endpoint_get(*, business: Business, livemode: bool, public_id: str) -> WebhookEndpoint:
    endpoint = WebhookEndpoint.objects.filter(
        business=business, livemode=livemode, public_id=public_id, deleted_at__isnull=True
    ).first()
    if endpoint is None:
        raise NotFound("webhook_endpoint", public_id)
    return endpoint


def webhook_endpoint_list(*, business: Business, livemode: bool):
    return WebhookEndpoint.objects.filter(
        business=business, livemode=livemode, deleted_at__isnull=True
    ).order_by("-id")


@transaction.atomic
def webhook_endpoint_delete(*, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """Stop sending to an endpoint; deliveries not yet made are dropped."""
    endpoint.deleted_at = clock.now()
    endpoint.enabled = False
    endpoint.save(update_fields=["deleted_at", "enabled"])
    WebhookDelivery.objects.filter(endpoint=endpoint, status=DeliveryStatus.PENDING).update(
        status=DeliveryStatus.FAILED
    )
    return endpoint


def _active_endpoints(event: Event) -> list[WebhookEndpoint]:
    """The business's enabled endpoints in the event's mode, read once per business object.

    A payment records four events in one transaction on one freshly read business row, so
    the endpoints are kept on that object rather than read four times; the next transaction
    reads its business (and so the endpoints) afresh.
    """
    business = event.business
    cache = business.__dict__.setdefault("_paydesk_webhook_endpoints", {})
    if event.livemode not in cache:
        cache[event.livemode] = list(
            WebhookEndpoint.objects.filter(
                business_id=event.business_id, livemode=event.livemode, enabled=True, deleted_at__isnull=True
            )
        )
    return cache[event.livemode]


def webhook_deliveries_create(*, event: Event) -> int:
    """Queue the event for every enabled endpoint of its business that wants it.

    Runs inside the event's transaction; wakes the worker once the transaction commits.
    """
    endpoints = [endpoint for endpoint in _active_endpoints(event) if endpoint.wants(event.type)]
    if not endpoints:
        return 0
    WebhookDelivery.objects.bulk_create(
        [
            # Delivery runs on the wall clock (a business's test clock moves its events' times,
            # not when the worker sends them).
            WebhookDelivery(event=event, endpoint=endpoint, next_attempt_at=clock.real_now(), created=clock.real_now())
            for endpoint in endpoints
        ]
    )
    from .tasks import wake_webhook_worker

    transaction.on_commit(wake_webhook_worker)
    return len(endpoints)


def _claim(delivery_id: int, expected_next_attempt_at: datetime.datetime) -> bool:
    """Take a delivery for this worker by moving its due time forward, if nobody else has."""
    lease_until = clock.real_now() + datetime.timedelta(seconds=LEASE_SECONDS)
    claimed = WebhookDelivery.objects.filter(
        pk=delivery_id, status=DeliveryStatus.PENDING, next_attempt_at=expected_next_attempt_at
    ).update(next_attempt_at=lease_until)
    return claimed == 1


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A receiver answers for itself: a redirect is an answer (not a 2xx), never followed,
    so a public address cannot bounce a delivery to an internal one."""

    def redirect_request(self, request, fp, code, message, headers, new_url):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def _public_address_problem(url: str) -> str:
    """Why this URL's host may not receive webhooks (it resolves to a private, loopback,
    link-local or reserved address), or "" when it may."""
    if settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES:
        return ""
    host = urlparse(url).hostname or ""
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except OSError as error:
        return f"cannot resolve {host}: {error}"
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if not ip.is_global or ip.is_multicast:
            return f"{host} resolves to a non-public address"
    return ""


def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int | None, str, str]:
    problem = _public_address_problem(url)
    if problem:
        return None, "", problem
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with _opener.open(request, timeout=settings.WEBHOOK_TIMEOUT_SECONDS) as response:
            return response.status, response.read(500).decode(errors="replace"), ""
    except urllib.error.HTTPError as error:
        return error.code, error.read(500).decode(errors="replace"), ""
    except (urllib.error.URLError, OSError, ValueError) as error:
        return None, "", str(getattr(error, "reason", error))[:300]


def webhook_delivery_attempt(delivery: WebhookDelivery) -> bool:
    """One signed POST of the event; records the attempt and schedules a retry on failure."""
    endpoint = delivery.endpoint
    body = json.dumps(event_object(delivery.event), separators=(",", ":")).encode()
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Paydesk-Webhooks/1",
        SIGNATURE_HEADER: sign_payload(secret=endpoint.secret, timestamp=timestamp, body=body),
    }
    started = time.monotonic()
    status, excerpt, error = _post(endpoint.url, body, headers)
    duration = int((time.monotonic() - started) * 1000)
    succeeded = status is not None and 200 <= status < 300
    now = clock.real_now()
    with transaction.atomic():
        WebhookAttempt.objects.create(
            delivery=delivery,
            attempted_at=now,
            response_status=status,
            response_excerpt=excerpt,
            error=error,
            duration_milliseconds=duration,
            succeeded=succeeded,
        )
        attempt_count = delivery.attempt_count + 1
        updates: dict = {"attempt_count": F("attempt_count") + 1}
        if succeeded:
            updates.update(status=DeliveryStatus.SUCCEEDED, delivered_at=now)
        else:
            delay = RETRY_DELAYS_SECONDS[min(attempt_count, len(RETRY_DELAYS_SECONDS)) - 1]
            next_attempt = now + datetime.timedelta(seconds=delay)
            window_closes = delivery.created + datetime.timedelta(seconds=settings.WEBHOOK_RETRY_WINDOW_SECONDS)
            if now >= window_closes:
                updates.update(status=DeliveryStatus.FAILED)
            else:
                # The last try is when the 3-day window closes, not a backoff step before it.
                updates.update(next_attempt_at=min(next_attempt, window_closes))
        WebhookDelivery.objects.filter(pk=delivery.pk).update(**updates)
    if not succeeded:
        logger.info("webhook %s to %s failed: %s %s", delivery.event.public_id, endpoint.public_id, status, error)
    return succeeded


def webhook_deliveries_sweep(*, limit: int = 100) -> int:
    """Attempt every delivery that is due; safe to run from many workers at once."""
    due = list(
        WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=clock.real_now())
        .order_by("next_attempt_at")
        .values_list("pk", "next_attempt_at")[:limit]
    )
    attempted = 0
    for delivery_id, next_attempt_at in due:
        if not _claim(delivery_id, next_attempt_at):
            continue
        delivery = WebhookDelivery.objects.select_related("event", "endpoint").get(pk=delivery_id)
        webhook_delivery_attempt(delivery)
        attempted += 1
    return attempted
