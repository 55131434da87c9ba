from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "paydesk.support"
    label = "support"
    verbose_name = "Support: what customers ask staff from the portal"
    default_auto_field = "django.db.models.BigAutoField"
