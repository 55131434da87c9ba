"""The tenant: a business, the people who work for it, and its API keys."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from paydesk.core import ids
from paydesk.core.encryption import EncryptedTextField

from .enums import StaffRole


class Business(models.Model):
    public_id = models.CharField(max_length=40, unique=True, default=ids.new_business_id)
    name = models.CharField(max_length=200)
    email = models.EmailField()
    default_currency = models.CharField(max_length=3, default="usd")
    default_locale = models.CharField(max_length=10, default="en")
    phone = models.CharField(max_length=40, blank=True, default="")
    # The image itself lives in BusinessLogo, so the many reads of a business never load it.
    has_logo = models.BooleanField(default=False)
    # The business's test clock: how far its test-mode time runs ahead of the wall clock
    # (moved only by the advance_clock test helper; live mode always uses real time).
    test_clock_offset_seconds = models.BigIntegerField(default=0)
    invoice_number_prefix = models.CharField(max_length=12, default="INV")
    # An IANA name: the business's calendar day for reminder steps, and the customers' zone
    # for quiet hours unless they have their own.
    time_zone = models.CharField(max_length=64, default="UTC")
    # Which ways to pay the hosted page offers (each can be switched off per business).
    accepts_cards = models.BooleanField(default=True)
    accepts_wallets = models.BooleanField(default=True)
    accepts_paypal = models.BooleanField(default=False)
    accepts_bank_transfer = models.BooleanField(default=False)
    accepts_pay_on_delivery = models.BooleanField(default=False)
    # Where bank transfers go. The account numbers are encrypted at rest (rule 9).
    bank_account_holder = models.CharField(max_length=140, blank=True, default="")
    bank_iban = EncryptedTextField(blank=True, default="")
    bank_bic = models.CharField(max_length=11, blank=True, default="")
    bank_name = models.CharField(max_length=140, blank=True, default="")
    # For countries without IBAN: free text such as a routing and account number.
    bank_local_details = EncryptedTextField(blank=True, default="")
    # The next number of the series. Read and advanced only under a row lock when an
    # invoice is finalized, so numbers are gapless and never shared.
    next_invoice_number = models.PositiveIntegerField(default=1)
    # What the customer portal's help page says, written by staff in the dashboard.
    portal_faq = models.TextField(blank=True, default="")
    payment_instructions = models.TextField(blank=True, default="")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "businesses"

    def clean(self):
        """The admin's check of bank details: the same rules as business_set_bank_details."""
        from django.core.exceptions import ValidationError
        from schwifty import BIC, IBAN
        from schwifty.exceptions import SchwiftyException

        errors = {}
        if self.bank_iban:
            try:
                self.bank_iban = IBAN(self.bank_iban).compact
            except SchwiftyException:
                errors["bank_iban"] = "That IBAN is not valid."
        if self.bank_bic:
            try:
                self.bank_bic = BIC(self.bank_bic).compact
            except SchwiftyException:
                errors["bank_bic"] = "That BIC is not valid."
        if errors:
            raise ValidationError(errors)

    def __str__(self) -> str:
        return self.name


class BusinessLogo(models.Model):
    """A small PNG or JPEG kept in the database, so customer pages need no other host and no
    media directory. Set through businesses.services.business_set_logo."""

    business = models.OneToOneField(Business, on_delete=models.CASCADE, primary_key=True, related_name="logo")
    image = models.BinaryField()
    content_type = models.CharField(max_length=20)


class StaffMembership(models.Model):
    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="staff")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=StaffRole.choices, default=StaffRole.OWNER)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["business", "user"], name="one_membership_per_user")
        ]


class ApiKey(models.Model):
    """A key stored only as its SHA-256 digest; the full key is shown once, at creation.

    A plain digest (not a slow password hash) is right here: keys are 32 random characters,
    so there is nothing to brute-force, and every API request must look one up quickly.
    """

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="api_keys")
    kind = models.CharField(max_length=12)  # ApiKeyKind
    livemode = models.BooleanField(default=False)
    digest = models.CharField(max_length=64, unique=True)
    # The first characters, so staff can tell keys apart without seeing them.
    display_prefix = models.CharField(max_length=16)
    created = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.display_prefix}…"
