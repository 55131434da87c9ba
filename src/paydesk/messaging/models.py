"""Outgoing webhooks: endpoints, one delivery per (event, endpoint), and every attempt."""

from __future__ import annotations

from django.db import models

from paydesk.businesses.models import Business
from paydesk.core import ids
from paydesk.core.encryption import EncryptedTextField
from paydesk.events.models import Event


class WebhookEndpoint(models.Model):
    public_id = models.CharField(max_length=40, unique=True, default=ids.new_webhook_endpoint_id)
    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="webhook_endpoints")
    livemode = models.BooleanField(default=False)
    url = models.URLField(max_length=2000)
    # Event types, or ["*"] for all. A type may end in ".*" ("invoice.*").
    enabled_events = models.JSONField(default=list)
    # The signing secret must be readable to sign with, so it is encrypted, not hashed.
    secret = EncryptedTextField()
    enabled = models.BooleanField(default=True)
    created = models.DateTimeField(auto_now_add=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    def wants(self, event_type: str) -> bool:
        for pattern in self.enabled_events:
            if pattern == "*" or pattern == event_type:
                return True
            if pattern.endswith(".*") and event_type.startswith(pattern[:-1]):
                return True
        return False


class DeliveryStatus(models.TextChoices):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"  # gave up after the retry window


class WebhookDelivery(models.Model):
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="deliveries")
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=12, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempt_count = models.PositiveIntegerField(default=0)
    # When the next attempt is due. A worker claims a delivery by moving this forward
    # (a lease), so two workers never send it at the same moment and a crashed worker's
    # claim simply runs out.
    next_attempt_at = models.DateTimeField()
    created = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "endpoint"], name="one_delivery_per_event_endpoint")
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]


class WebhookAttempt(models.Model):
    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempts")
    attempted_at = models.DateTimeField()
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_excerpt = models.CharField(max_length=500, blank=True, default="")
    error = models.CharField(max_length=300, blank=True, default="")
    duration_milliseconds = models.PositiveIntegerField(default=0)
    succeeded = models.BooleanField(default=False)


class MessageStatus(models.TextChoices):
    QUEUED = "queued"
    SENT = "sent"  # handed to the SMTP server
    STORED = "stored"  # no SMTP configured: kept in the outbox the dashboard shows
    FAILED = "failed"  # gave up after retries


class Message(models.Model):
    """One email (later: SMS) to a customer, rendered in their language when it was queued."""

    public_id = models.CharField(max_length=40, unique=True, default=ids.new_message_id)
    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="messages")
    livemode = models.BooleanField(default=False)
    customer = models.ForeignKey(
        "customers.Customer", null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    invoice = models.ForeignKey(
        "invoicing.Invoice", null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    payment = models.ForeignKey(
        "payments.Payment", null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    channel = models.CharField(max_length=10, default="email")
    to = models.CharField(max_length=254)
    locale = models.CharField(max_length=10)
    template = models.CharField(max_length=40)
    subject = models.CharField(max_length=300)
    # What the email says, as a JSON snapshot taken when queued; the bodies are written from
    # it by the worker just before sending (notifications.message_render).
    context = models.JSONField(default=dict, blank=True)
    body_text = models.TextField(blank=True, default="")
    body_html = models.TextField(blank=True, default="")
    status = models.CharField(max_length=10, choices=MessageStatus.choices, default=MessageStatus.QUEUED)
    attempt_count = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True, default="")
    next_attempt_at = models.DateTimeField()
    # What this message is about ("receipt:pay_..."): a unique key, so a retried job or a
    # second worker can never send the same receipt twice.
    dedupe_key = models.CharField(max_length=120)
    created = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["business", "dedupe_key"], name="one_message_per_purpose")
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["business", "livemode", "-id"]),
        ]


class ReminderChannel(models.TextChoices):
    EMAIL = "email"
    SMS = "sms"


class ReminderPolicy(models.Model):
    """How a business reminds its customers of what they owe: its steps, and the hours when
    customers are left in peace. One per business, made with friendly defaults the first
    time it is needed (``reminder_policy.reminder_policy_for``)."""

    business = models.OneToOneField(Business, on_delete=models.CASCADE, related_name="reminder_policy")
    enabled = models.BooleanField(default=True)
    # Quiet hours, in each customer's own time zone: a reminder that falls due inside them
    # waits until they end. Start after end wraps past midnight (21 → 8); equal means none.
    quiet_start_hour = models.PositiveSmallIntegerField(default=21)
    quiet_end_hour = models.PositiveSmallIntegerField(default=8)
    updated = models.DateTimeField()

    class Meta:
        verbose_name_plural = "reminder policies"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quiet_start_hour__lte=23) & models.Q(quiet_end_hour__lte=23),
                name="quiet_hours_are_hours_of_the_day",
            )
        ]


class ReminderStep(models.Model):
    """One reminder of a policy, ``offset_days`` from the due date (negative: before it).

    Steps are switched off, never deleted: what was sent keeps pointing at its step, so
    "one reminder per step per invoice" and the measured effect survive any edit.
    """

    policy = models.ForeignKey(ReminderPolicy, on_delete=models.CASCADE, related_name="steps")
    offset_days = models.SmallIntegerField()
    channel = models.CharField(max_length=10, choices=ReminderChannel.choices, default=ReminderChannel.EMAIL)
    enabled = models.BooleanField(default=True)

    class Meta:
        ordering = ["offset_days"]
        constraints = [
            # Two steps on one day would make "the latest step that is due" ambiguous.
            models.UniqueConstraint(fields=["policy", "offset_days"], name="one_reminder_step_per_day"),
        ]

    @property
    def template(self) -> str:
        """The email (and SMS) template: before, on or after the due date."""
        if self.offset_days < 0:
            return "reminder_before_due"
        if self.offset_days == 0:
            return "reminder_due"
        return "reminder_overdue"


class ReminderSent(models.Model):
    """A reminder step done for an invoice: written in the same transaction as its message,
    and unique per (invoice, step), so a repeated sweep or a second worker can never send a
    step twice. ``message`` is empty when the customer had no address for any channel (the
    step is then spent, not retried)."""

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="+")
    livemode = models.BooleanField(default=False)
    invoice = models.ForeignKey("invoicing.Invoice", on_delete=models.CASCADE, related_name="reminders_sent")
    step = models.ForeignKey(ReminderStep, on_delete=models.PROTECT, related_name="reminders_sent")
    # The step's offset when it was sent (a step's offset can be edited later).
    offset_days = models.SmallIntegerField()
    template = models.CharField(max_length=40)
    channel = models.CharField(max_length=10, blank=True, default="")
    message = models.OneToOneField(Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="reminder")
    created = models.DateTimeField()  # the business's time (its test clock)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["invoice", "step"], name="one_reminder_per_step_per_invoice"),
        ]
        indexes = [models.Index(fields=["business", "livemode", "step"])]
