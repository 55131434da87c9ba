from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "paydesk.plans"
    label = "plans"
    verbose_name = "Payment plans"
    default_auto_field = "django.db.models.BigAutoField"
