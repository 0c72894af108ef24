from django.conf import settings

from aiom.tenancy import membership_for

from .selectors import pending_count


def navigation(request) -> dict:
    """The pending-approvals badge shown in the navigation on every page."""
    membership = membership_for(request)
    user = getattr(request, "user", None)
    return {
        "nav_pending_count": pending_count(organization=membership.organization) if membership else 0,
        "debug_outbox": settings.DEBUG or bool(user and user.is_superuser),
    }
