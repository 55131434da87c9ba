from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "paydesk.customers"
    label = "customers"
