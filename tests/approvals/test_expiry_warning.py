"""Approvers are warned `expiry_warning_hours` before a high-value action expires undecided: one
email each, with working links, once per action."""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from actions import guardrails, notifications, services, tasks
from actions.models import ActionStatus, NotificationRecord
from audit.models import ActionEvent, EventType
from audit.services import SYSTEM

from .pages import link_path, submit, token_of


def _expiring_in(propose, hours, **overrides):
    now = timezone.now().replace(microsecond=0)
    return propose(created_at=now.isoformat(), expires_at=(now + timedelta(hours=hours)).isoformat(), **overrides)


def _mail_to(address):
    return [message for message in mail.outbox if message.to == [address]]


def test_each_approver_is_warned_once_with_working_links(propose, team, org):
    action = _expiring_in(propose, 3, title="Remind Westpoint about INV/2026/00014")
    mail.outbox.clear()

    assert tasks.warn_expiring() == 1

    [alice], [bob], [shared] = (_mail_to(address) for address in
                                ("alice@example.com", "bob@example.com", "approvals@acme.example"))
    assert alice.subject.startswith("Expires in ") and alice.subject.endswith("Remind Westpoint about INV/2026/00014")
    assert "Nobody has decided on this action yet" in alice.body
    assert link_path(alice.body, "Approve") != link_path(bob.body, "Approve")
    assert "/approvals/email/" not in shared.body  # a shared address gets no links
    records = NotificationRecord.objects.filter(action=action, purpose=notifications.EXPIRY_WARNING)
    assert sorted(records.values_list("address", "status")) == [
        ("alice@example.com", "sent"), ("approvals@acme.example", "sent"), ("bob@example.com", "sent")]
    [event] = [event for event in ActionEvent.objects.filter(action_id=action.pk, event_type=EventType.NOTIFIED)
               if event.data["purpose"] == "expiry_warning"]
    assert sorted(event.data["recipients"]) == ["alice@example.com", "approvals@acme.example", "bob@example.com"]

    sent = len(mail.outbox)
    assert tasks.warn_expiring() == 0 and len(mail.outbox) == sent  # a second run sends nothing

    assert submit(Client(), token_of(link_path(alice.body, "Approve"))).status_code == 200
    action.refresh_from_db()
    assert action.status == ActionStatus.APPROVED


def test_only_high_value_actions_in_the_window_are_warned_about(propose, team, org):
    guardrails.policy_update(guardrails.policy_for(org), actor=SYSTEM, max_amount_without_approval=5000)
    small = {"estimated_impact": {"revenue_change": 100.0, "time_saved_hours": 0.25, "risk_reduction_score": 20}}
    large = {"estimated_impact": {"revenue_change": 6000.0, "time_saved_hours": 0.25, "risk_reduction_score": 20}}
    _expiring_in(propose, 3, title="Small amount, medium risk", **small)
    _expiring_in(propose, 3, title="Small amount, high risk", risk_level="high", **small)
    _expiring_in(propose, 3, title="Large amount", **large)
    _expiring_in(propose, 20, title="Large amount, expires tomorrow", **large)
    mail.outbox.clear()

    assert notifications.send_expiry_warnings() == 2

    assert sorted({message.subject.split(": ", 1)[1] for message in mail.outbox}) == [
        "Large amount", "Small amount, high risk"]


def test_decided_actions_and_a_zero_setting_send_nothing(propose, team, approver, org):
    decided = _expiring_in(propose, 3, title="Already approved")
    services.approve(decided, approver, protocol_hash=decided.protocol_hash)
    guardrails.policy_update(guardrails.policy_for(org), actor=SYSTEM, expiry_warning_hours=0)
    _expiring_in(propose, 1, title="Warnings are off")
    mail.outbox.clear()

    assert notifications.send_expiry_warnings() == 0
    assert mail.outbox == []

    guardrails.policy_update(guardrails.policy_for(org), actor=SYSTEM, expiry_warning_hours=2)
    assert notifications.send_expiry_warnings() == 1
    assert {message.subject.split(": ", 1)[1] for message in mail.outbox} == {"Warnings are off"}


@pytest.mark.django_db
def test_the_warning_runs_every_15_minutes_from_a_migration():
    task = PeriodicTask.objects.get(task="aiom.actions.warn_expiring")
    assert (task.interval.every, task.interval.period, task.enabled) == (15, "minutes", True)
