"""Who may decide on an organisation's actions."""

from aiom.errors import NotAllowed
from aiom.models import DECIDING_ROLES, Membership


def can_decide(user, organization) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return Membership.objects.filter(user=user, organization=organization, role__in=DECIDING_ROLES).exists()


def ensure_can_decide(user, organization) -> None:
    if not can_decide(user, organization):
        raise NotAllowed("You may not approve or reject actions in this organisation.")
