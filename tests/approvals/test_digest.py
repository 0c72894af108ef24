"""Approval digests: with `approval_digest_minutes` set, each approver gets at most one email
per period, listing every action still pending, each with its own working links."""

import re
import threading
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from actions import guardrails, notifications, services, tasks
from actions.forms import GuardrailPolicyForm
from actions.models import ActionStatus, DigestItem, GuardrailPolicy, NotificationRecord
from actions.types import ActionType
from aiom.models import Membership
from audit.models import ActionEvent, EventType
from audit.services import SYSTEM
from tests.integrations.servers import free_port
from tests.processes import wait_until

from .pages import submit, token_of

HOSTILE = "Remind <script>alert('x')</script> & Sons"


@pytest.fixture
def every_15_minutes(org):
    guardrails.policy_update(guardrails.policy_for(org), actor=SYSTEM, approval_digest_minutes=15)


def _digest_run(minutes_from_now: float = 15) -> int:
    """The beat task's work, as it runs at that moment."""
    return notifications.send_due_digests(now=timezone.now() + timedelta(minutes=minutes_from_now))


def _mail_to(address):
    [message] = [message for message in mail.outbox if message.to == [address]]
    return message


def _links(text: str, label: str) -> list[str]:
    return [urlsplit(url).path for url in re.findall(rf"^{label}: (\S+)", text, re.MULTILINE)]


def _digest_events(action):
    return [event.data for event in ActionEvent.objects.filter(action_id=action.pk, event_type=EventType.NOTIFIED)
            if event.data["purpose"] == "approval_digest"]


def test_three_actions_in_the_window_make_one_email_per_approver_listing_all(notify, team, every_15_minutes):
    actions = [notify(title=f"Remind customer {n}") for n in (1, 2, 3)]
    assert mail.outbox == []
    assert _digest_run(minutes_from_now=14) == 0 and mail.outbox == []  # the window is not over yet

    assert _digest_run() == 3  # alice, bob and the shared address
    alice = _mail_to("alice@example.com")
    assert alice.subject == "Approval needed: 3 actions waiting"
    for action in actions:
        assert action.title in alice.body
    approve, reject = _links(alice.body, "Approve"), _links(alice.body, "Reject")
    assert len(set(approve)) == len(set(reject)) == 3
    assert set(approve).isdisjoint(_links(_mail_to("bob@example.com").body, "Approve"))
    for path in approve + reject:
        assert Client().get(path).status_code == 200  # each link opens its confirmation page
    [html] = [content for content, mimetype in alice.alternatives if mimetype == "text/html"]
    assert html.count(">Approve</a>") == 3 and html.count(">Reject</a>") == 3

    shared = _mail_to("approvals@acme.example")
    assert "/approvals/email/" not in shared.body and shared.body.count("https://aiom.example/dashboard/actions/") == 3

    assert submit(Client(), token_of(approve[1])).status_code == 200
    decided = [action for action in actions if action.approvals.filter(user__username="alice").exists()]
    assert len(decided) == 1 and decided[0].title in _mail_to("bob@example.com").body


def test_each_action_included_is_audited_with_the_digest_it_was_in(notify, approver, every_15_minutes):
    first, second = notify(), notify()
    _digest_run()
    for action in (first, second):
        [event] = _digest_events(action)
        assert event["recipients"] == ["alice@example.com"] and event["failures"] == []
        assert event["digest"] == [str(first.pk), str(second.pk)]


def test_nothing_is_sent_twice_when_the_beat_task_runs_again(notify, approver, every_15_minutes):
    notify(title="Remind customer 1")
    assert tasks.send_digests() == 0  # the task the beat runs: nothing due yet
    assert _digest_run() == 1
    assert _digest_run() == 0 and _digest_run(minutes_from_now=60) == 0
    assert len(mail.outbox) == 1

    later = notify(title="Remind customer 2")  # after the digest: it starts the next one
    assert _digest_run(minutes_from_now=14) == 0
    assert _digest_run() == 1
    assert len(mail.outbox) == 2
    assert mail.outbox[1].subject == f"Approval needed: 1 action waiting: {later.title}"
    assert "Remind customer 1" not in mail.outbox[1].body


def test_actions_decided_before_the_digest_goes_out_are_left_out(notify, approver, second_approver,
                                                                   every_15_minutes):
    kept, rejected = notify(title="Remind customer 1"), notify(title="Remind customer 2")
    services.reject(rejected, second_approver, reason="Already paid")
    _digest_run()

    alice = _mail_to("alice@example.com")
    assert alice.subject == f"Approval needed: 1 action waiting: {kept.title}"
    assert rejected.title not in alice.body
    assert not _digest_events(rejected)
    assert set(DigestItem.objects.filter(action=rejected).values_list("outcome", flat=True)) == {"left_out"}


def test_when_every_action_was_decided_no_digest_is_sent(notify, approver, second_approver, every_15_minutes):
    services.reject(notify(), second_approver, reason="No")
    assert _digest_run() == 0 and mail.outbox == []
    assert not DigestItem.objects.filter(done_at__isnull=True).exists()


def test_a_failed_send_keeps_the_digest_for_the_next_run(notify, approver, every_15_minutes, settings, caplog):
    action = notify()
    email_backend = settings.EMAIL_BACKEND
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    assert _digest_run() == 0
    assert "approval digest to alice@example.com not sent (retrying next run)" in caplog.text
    assert not _digest_events(action)
    [failed] = NotificationRecord.objects.all()
    assert failed.status == NotificationRecord.Status.FAILED and "SMTP server unreachable" in failed.error
    assert DigestItem.objects.get(action=action, done_at__isnull=True).record is None  # free for the next run

    settings.EMAIL_BACKEND = email_backend  # the mail server is back
    assert _digest_run(minutes_from_now=16) == 1
    assert action.title in _mail_to("alice@example.com").body


def test_the_digest_says_which_actions_need_more_than_one_approver(notify, approver, every_15_minutes):
    notify(title="Remind customer 1", risk_level="critical"), notify(title="Remind customer 2")
    _digest_run()
    body = _mail_to("alice@example.com").body
    assert body.count("This action needs 2 different approvers.") == 1
    assert body.index("Remind customer 1") < body.index("This action needs 2") < body.index("Remind customer 2")


def test_the_digest_escapes_what_came_from_outside(notify, approver, every_15_minutes):
    notify(title=HOSTILE)
    _digest_run()
    [html] = [content for content, mimetype in mail.outbox[0].alternatives if mimetype == "text/html"]
    assert "<script>" not in html
    assert "Remind &lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; Sons" in html


def test_without_a_digest_each_action_still_gets_its_own_email(notify, approver):
    notify(title="Remind customer 1"), notify(title="Remind customer 2")
    assert [message.subject for message in mail.outbox] == [
        "Approval needed (medium risk): Remind customer 1", "Approval needed (medium risk): Remind customer 2"]
    assert not DigestItem.objects.exists()


def test_high_risk_sms_stay_immediate(notify, approver, sms_server, every_15_minutes):
    Membership.objects.filter(user=approver).update(phone="+32470000002")
    action = notify(ActionType.SEND_INVOICE_REMINDER_SMS)

    [sms] = sms_server.requests
    assert sms.json()["to"] == "+32470000002"
    assert mail.outbox == []  # the email waits for the digest
    assert DigestItem.objects.get(action=action, done_at__isnull=True).address == "alice@example.com"


def test_a_redelivered_task_does_not_list_an_action_twice(notify, approver, every_15_minutes):
    action = notify()
    notifications.deliver(notifications.APPROVAL_REQUEST, action.pk)  # the same task, delivered again
    assert DigestItem.objects.filter(action=action).count() == 1


def test_the_beat_runs_the_digest_task_every_minute(db):
    task = PeriodicTask.objects.get(task="aiom.actions.send_digests")
    assert (task.interval.every, task.interval.period, task.enabled) == (1, "minutes", True)


def test_admins_set_the_digest_period_on_the_guardrails_page_and_it_is_audited(client, admin_member, org):
    client.force_login(admin_member)
    page = client.get(reverse("dashboard:guardrails"))
    assert page.status_code == 200 and 'name="approval_digest_minutes"' in page.content.decode()
    assert "critical actions need 2 different approvers." in page.content.decode()

    form = GuardrailPolicyForm(instance=guardrails.policy_for(org))
    data = {name: value for name, value in form.initial.items() if value is not False and name in form.fields}
    response = client.post(reverse("dashboard:guardrails"), {**data, "approval_digest_minutes": "2000"})
    assert "Ensure this value is less than or equal to 1440." in response.content.decode()

    response = client.post(reverse("dashboard:guardrails"), {**data, "approval_digest_minutes": "15"})
    assert response.status_code == 302
    assert GuardrailPolicy.objects.get(organization=org).approval_digest_minutes == 15
    event = ActionEvent.objects.filter(event_type=EventType.POLICY_CHANGED).latest("seq")
    assert event.data["changes"] == {"approval_digest_minutes": {"before": 0, "after": 15}}
    assert event.actor == f"user:{admin_member.pk} ada"


def test_setting_the_digest_back_to_zero_sends_what_waits_at_the_next_run(notify, approver, org, every_15_minutes):
    action = notify()
    guardrails.policy_update(guardrails.policy_for(org), actor=SYSTEM, approval_digest_minutes=0)
    assert _digest_run(minutes_from_now=0) == 1
    assert action.title in _mail_to("alice@example.com").body
    assert action.status == ActionStatus.PENDING_APPROVAL


# ---------------------------------------------------------------------------------------------
# Each digest is recorded before it is sent, and sent outside the transaction that claimed it.


@pytest.fixture
def slow_smtp(smtp_server, settings):
    """Email goes over SMTP to the local server, which takes a moment to accept each message."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = smtp_server.host, smtp_server.port, 30
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    smtp_server.delay = 2
    return smtp_server


def _digest_run_elsewhere() -> tuple[threading.Thread, dict]:
    """A digest run in another thread, on its own database connection (another worker)."""
    outcome = {}

    def run():
        try:
            outcome["sent"] = _digest_run()
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def _sending_record():
    return wait_until(lambda: NotificationRecord.objects.filter(status=NotificationRecord.Status.SENDING).first(),
                      what="the digest run to record the digest it is sending")


@pytest.mark.django_db(transaction=True)
def test_the_digest_is_recorded_as_sending_while_the_mail_server_answers(propose, approver, every_15_minutes,
                                                                          task_queue, slow_smtp):
    first, second = propose(), propose()  # committed: each asks the approvers at once
    task_queue.run_notifications()
    thread, outcome = _digest_run_elsewhere()

    record = _sending_record()
    assert slow_smtp.received == []  # committed before the mail server accepted anything
    assert (record.purpose, record.channel, record.address, record.action) == (
        "approval_digest", "email", "alice@example.com", None)
    assert set(DigestItem.objects.filter(record=record, done_at__isnull=True).values_list("action", flat=True)) == {
        first.pk, second.pk}

    thread.join()
    assert outcome["sent"] == 1
    [received] = slow_smtp.received
    record.refresh_from_db()
    assert record.status == NotificationRecord.Status.SENT and received.message["Message-ID"] == record.message_id
    assert set(DigestItem.objects.filter(record=record).values_list("outcome", flat=True)) == {"included"}


@pytest.mark.django_db(transaction=True)
def test_a_concurrent_run_does_not_send_the_same_digest_twice(propose, approver, every_15_minutes, task_queue,
                                                              slow_smtp):
    action = propose()
    task_queue.run_notifications()
    thread, outcome = _digest_run_elsewhere()
    _sending_record()

    assert _digest_run() == 0  # the items are claimed by the digest being sent
    thread.join()
    assert outcome["sent"] == 1
    assert [received.rcpt_tos for received in slow_smtp.received] == [["alice@example.com"]]
    assert _digest_run(minutes_from_now=60) == 0
    assert len(_digest_events(action)) == 1


class _StoppedMidSend(BaseEmailBackend):
    """The worker's time limit strikes while the message is being handed over."""

    def send_messages(self, email_messages):
        raise SoftTimeLimitExceeded()


def test_a_digest_whose_sender_died_is_sent_by_a_later_run(notify, approver, every_15_minutes, settings):
    action = notify(title="Remind customer 1")
    email_backend = settings.EMAIL_BACKEND
    settings.EMAIL_BACKEND = f"{__name__}._StoppedMidSend"
    with pytest.raises(SoftTimeLimitExceeded):
        _digest_run()
    [abandoned] = NotificationRecord.objects.all()
    assert abandoned.status == NotificationRecord.Status.SENDING  # it may or may not have gone out

    settings.EMAIL_BACKEND = email_backend
    assert _digest_run(minutes_from_now=16) == 0 and mail.outbox == []  # it could still be on its way
    NotificationRecord.objects.filter(pk=abandoned.pk).update(created_at=abandoned.created_at - timedelta(minutes=10))

    assert _digest_run(minutes_from_now=26) == 1
    assert action.title in _mail_to("alice@example.com").body
    item = DigestItem.objects.get(action=action)
    assert item.outcome == "included" and item.record != abandoned
    assert NotificationRecord.objects.get(pk=abandoned.pk).status == NotificationRecord.Status.SENDING
