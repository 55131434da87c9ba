from django.apps import AppConfig


class InvoicingConfig(AppConfig):
    name = "paydesk.invoicing"
    label = "invoicing"
