from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "paydesk.api"
    label = "api"
