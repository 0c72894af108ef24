"""Who may decide on an organisation's actions."""

from aiom.errors import NotAllowed
from aiom.models import DECIDING_ROLES, Membership, Role

from .fields import RiskLevel
from .types import RISK_RULES


#: What a page answers someone who may look but not decide.
CANNOT_DECIDE = "Your role can view actions but not decide on them."


def can_decide(user, organization) -> bool:
    return _has_role(user, organization, DECIDING_ROLES)


def is_admin(user, organization) -> bool:
    return _has_role(user, organization, (Role.ADMIN,))


def ensure_admin(user, organization, *, refused: str) -> None:
    """Policy, autonomy and the rules are the organisation's admins' to change; `refused` says what."""
    if not is_admin(user, organization):
        raise NotAllowed(refused)


def _has_role(user, organization, roles) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return Membership.objects.filter(user=user, organization=organization, role__in=roles).exists()


def ensure_can_decide(user, organization) -> None:
    if not can_decide(user, organization):
        raise NotAllowed("You may not approve or reject actions in this organisation.")


def own_high_risk(user, action) -> bool:
    """Whoever asked for a high or critical action needs someone else to approve it."""
    return action.created_by == f"user:{user.pk}" and not RISK_RULES[RiskLevel(action.risk_level)].proposer_may_approve


def ensure_not_own_high_risk(user, action) -> None:
    if own_high_risk(user, action):
        raise NotAllowed("You asked for this action, and it is high risk: someone else must approve it.")
