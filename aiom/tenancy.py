"""Which organisation a request acts for, and helpers that keep every query inside it.

A user may belong to several organisations; the current one is kept in the session and
defaults to the first membership; an API client may name it in the `X-AIOM-Org` header. Nothing outside the current organisation is ever visible:
lookups of another organisation's ids answer 404, not 403, so ids cannot be probed.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404

from .models import Membership

SESSION_KEY = "aiom_organization_id"
_CACHE_ATTR = "_aiom_membership"
#: API clients name the organisation they act for (its slug or id) when they belong to several.
ORG_HEADER = "X-AIOM-Org"


def membership_for(request) -> Membership | None:
    """The request user's membership in the current organisation (cached per request)."""
    if hasattr(request, _CACHE_ATTR):
        return getattr(request, _CACHE_ATTR)
    membership = None
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        memberships = Membership.objects.select_related("organization", "user").filter(user=user)
        asked = request.headers.get(ORG_HEADER, "").strip()
        if asked:
            membership = _named(memberships, asked)
            setattr(request, _CACHE_ATTR, membership)
            return membership
        chosen = request.session.get(SESSION_KEY)
        if chosen is not None:
            membership = memberships.filter(organization_id=chosen).first()
        if membership is None:
            membership = memberships.order_by("organization__name", "organization_id").first()
    setattr(request, _CACHE_ATTR, membership)
    return membership


def _named(memberships, asked: str) -> Membership:
    """The membership in the organisation the header names; 404 (not 403) for any other, so
    organisations cannot be probed."""
    lookup = {"organization_id": int(asked)} if asked.isascii() and asked.isdigit() else {"organization__slug": asked}
    membership = memberships.filter(**lookup).first()
    if membership is None:
        raise Http404(f"You are not a member of an organisation called “{asked[:60]}”.")
    return membership


def require_membership(request) -> Membership:
    membership = membership_for(request)
    if membership is None:
        raise PermissionDenied("You are not a member of any organisation.")
    return membership


def require_role(request, *, admin: bool = False, refused: str) -> Membership:
    """The current membership, which may decide (approver or admin) — or is an admin when
    `admin` —; anyone else gets a 403 saying `refused`."""
    membership = require_membership(request)
    if not (membership.is_admin if admin else membership.can_approve):
        raise PermissionDenied(refused)
    return membership


def scope(queryset: QuerySet, request, field: str = "organization") -> QuerySet:
    """Filter a queryset to the request's organisation (empty when it has none)."""
    membership = membership_for(request)
    if membership is None:
        return queryset.none()
    return queryset.filter(**{field: membership.organization_id})


def get_scoped_or_404(queryset: QuerySet, request, field: str = "organization", **lookup) -> Model:
    try:
        return scope(queryset, request, field).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404("No such record in your organisation.")


def organization_context(request) -> dict:
    membership = membership_for(request)
    return {
        "current_membership": membership,
        "current_organization": membership.organization if membership else None,
    }
