"""The append-only event log: one row per state change, written in the change's transaction.

Outgoing webhooks, notifications, the live dashboard and analytics all read from here.
"""

from __future__ import annotations

from django.db import models

from paydesk.businesses.models import Business
from paydesk.core import ids


class Event(models.Model):
    public_id = models.CharField(max_length=40, unique=True, default=ids.new_event_id)
    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="events")
    livemode = models.BooleanField(default=False)
    type = models.CharField(max_length=60)
    # The affected object as the API shows it at the moment of the change.
    data = models.JSONField()
    created = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["business", "livemode", "-id"]),
            models.Index(fields=["business", "livemode", "type", "-id"]),
        ]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("events are append-only")
