from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "paydesk.events"
    label = "events"
