from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "paydesk.messaging"
    label = "messaging"
