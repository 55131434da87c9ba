from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "paydesk.dashboard"
    label = "dashboard"
