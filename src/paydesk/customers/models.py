from __future__ import annotations

from django.db import models

from paydesk.businesses.models import Business
from paydesk.core import clock, ids
from paydesk.core.encryption import EncryptedTextField


class Customer(models.Model):
    public_id = models.CharField(max_length=40, unique=True, default=ids.new_customer_id)
    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="customers")
    livemode = models.BooleanField(default=False)
    name = models.CharField(max_length=200, blank=True)
    # Email is kept in the clear: it is how a customer finds their bills and must be
    # searchable. Phone numbers are not needed for lookup, so they are encrypted.
    email = models.EmailField(blank=True)
    phone = EncryptedTextField(blank=True, default="")
    preferred_locales = models.JSONField(default=list, blank=True)
    created = models.DateTimeField(default=clock.now)  # the business's time (its test clock)
    # Staff paused automatic payment reminders for all of this customer's invoices.
    reminders_paused = models.BooleanField(default=False)
    # The customer asked for no messages beyond the essential ones (receipts, refunds);
    # payment reminders are non-essential.
    non_essential_opt_out = models.BooleanField(default=False)
    # An IANA name ("Europe/Moscow") for quiet hours; empty means the business's zone.
    time_zone = models.CharField(max_length=64, blank=True, default="")
    # A second fact to find a bill by (with its number) on /portal/find. Part of an address,
    # so encrypted like the phone: it is only ever compared after the invoice number has
    # narrowed the search to a few rows.
    postal_code = EncryptedTextField(blank=True, default="")
    # The customer's own choices (portal → preferences). The channel for each kind of
    # message ("reminders", "notices", "charges"): "email" or "sms"; missing means email.
    channel_preferences = models.JSONField(default=dict, blank=True)
    # An extra word on the chosen channel for every charge, automatic ones included.
    notify_every_charge = models.BooleanField(default=False)
    # Automatic charges in one calendar month (the business's time) may not pass this, in
    # minor units of ``monthly_spending_limit_currency``; a charge that would is held for the customer to
    # confirm. Null: no limit.
    monthly_spending_limit = models.BigIntegerField(null=True, blank=True)
    # The limit's currency: a charge in another currency cannot be weighed against it, so it
    # is held for the customer to confirm too.
    monthly_spending_limit_currency = models.CharField(max_length=3, blank=True, default="")
    # When the customer asked for their data to be deleted: contact details are cleared,
    # financial records are kept (detached).
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["business", "livemode", "-id"])]

    def __str__(self) -> str:
        return self.name or self.email or self.public_id
