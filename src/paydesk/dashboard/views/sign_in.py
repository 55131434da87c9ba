"""Logging in and out: Django's own views with the dashboard's template and language."""

from __future__ import annotations

from django.contrib.auth.views import LoginView, LogoutView

from ..forms import StaffLoginForm
from ..language import language_links, use_dashboard_language


class StaffLoginView(LoginView):
    template_name = "dashboard/login.html"
    authentication_form = StaffLoginForm
    redirect_authenticated_user = True

    def dispatch(self, request, *args, **kwargs):
        use_dashboard_language(request)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "language_links": language_links(self.request)}


class StaffLogoutView(LogoutView):
    next_page = "dashboard:login"


login = StaffLoginView.as_view()
logout = StaffLogoutView.as_view()
