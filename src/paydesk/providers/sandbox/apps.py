from django.apps import AppConfig


class SandboxConfig(AppConfig):
    name = "paydesk.providers.sandbox"
    label = "sandbox"
