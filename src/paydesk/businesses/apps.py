from django.apps import AppConfig


class BusinessesConfig(AppConfig):
    name = "paydesk.businesses"
    label = "businesses"
