"""Who may decide on an organisation's actions."""

from aiom.errors import NotAllowed
from aiom.models import DECIDING_ROLES, Membership

from .fields import RiskLevel
from .types import RISK_RULES


def can_decide(user, organization) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return Membership.objects.filter(user=user, organization=organization, role__in=DECIDING_ROLES).exists()


def ensure_can_decide(user, organization) -> None:
    if not can_decide(user, organization):
        raise NotAllowed("You may not approve or reject actions in this organisation.")


def ensure_not_own_high_risk(user, action) -> None:
    """Whoever asked for a high or critical action needs someone else to approve it."""
    if action.created_by == f"user:{user.pk}" and not RISK_RULES[RiskLevel(action.risk_level)].proposer_may_approve:
        raise NotAllowed("You asked for this action, and it is high risk: someone else must approve it.")
