"""PayPal (Orders v2) as a payment provider: the payer approves on PayPal's page, we capture.

``client.py`` speaks PayPal's REST API over ``urllib`` (no SDK), ``convert.py`` turns its
shapes into Paydesk's results, ``adapter.py`` is the provider, ``config.py`` reads the
``PAYDESK_PAYPAL_*`` environment variables, ``webhooks.py`` verifies and applies PayPal's
webhooks. See ``docs/paypal.md`` for connecting an account.
"""
