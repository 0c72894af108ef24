"""People and stamped policy groups for the duties tests: named members with roles and teams,
and an action carrying the approver groups a matched rule would have stored on it."""

from django.contrib.auth import get_user_model

from actions.models import Action
from aiom.models import Membership, Role


def member(org, first: str, last: str = "", *, role: str = Role.APPROVER, teams=()):
    username = (first + last).lower()
    user = get_user_model().objects.create_user(username=username, password="pw-" + username, first_name=first,
                                                last_name=last, email=f"{username}@example.com")
    Membership.objects.create(user=user, organization=org, role=role, teams=list(teams))
    return user


def with_groups(action: Action, *groups: dict) -> Action:
    """`action` as if a policy rule had asked for `groups` (Approvers, as JSON)."""
    decision = {**action.guardrail_decision,
                "policy": {"effect": "require_approval", "approvers": [dict(group) for group in groups]}}
    Action.objects.filter(pk=action.pk).update(guardrail_decision=decision)
    return Action.objects.select_related("organization").get(pk=action.pk)
