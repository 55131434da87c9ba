"""The sandbox provider's own records: what a real provider would keep on its side.

Kept in separate tables so the simulator is honest about state (a 3-D Secure charge really
waits; a refund really needs a captured charge), and never holds a card number.
"""

from __future__ import annotations

from django.db import models

from paydesk.core import ids


class SandboxCharge(models.Model):
    reference = models.CharField(max_length=40, unique=True, default=ids.new_sandbox_token)
    # The merchant's idempotency reference (our payment id): one charge per reference.
    merchant_reference = models.CharField(max_length=60, unique=True)
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=32)
    card_brand = models.CharField(max_length=20)
    card_last4 = models.CharField(max_length=4)
    card_exp_month = models.PositiveSmallIntegerField()
    card_exp_year = models.PositiveSmallIntegerField()
    decline_code = models.CharField(max_length=40, blank=True, default="")
    amount_refunded = models.BigIntegerField(default=0)
    return_url = models.URLField(max_length=500, blank=True, default="")
    created = models.DateTimeField(auto_now_add=True)


class SandboxRefund(models.Model):
    reference = models.CharField(max_length=40, unique=True, default=ids.new_sandbox_token)
    merchant_reference = models.CharField(max_length=60, unique=True)
    charge = models.ForeignKey(SandboxCharge, on_delete=models.PROTECT, related_name="refunds")
    amount = models.BigIntegerField()
    created = models.DateTimeField(auto_now_add=True)


class SandboxCard(models.Model):
    """A tokenized card: how the sandbox remembers a card without its number."""

    token = models.CharField(max_length=40, unique=True, default=ids.new_sandbox_token)
    brand = models.CharField(max_length=20)
    last4 = models.CharField(max_length=4)
    exp_month = models.PositiveSmallIntegerField()
    exp_year = models.PositiveSmallIntegerField()
    # What a charge on this card does (the test card's behaviour), kept instead of the number.
    decline_code = models.CharField(max_length=40, blank=True, default="")
    requires_three_d_secure = models.BooleanField(default=False)
    created = models.DateTimeField(auto_now_add=True)
