import pytest
from django.contrib.auth import get_user_model

from actions import guardrails
from actions.models import GuardrailPolicy
from aiom.models import Membership, Role


@pytest.fixture
def second_admin(org):
    user = get_user_model().objects.create_user(username="grace", password="pw-grace", email="grace@example.com")
    Membership.objects.create(user=user, organization=org, role=Role.ADMIN)
    return user


@pytest.fixture
def two_admins_needed(org):
    """The organisation asks a second admin to confirm every policy change."""
    GuardrailPolicy.objects.filter(organization=org).update(policy_changes_need_second_admin=True)
    return guardrails.policy_for(org)


SMS_ON_SUNDAY = {"when": {"channels": ["sms"], "weekdays": [6]},
                 "then": {"effect": "deny", "reason": "Never SMS on Sundays"}}
BIG_GERMAN_REMINDERS = {"when": {"action_types": ["send_invoice_reminder"], "partner_countries": ["DE"],
                                 "amount_over": "5000"},
                        "then": {"effect": "require_approval", "approvers": [{"kind": "anyone", "count": 2}]}}
