"""Stripe provider adapter (PaymentIntents, Refunds, webhooks)."""
