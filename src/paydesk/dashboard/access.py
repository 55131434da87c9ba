"""Who may use the dashboard, and which business and mode a request works in.

Every dashboard view is wrapped in ``staff_view``: it needs a logged-in user with a
``StaffMembership``; the request then carries ``request.staff`` (the business, its mode and
the member's role), and everything the view reads or writes is scoped to that.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.utils.translation import gettext as _

from paydesk.businesses.enums import StaffRole
from paydesk.businesses.models import Business, StaffMembership
from paydesk.core import clock

from .language import use_dashboard_language
from .pages import dashboard_page

# Roles that may look but not change anything.
_READ_ONLY_ROLES = frozenset({StaffRole.READ_ONLY})
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class StaffScope:
    """The business a staff member works for, in which mode, with which role."""

    membership: StaffMembership
    business: Business
    livemode: bool

    @property
    def role(self) -> str:
        return self.membership.role

    @property
    def can_write(self) -> bool:
        return self.role not in _READ_ONLY_ROLES

    def scoped(self) -> dict:
        """The keyword arguments every selector and create-service takes."""
        return {"business": self.business, "livemode": self.livemode}


def staff_scope_for(user) -> StaffScope | None:
    """The user's first membership, in test mode; None for someone who is not staff.

    Test mode only for now: live mode needs a connected provider and a mode switch that
    asks for confirmation, which come with the live-keys work.
    """
    if not user.is_authenticated:
        return None
    membership = (
        StaffMembership.objects.select_related("business").filter(user=user).order_by("id").first()
    )
    if membership is None:
        return None
    return StaffScope(membership=membership, business=membership.business, livemode=False)


def forbidden(request, message: str, *, as_json: bool = False):
    if as_json:
        return JsonResponse({"error": message}, status=403)
    return dashboard_page(request, "dashboard/forbidden.html", {"message": message}, section="", status=403)


def staff_view(*, as_json: bool = False, changes_only: bool = False):
    """Require a logged-in staff member; refuse changes (any POST) by a read-only role.

    ``changes_only`` pages (the create forms) are refused to a read-only role even on GET:
    a form they cannot send would only waste their time. ``as_json`` views answer 401/403
    as JSON instead of redirecting to the login page, so the live list's script can stop
    polling instead of parsing a login form.
    """

    def decorate(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            use_dashboard_language(request)
            if not request.user.is_authenticated:
                if as_json:
                    return JsonResponse({"error": _("Please log in again.")}, status=401)
                return redirect_to_login(request.get_full_path())
            scope = staff_scope_for(request.user)
            if scope is None:
                return forbidden(
                    request, _("Your account is not a member of any business."), as_json=as_json
                )
            request.staff = scope
            if (changes_only or request.method not in _SAFE_METHODS) and not scope.can_write:
                return forbidden(
                    request, _("Your role can look at everything but cannot change anything."), as_json=as_json
                )
            # The dashboard shows test mode, so it runs at the business's test clock.
            with clock.business_time(scope.business, livemode=scope.livemode):
                return view(request, *args, **kwargs)

        return wrapped

    return decorate
