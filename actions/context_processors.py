from django.conf import settings

from aiom.tenancy import membership_for

from .inbox import unread_count
from .policy.autonomy import waiting_count
from .selectors import pending_count


def navigation(request) -> dict:
    """The badges shown in the navigation on every page: pending approvals, and the user's
    unread notices (one query each), and for admins the autonomy suggestions waiting."""
    membership = membership_for(request)
    user = getattr(request, "user", None)
    return {
        "nav_pending_count": pending_count(organization=membership.organization) if membership else 0,
        "nav_unread_notices": unread_count(user, membership.organization) if membership else 0,
        "nav_autonomy_waiting": waiting_count(membership.organization) if membership and membership.is_admin else 0,
        "debug_outbox": settings.DEBUG or bool(user and user.is_superuser),
    }
