"""Into the customer portal without a password.

- A **magic link** is emailed to an address on file: single use, good for 30 minutes, and
  only in the browser that asked for it (a random nonce in that browser's cookie; the link
  keeps its digest). It opens every customer record of that business with that address.
- A **portal session** is made by the business through the API for one customer: a URL
  good for 5 minutes, single use, for the business to hand to its customer.

Opening either starts a portal session in the Django session (``portal_access``), which
lasts an hour of use. Tokens are stored as SHA-256 digests only.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import translation

from paydesk.core import clock
from paydesk.core.locales import locale_for
from paydesk.customers.models import Customer

from .models import PortalLink

MAGIC_LINK_LIFETIME = datetime.timedelta(minutes=30)
PORTAL_SESSION_URL_LIFETIME = datetime.timedelta(minutes=5)
SESSION_LIFETIME = datetime.timedelta(hours=1)
SESSION_KEY = "portal_access"
BROWSER_COOKIE = "paydesk_portal_browser"


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_browser_nonce() -> str:
    return secrets.token_urlsafe(24)


def _link_url(token: str) -> str:
    return settings.BASE_URL + reverse("portal-enter", kwargs={"token": token})


def magic_links_send(*, email: str, browser_nonce: str) -> int:
    """Email a magic link to ``email`` for each business that has a customer with it;
    answers how many were sent (never shown to the asker: the page says the same either
    way). The link only works in the browser holding ``browser_nonce``."""
    from paydesk.messaging.models import Message

    address = email.strip()
    if not address or "@" not in address or len(address) > 254:
        return 0
    customers = Customer.objects.select_related("business").filter(email__iexact=address, erased_at=None)
    first_per_business: dict[tuple[int, bool], Customer] = {}
    for customer in customers.order_by("pk"):
        first_per_business.setdefault((customer.business_id, customer.livemode), customer)
    now = clock.real_now()
    for customer in first_per_business.values():
        token = secrets.token_urlsafe(32)
        with transaction.atomic():
            link = PortalLink.objects.create(
                business=customer.business,
                livemode=customer.livemode,
                kind=PortalLink.Kind.MAGIC_LINK,
                customer=customer,
                email=customer.email,
                token_digest=digest(token),
                browser_digest=digest(browser_nonce),
                created=now,
                expires_at=now + MAGIC_LINK_LIFETIME,
            )
            locale = locale_for(customer=customer, business=customer.business)
            context = {
                "business": {"name": customer.business.name, "email": customer.business.email},
                "customer": {"name": customer.name},
                "link_url": _link_url(token),
                "minutes": int(MAGIC_LINK_LIFETIME.total_seconds() // 60),
                "locale": locale,
            }
            from django.template.loader import render_to_string

            with translation.override(locale):
                subject = render_to_string("messaging/email/portal_magic_link_subject.txt", context)
            Message.objects.create(
                business=customer.business,
                livemode=customer.livemode,
                customer=customer,
                to=customer.email,
                locale=locale,
                template="portal_magic_link",
                subject=" ".join(subject.split())[:300],
                context=context,
                next_attempt_at=now,
                dedupe_key=f"portal_magic_link:{link.public_id}",
                created=now,
            )
            from paydesk.messaging.tasks import wake_message_worker

            transaction.on_commit(wake_message_worker)
    return len(first_per_business)


def portal_session_create(*, customer: Customer, return_url: str = "") -> tuple[PortalLink, str]:
    """A short-lived URL that opens the portal for ``customer`` (the business hands it out)."""
    token = secrets.token_urlsafe(32)
    now = clock.real_now()
    link = PortalLink.objects.create(
        business=customer.business,
        livemode=customer.livemode,
        kind=PortalLink.Kind.PORTAL_SESSION,
        customer=customer,
        token_digest=digest(token),
        return_url=return_url,
        created=now,
        expires_at=now + PORTAL_SESSION_URL_LIFETIME,
    )
    return link, _link_url(token)


@dataclass(frozen=True)
class Entry:
    """What opening a link came to: the link when it let the browser in, else why not."""

    link: PortalLink | None
    refusal: str = ""  # "unknown", "used", "expired", "other_browser"


def portal_link_open(*, token: str, browser_nonce: str) -> Entry:
    """Use a link once. Refusals: unknown, used, expired, or (a magic link) opened in another
    browser than the one that asked — then it stays unused, for the right browser."""
    with transaction.atomic():
        link = (
            PortalLink.objects.select_for_update(of=("self",))
            .select_related("customer", "business")
            .filter(token_digest=digest(token))
            .first()
        )
        if link is None:
            return Entry(None, "unknown")
        if link.used_at is not None:
            return Entry(None, "used")
        if link.expires_at <= clock.real_now():
            return Entry(None, "expired")
        if link.browser_digest and not secrets.compare_digest(link.browser_digest, digest(browser_nonce or "")):
            return Entry(None, "other_browser")
        link.used_at = clock.real_now()
        link.save(update_fields=["used_at"])
    return Entry(link)


def customers_opened_by(link: PortalLink) -> list[int]:
    """The customer records a link opens: the one named, and for a magic link every record
    of that business and mode with the same address."""
    if link.kind == PortalLink.Kind.PORTAL_SESSION or not link.email:
        return [link.customer_id]
    return list(
        Customer.objects.filter(
            business_id=link.business_id, livemode=link.livemode, email__iexact=link.email, erased_at=None
        ).values_list("pk", flat=True)
    )


def session_start(session, link: PortalLink) -> None:
    session.cycle_key()  # a new session id at the moment of entry (no fixation)
    session[SESSION_KEY] = {
        "business": link.business_id,
        "livemode": link.livemode,
        "customers": customers_opened_by(link),
        "return_url": link.return_url,
        "expires": (clock.real_now() + SESSION_LIFETIME).timestamp(),
    }


def session_access(session) -> dict | None:
    """The portal access in this session, renewed for another hour of use; None when there
    is none or it ran out."""
    access = session.get(SESSION_KEY)
    if not access or access.get("expires", 0) <= clock.real_now().timestamp():
        session.pop(SESSION_KEY, None)
        return None
    access["expires"] = (clock.real_now() + SESSION_LIFETIME).timestamp()
    session[SESSION_KEY] = access
    return access


def session_end(session) -> None:
    session.pop(SESSION_KEY, None)


def session_opens_customer(session, customer_id: int) -> bool:
    """Whether this browser is signed in to the portal for this customer record (without
    renewing the session: only a portal page does that)."""
    access = session.get(SESSION_KEY)
    return bool(access) and access.get("expires", 0) > clock.real_now().timestamp() and customer_id in access.get("customers", [])
