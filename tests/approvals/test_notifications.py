"""Who hears about a pending action, what they read, and what follows a failed execution."""

import html
from email import message_from_bytes, policy

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from actions import guardrails, lifecycle, notifications, services
from actions.models import Action, ActionStatus, NotificationRecord
from actions.types import ActionType
from aiom.models import Membership
from audit.models import ActionEvent, EventType
from audit.services import SYSTEM
from integrations.channels import SMS_MAX_CHARS
from tests.integrations.servers import free_port
from tests.processes import wait_until
from tests.reliability.support import run_aiom

from tests.actions.protocols import protocol_for
from .pages import link_path, submit, token_of

HOSTILE = "Remind <script>alert('x')</script> & Sons"


def _mail_to(address):
    [message] = [message for message in mail.outbox if message.to == [address]]
    return message


def _html(message):
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return html


def _records(action, purpose="approval_request"):
    return {(record.channel, record.address): record
            for record in NotificationRecord.objects.filter(action=action, purpose=purpose)}


def _notified(action, purpose="approval_request"):
    return {event.data["channel"]: event.data
            for event in ActionEvent.objects.filter(action_id=action.pk, event_type=EventType.NOTIFIED)
            if event.data["purpose"] == purpose}


def test_each_approver_gets_an_email_with_their_own_links(notify, team, viewer):
    action = notify(title=HOSTILE)

    assert sorted(address for message in mail.outbox for address in message.to) == [
        "alice@example.com", "approvals@acme.example", "bob@example.com"]  # not the viewer
    alice = _mail_to("alice@example.com")
    assert alice.subject == f"Approval needed (medium risk): {HOSTILE}"
    assert HOSTILE in alice.body
    assert "billing@customer.example" in alice.body
    assert "Our invoice INV/2025/0042 of 1,250.00 EUR is 14 days overdue." in alice.body
    assert "The invoice is 14 days overdue and nobody has contacted" in alice.body
    assert "expires in 23\xa0hours (20" in alice.body
    assert link_path(alice.body, "Approve") != link_path(_mail_to("bob@example.com").body, "Approve")
    assert _notified(action)["email"]["recipients"] == ["alice@example.com", "bob@example.com",
                                                        "approvals@acme.example"]


def test_every_approval_email_is_recorded_with_its_message_id(notify, team):
    action = notify()
    records = _records(action)
    assert set(records) == {("email", "alice@example.com"), ("email", "bob@example.com"),
                            ("email", "approvals@acme.example")}
    for message in mail.outbox:
        record = records[("email", message.to[0])]
        assert record.status == NotificationRecord.Status.SENT
        assert record.message_id == message.extra_headers["Message-ID"]


def test_the_records_are_read_only_in_the_admin(notify, approver, client, django_user_model):
    action = notify()
    record = NotificationRecord.objects.get(action=action)
    client.force_login(django_user_model.objects.create_superuser("root", "root@example.com", "pw"))
    listing = client.get(reverse("admin:actions_notificationrecord_changelist")).content.decode()
    assert "alice@example.com" in listing
    page = client.get(reverse("admin:actions_notificationrecord_change", args=[record.pk])).content.decode()
    assert html.escape(record.message_id) in page and 'name="_save"' not in page  # shown, not editable
    assert client.post(reverse("admin:actions_notificationrecord_delete", args=[record.pk])).status_code == 403


def test_the_html_email_escapes_what_came_from_outside(notify, team):
    notify(title=HOSTILE)
    html = _html(_mail_to("alice@example.com"))
    assert "<script>" not in html
    assert "Remind &lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; Sons" in html
    assert ">Approve</a>" in html and ">Reject</a>" in html
    assert "https://aiom.example/approvals/email/" in html


def test_the_email_says_how_many_approvers_an_action_needs(notify, approver):
    notify(risk_level="critical")
    critical = _mail_to("alice@example.com")
    assert "This action needs 2 different approvers." in critical.body
    assert "This action needs 2 different approvers." in _html(critical)

    mail.outbox.clear()
    notify()
    assert "different approvers" not in _mail_to("alice@example.com").body


def test_the_email_says_who_wrote_the_message_and_what_was_cleaned_from_odoo_text(notify, approver):
    notify(metadata={"written_by": "claude", "rules_body": "Dear Acme,", "content_flags": [
        "partner name: a link and payment instructions removed"]})
    email = _mail_to("alice@example.com")
    flag = "partner name: a link and payment instructions removed."
    assert "Written by Claude: the greeting, opening and closing are Claude's" in email.body
    assert f"Odoo text was cleaned before it was written here: {flag}" in email.body
    html = _html(email)
    assert "<strong>Written by Claude:</strong> the greeting, opening and closing are Claude's" in html
    assert f"<strong>Odoo text was cleaned before it was written here:</strong> {flag}" in html

    mail.outbox.clear()
    notify()
    plain = _mail_to("alice@example.com").body
    assert "Written by Claude" not in plain and "was cleaned" not in plain


def test_the_shared_address_gets_no_links_unless_it_is_an_approver(notify, team, settings):
    notify()
    shared = _mail_to("approvals@acme.example")
    assert "/approvals/email/" not in shared.body + _html(shared)
    assert "Review it and decide in the dashboard: https://aiom.example/dashboard/actions/" in shared.body

    mail.outbox.clear()
    settings.APPROVAL_EMAIL = "Alice@Example.com"
    notify()
    assert sorted(message.to[0] for message in mail.outbox) == ["alice@example.com", "bob@example.com"]


def test_the_link_in_the_email_approves_after_confirmation(notify, team):
    action = notify()
    approve = link_path(_mail_to("bob@example.com").body, "Approve")
    assert Client().get(approve).status_code == 200  # a mail scanner opening it
    assert submit(Client(), token_of(approve)).status_code == 200
    action.refresh_from_db()
    assert action.status == ActionStatus.APPROVED
    assert action.approvals.get().user.username == "bob"


def test_line_breaks_in_a_title_cannot_add_headers(pending, approver):
    Action.objects.filter(pk=pending.pk).update(title="Pay now\r\nBcc: thief@evil.example\x1b\u202e")
    notifications.deliver(notifications.APPROVAL_REQUEST, pending.pk)

    [message] = mail.outbox
    assert message.subject == "Approval needed (medium risk): Pay now Bcc: thief@evil.example"
    sent = message_from_bytes(message.message().as_bytes(), policy=policy.default)
    assert sent["Bcc"] is None and sent["Subject"] == message.subject
    assert message.recipients() == ["alice@example.com"]


def test_sending_waits_for_the_commit_and_happens_in_a_worker(pending, task_queue, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        notifications.notify_pending(pending)
    assert task_queue.take() == []  # nothing queued before the commit
    for callback in callbacks:
        callback()
    assert mail.outbox == [] and not _notified(pending)  # queued, not sent by the proposing process
    assert task_queue.run_notifications() == [("aiom.actions.notify", ["approval_request", str(pending.pk)])]
    assert len(mail.outbox) == 1


def test_a_failing_smtp_server_does_not_stop_the_proposal(notify, approver, settings, caplog):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False

    action = notify()
    action.refresh_from_db()
    assert action.status == ActionStatus.PENDING_APPROVAL
    notified = _notified(action)["email"]
    assert notified["recipients"] == []
    assert notified["failures"][0]["recipient"] == "alice@example.com"
    assert "SMTP server unreachable" in notified["failures"][0]["error"]
    assert "not sent to alice@example.com" in caplog.text
    record = _records(action)[("email", "alice@example.com")]
    assert record.status == NotificationRecord.Status.FAILED and "SMTP server unreachable" in record.error


def test_the_organisation_can_turn_email_notifications_off(notify, approver, org):
    guardrails.policy_update(guardrails.policy_for(org), actor=SYSTEM, notify_by_email=False)
    action = notify()
    assert mail.outbox == [] and not _notified(action)


def test_actions_no_longer_pending_notify_nobody(pending, second_approver, task_queue, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify_pending(pending)
        services.reject(pending, second_approver, reason="Not now")
    assert len(task_queue.run_notifications()) == 1
    assert mail.outbox == []


def test_high_risk_actions_also_send_an_sms_with_the_confirmation_link(notify, approver, sms_server, settings, org):
    settings.APPROVAL_PHONE = "+32470000001"
    settings.APP_URL = "https://approvals.acme.example" + "/aiom" * 30  # a long link: the title gives way
    Membership.objects.filter(user=approver).update(phone="+32470000002")
    action = notify(ActionType.SEND_INVOICE_REMINDER_SMS, title=HOSTILE + " " + "x" * 200)

    texts = {request.json()["to"]: request.json()["message"] for request in sms_server.requests}
    assert set(texts) == {"+32470000001", "+32470000002"}
    assert all(request.path == "/send-sms" for request in sms_server.requests)
    for text in texts.values():
        assert len(text) <= SMS_MAX_CHARS
        assert text.startswith("AIOM: high risk action needs your approval: Remind <script>")
    assert "…" in texts["+32470000002"]
    personal = link_path(texts["+32470000002"], "Review")
    assert link_path(texts["+32470000001"], "Review").endswith(f"/dashboard/actions/{action.pk}/")
    assert _notified(action)["sms"]["recipients"] == ["+32470000002", "+32470000001"]

    browser = Client()
    browser.force_login(approver)  # high risk: the link needs the approver's session
    assert submit(browser, token_of(personal)).status_code == 200
    action.refresh_from_db()
    assert action.status == ActionStatus.APPROVED


def test_each_approval_sms_is_recorded_with_what_the_gateway_answered(notify, approver, sms_server, settings):
    settings.APPROVAL_PHONE = "+32470000001"
    Membership.objects.filter(user=approver).update(phone="+32470000002")
    sms_server.answer(200, {"id": "sms-41", "status": "queued"})
    sms_server.answer(400, {"error": "number barred"})
    action = notify(ActionType.SEND_INVOICE_REMINDER_SMS)

    records = _records(action)
    personal, shared = records[("sms", "+32470000002")], records[("sms", "+32470000001")]
    assert (personal.status, personal.provider_id) == (NotificationRecord.Status.SENT, "sms-41")
    assert personal.message_id == f"approval:{action.pk}:r1:32470000002"
    assert shared.status == NotificationRecord.Status.FAILED and "number barred" in shared.error
    assert _notified(action)["sms"]["recipients"] == ["+32470000002"]


def test_medium_risk_actions_send_no_sms(notify, approver, sms_server, settings):
    settings.APPROVAL_PHONE = "+32470000001"
    notify()
    assert sms_server.requests == []


def test_the_organisation_can_turn_sms_notifications_off(notify, approver, sms_server, settings, org):
    settings.APPROVAL_PHONE = "+32470000001"
    guardrails.policy_update(guardrails.policy_for(org), actor=SYSTEM, notify_by_sms=False)
    notify(ActionType.SEND_INVOICE_REMINDER_SMS)
    assert sms_server.requests == []
    assert len(mail.outbox) == 1


def _run_until(action, status, reason):
    lifecycle.transition(action, ActionStatus.EXECUTING)
    return lifecycle.transition(action, status, reason=reason, error="SMTP server answered 554 rejected")


@pytest.mark.parametrize(("status", "subject", "advice"), [
    (ActionStatus.FAILED, "Action failed", "Once the cause is fixed, press “Retry”"),
    (ActionStatus.OUTCOME_UNKNOWN, "Check needed, outcome unknown",
     "open the action and press “It was sent” or “It was not sent”; after “It was not sent” you can press “Retry”"),
])
def test_the_approver_hears_when_an_action_did_not_work(pending, approver, second_approver, settings, status, subject,
                                                       advice, task_queue, django_capture_on_commit_callbacks):
    settings.APPROVAL_EMAIL = "approvals@acme.example"
    services.approve(pending, approver)
    pending.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify_result(_run_until(pending, status, "It went wrong"))
    assert task_queue.run_notifications() == [("aiom.actions.notify", ["result", str(pending.pk)])]

    assert sorted(message.to[0] for message in mail.outbox) == ["alice@example.com", "approvals@acme.example"]
    message = _mail_to("alice@example.com")
    assert message.subject == f"{subject}: {pending.title}"
    assert advice in message.body and advice in _html(message)
    assert "SMTP server answered 554 rejected" in message.body
    assert f"https://aiom.example/dashboard/actions/{pending.pk}/" in message.body
    assert _notified(pending, "result")["email"]["recipients"] == ["alice@example.com", "approvals@acme.example"]
    assert {address: record.status for (_, address), record in _records(pending, "result").items()} == {
        "alice@example.com": NotificationRecord.Status.SENT, "approvals@acme.example": NotificationRecord.Status.SENT}


def test_an_executed_action_sends_no_result_email(pending, approver, task_queue, django_capture_on_commit_callbacks):
    services.approve(pending, approver)
    pending.refresh_from_db()
    lifecycle.transition(pending, ActionStatus.EXECUTING)
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify_result(lifecycle.transition(pending, ActionStatus.EXECUTED))
    assert task_queue.take() == [] and mail.outbox == []


@pytest.mark.slow
def test_a_worker_asks_the_approvers_once_the_proposal_is_committed(org, approver, viewer, smtp_server, start_worker):
    start_worker(concurrency=1)
    action = services.propose(org, protocol_for(ActionType.SEND_INVOICE_REMINDER), source="analyzer")

    [received] = wait_until(lambda: smtp_server.received, what="the worker to send the approval request")
    assert received.rcpt_tos == ["alice@example.com"]
    assert "/approvals/email/" in received.message.get_body(("plain",)).get_content()
    # The worker audits the send once the SMTP server has answered: wait for that too.
    event = wait_until(lambda: ActionEvent.objects.filter(action_id=action.pk, event_type=EventType.NOTIFIED).first(),
                       what="the worker to audit the send")
    assert event.data["recipients"] == ["alice@example.com"]


#: A proposal made by another AIOM process (a web server whose broker is down).
PROPOSE_IN_ANOTHER_PROCESS = """
import sys
from actions import services
from aiom.models import Organization
from tests.actions.protocols import protocol_for
print(services.propose(Organization.objects.get(pk=sys.argv[1]), protocol_for(sys.argv[2]), source="analyzer").pk)
"""


@pytest.mark.slow
def test_with_the_broker_down_the_proposing_process_sends_the_request_itself(org, approver, smtp_server, process_env):
    broker_down = {**process_env, "CELERY_BROKER_URL": f"redis://127.0.0.1:{free_port()}/5"}
    proposal = run_aiom(broker_down, PROPOSE_IN_ANOTHER_PROCESS, str(org.pk), ActionType.SEND_INVOICE_REMINDER.value)

    action = Action.objects.get(pk=proposal.stdout.strip())
    assert f"could not enqueue the approval_request notification for action {action.pk}" in proposal.stderr
    assert action.status == ActionStatus.PENDING_APPROVAL
    [received] = smtp_server.received
    assert received.rcpt_tos == ["alice@example.com"]
    assert received.message["Subject"] == f"Approval needed (medium risk): {action.title}"
