"""Stored answers to POST requests made with an ``Idempotency-Key`` (rule 6)."""

from __future__ import annotations

from django.db import models

from paydesk.businesses.models import Business


class IdempotencyRecord(models.Model):
    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="+")
    livemode = models.BooleanField(default=False)
    key = models.CharField(max_length=255)
    request_method = models.CharField(max_length=8)
    request_path = models.CharField(max_length=500)
    # SHA-256 of the canonical request body: the same key with other parameters is refused.
    request_fingerprint = models.CharField(max_length=64)
    # Empty while the first request is still running.
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.BinaryField(null=True, blank=True)
    created = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["business", "livemode", "key"], name="one_record_per_key")
        ]
        indexes = [models.Index(fields=["created"])]
