from django.apps import AppConfig


class StripeProviderConfig(AppConfig):
    name = "paydesk.providers.stripe"
    label = "stripe_provider"
    verbose_name = "Stripe provider"
    default_auto_field = "django.db.models.BigAutoField"
