"""When a finding's rule takes another branch (a friendly reminder from yesterday is still pending
when the invoice passes 30 days overdue), the new proposal supersedes the pending one and links
to it; what the rule still wants stays pending, and an approved action is never replaced."""

from datetime import datetime, timedelta

from actions import services
from actions.models import Action, ActionStatus
from actions.types import ActionType
from analyzers.services import run_analysis
from audit.models import ActionEvent, EventType

from .demo_day import TODAY

KEY_TIME = "%Y%m%dT%H%M"


def _rule(action):
    return action.protocol["metadata"]["rule"]


def _days(action):
    return action.protocol["metadata"]["days_overdue"]


def _first_run_was_yesterday():
    """Today's run makes today's idempotency keys: give the first run's actions yesterday's."""
    for action in Action.objects.all():
        head, moment = action.idempotency_key.rsplit(":", 1)
        earlier = (datetime.strptime(moment, KEY_TIME) - timedelta(days=1)).strftime(KEY_TIME)
        Action.objects.filter(pk=action.pk).update(idempotency_key=f"{head}:{earlier}")


def _friendly_reminders():
    return [action for action in Action.objects.filter(action_type=ActionType.SEND_INVOICE_REMINDER)
            if _rule(action) == "invoice_overdue:friendly"]


def test_a_firm_reminder_supersedes_the_friendly_one_still_pending(connected_org):
    run_analysis(connected_org, as_of=TODAY)
    friendly = _friendly_reminders()
    oldest = max(friendly, key=_days)
    later = 31 - _days(oldest)
    staying = [action for action in friendly if _days(action) + later <= 30]
    assert staying, "the demo needs a reminder that stays friendly"
    _first_run_was_yesterday()

    analysis = run_analysis(connected_org, as_of=TODAY + timedelta(days=later))

    oldest.refresh_from_db()
    firm = Action.objects.get(action_type=ActionType.SEND_INVOICE_REMINDER, target_id=oldest.target_id,
                              status=ActionStatus.PENDING_APPROVAL)
    assert _rule(firm) == "invoice_overdue:firm"
    assert oldest.status == ActionStatus.SUPERSEDED and oldest.superseded_by == firm
    assert {"action_id": str(oldest.pk), "title": oldest.title, "superseded_by": str(firm.pk)} \
        in analysis.proposals["superseded"]
    assert ActionEvent.objects.filter(action_id=oldest.pk, event_type=EventType.SUPERSEDED).exists()

    for action in staying:  # the rule did not change for these: still pending, nothing new proposed
        action.refresh_from_db()
        assert action.status == ActionStatus.PENDING_APPROVAL
        assert Action.objects.filter(action_type=action.action_type, target_id=action.target_id).count() == 1
    assert set(Action.objects.filter(status=ActionStatus.SUPERSEDED).values_list("superseded_by__status", flat=True)) \
        == {ActionStatus.PENDING_APPROVAL}


def test_an_approved_action_is_never_superseded(connected_org, approver):
    run_analysis(connected_org, as_of=TODAY)
    friendly = max(_friendly_reminders(), key=_days)
    services.approve(friendly, approver, protocol_hash=friendly.protocol_hash)
    _first_run_was_yesterday()

    run_analysis(connected_org, as_of=TODAY + timedelta(days=31 - _days(friendly)))

    friendly.refresh_from_db()
    assert friendly.status != ActionStatus.SUPERSEDED and friendly.superseded_by is None
    assert not Action.objects.filter(action_type=ActionType.SEND_INVOICE_REMINDER, target_id=friendly.target_id,
                                     status=ActionStatus.PENDING_APPROVAL).exists()
