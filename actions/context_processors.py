from django.conf import settings

from aiom.tenancy import membership_for

from .inbox import unread_count
from .policy.autonomy import waiting_count
from .selectors import pending_count


def pending_count_of(request, organization) -> int:
    """The organisation's pending approvals, counted once per request: the navigation badge and
    the approvals page's own heading show the same number."""
    counted = getattr(request, "_aiom_pending_count", None)
    if counted is None or counted[0] != organization.pk:
        counted = (organization.pk, pending_count(organization=organization))
        request._aiom_pending_count = counted
    return counted[1]


def navigation(request) -> dict:
    """The badges shown in the navigation on every page: pending approvals, and the user's
    unread notices (one query each), and for admins the autonomy suggestions waiting."""
    membership = membership_for(request)
    user = getattr(request, "user", None)
    return {
        "nav_pending_count": pending_count_of(request, membership.organization) if membership else 0,
        "nav_unread_notices": unread_count(user, membership.organization) if membership else 0,
        "nav_autonomy_waiting": waiting_count(membership.organization) if membership and membership.is_admin else 0,
        "debug_outbox": settings.DEBUG or bool(user and user.is_superuser),
    }
