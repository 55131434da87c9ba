from django.apps import AppConfig


class TermsConfig(AppConfig):
    name = "paydesk.terms"
    label = "terms"
    verbose_name = "Payment terms: plans, installments and later dates"
    default_auto_field = "django.db.models.BigAutoField"
