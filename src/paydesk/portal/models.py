"""How a customer gets into the portal without a password, and the tries to find a bill.

Tokens are kept only as SHA-256 digests: a database copy opens nothing.
"""

from __future__ import annotations

from django.db import models

from paydesk.businesses.models import Business
from paydesk.core import ids
from paydesk.customers.models import Customer


class PortalLink(models.Model):
    """A one-time way in: a magic link emailed to the customer (bound to the browser that
    asked for it), or a portal session URL the business made through the API."""

    class Kind(models.TextChoices):
        MAGIC_LINK = "magic_link"
        PORTAL_SESSION = "portal_session"

    public_id = models.CharField(max_length=40, unique=True, default=ids.new_portal_session_id)
    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="+")
    livemode = models.BooleanField(default=False)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # The customer it opens; a magic link opens every customer of the business with the
    # address it was sent to (the same person, owning that mailbox).
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="portal_links")
    email = models.EmailField(blank=True, default="")
    token_digest = models.CharField(max_length=64, unique=True)
    # SHA-256 of the nonce in the asking browser's cookie; empty for API sessions.
    browser_digest = models.CharField(max_length=64, blank=True, default="")
    return_url = models.URLField(max_length=500, blank=True, default="")
    created = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)


class FindAttempt(models.Model):
    """One try on /portal/find or one magic link asked for, counted per address and per IP
    (as digests) to limit guessing."""

    key_digest = models.CharField(max_length=64)
    created = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["key_digest", "created"])]
