"""An edit asks the approvers again: a new email with links bound to the new version, while
the links of the old one are refused as revised."""

from django.core import mail
from django.test import Client
from django.urls import reverse

from actions import editing, tasks
from actions.approval_links import Reason, verify
from actions.models import ActionStatus
from audit.models import ActionEvent, EventType

from .pages import decision_form, link_path, submit, token_of


def test_an_edit_sends_fresh_links_and_the_old_ones_stop_working(notify, approver, task_queue,
                                                                 django_capture_on_commit_callbacks):
    action = notify()
    [first] = mail.outbox
    old_token = token_of(link_path(first.body, "Approve"))
    old_fields = decision_form(Client().get(reverse("approval-link", args=[old_token])).content.decode())
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        edited = editing.edit(action, approver, inputs={"subject": "A gentle reminder"},
                               protocol_hash=action.protocol_hash)
    assert task_queue.run_notifications() == [(tasks.notify.name, ["approval_request", str(action.pk)])]

    [second] = mail.outbox
    assert second.to == ["alice@example.com"] and "A gentle reminder" in second.body
    new_token = token_of(link_path(second.body, "Approve"))
    assert verify(new_token).protocol_hash == edited.protocol_hash != action.protocol_hash
    assert verify(old_token).reason is Reason.REVISED

    refused = Client().post(reverse("approval-link-decide"), old_fields)
    assert refused.status_code == 409 and "edited after this link was sent" in refused.content.decode()
    assert submit(Client(), new_token).status_code == 200
    edited.refresh_from_db()
    assert edited.status == ActionStatus.APPROVED and edited.approvals.get().protocol_hash == edited.protocol_hash
    assert list(ActionEvent.objects.filter(action_id=action.pk, event_type=EventType.NOTIFIED)
                .values_list("data__purpose", flat=True)) == ["approval_request", "approval_request"]


def test_an_edit_that_changes_nothing_sends_nothing(notify, approver, task_queue, django_capture_on_commit_callbacks):
    action = notify()
    mail.outbox.clear()
    subject = action.parsed.operation.inputs.subject
    with django_capture_on_commit_callbacks(execute=True):
        editing.edit(action, approver, inputs={"subject": subject}, protocol_hash=action.protocol_hash)
    assert task_queue.take() == [] and mail.outbox == []
