from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "paydesk.core"
    label = "core"
