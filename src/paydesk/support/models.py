"""Support requests: what a customer asked the business from the portal's contact form,
about one of their invoices or about nothing in particular."""

from __future__ import annotations

from django.db import models

from paydesk.businesses.models import Business
from paydesk.core import ids
from paydesk.customers.models import Customer
from paydesk.invoicing.models import Invoice

from .enums import SupportRequestStatus

MAX_MESSAGE_LENGTH = 2000


class SupportRequest(models.Model):
    public_id = models.CharField(max_length=40, unique=True, default=ids.new_support_request_id)
    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="support_requests")
    livemode = models.BooleanField(default=False)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="support_requests")
    # The invoice it is about (one of the customer's), if any: while the request is open,
    # that invoice gets no reminders (messaging.reminder_rules).
    invoice = models.ForeignKey(
        Invoice, null=True, blank=True, on_delete=models.PROTECT, related_name="support_requests"
    )
    # The customer's words. Emptied when the customer deletes their data.
    message = models.TextField(blank=True, default="")
    status = models.CharField(
        max_length=10,
        choices=[(status.value, status.value) for status in SupportRequestStatus],
        default=SupportRequestStatus.OPEN.value,
    )
    created = models.DateTimeField()  # the business's time (its test clock)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["business", "livemode", "status", "-id"]),
            models.Index(fields=["invoice", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status=SupportRequestStatus.OPEN.value, closed_at=None)
                | models.Q(status=SupportRequestStatus.CLOSED.value, closed_at__isnull=False),
                name="support_request_closed_when_closed_at",
            ),
        ]

    def __str__(self) -> str:
        return self.public_id
