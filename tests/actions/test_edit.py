import pytest
from django.urls import reverse

from actions import editing, services
from actions.models import ActionStatus
from actions.types import ActionType
from aiom.errors import ApplicationError, Conflict, NotAllowed
from audit.models import ActionEvent, EventType

from .protocols import protocol_for


@pytest.fixture
def pending(org):
    return services.propose(org, protocol_for(ActionType.SEND_INVOICE_REMINDER), source="analyzer")


def test_edit_makes_a_new_revision_that_approvers_see(pending, approver):
    old_hash = pending.protocol_hash
    edited = editing.edit(pending, approver, inputs={"subject": "A gentle reminder", "body": "Hello again"},
                           protocol_hash=old_hash)
    protocol = edited.parsed
    assert edited.revision == 2 and edited.protocol_hash != old_hash
    assert protocol.operation.inputs.subject == "A gentle reminder"
    assert protocol.external_effects[0].subject == "A gentle reminder"
    assert protocol.external_effects[0].preview == "Hello again"
    assert protocol.operation.inputs.to == ["billing@customer.example"]
    event = ActionEvent.objects.get(action_id=pending.pk, event_type=EventType.EDITED)
    assert event.data["changes"]["subject"] == {"before": "Invoice INV/2025/0042 is 14 days overdue",
                                                "after": "A gentle reminder"}
    assert event.data["previous_hash"] == old_hash


def test_approval_of_the_old_version_is_refused_after_an_edit(pending, approver, second_approver):
    old_hash = pending.protocol_hash
    editing.edit(pending, approver, inputs={"body": "Changed"}, protocol_hash=old_hash)
    with pytest.raises(Conflict, match="edited after you saw it"):
        services.approve(pending, second_approver, protocol_hash=old_hash)


def test_partial_critical_approval_does_not_carry_over_to_a_new_version(org, approver, second_approver, admin_member):
    action = services.propose(org, protocol_for(ActionType.SEND_INVOICE_REMINDER, risk_level="critical"),
                              source="analyzer")
    services.approve(action, approver)
    edited = editing.edit(action, admin_member, inputs={"body": "New words"}, protocol_hash=action.protocol_hash)
    assert services.approve(edited, second_approver).status == ActionStatus.PENDING_APPROVAL
    assert services.approve(edited, approver).status == ActionStatus.APPROVED


def test_recipients_cannot_be_edited(pending, approver):
    with pytest.raises(ApplicationError, match="cannot be edited: to"):
        editing.edit(pending, approver, inputs={"to": ["someone@else.example"]}, protocol_hash=pending.protocol_hash)


def test_invalid_edit_is_refused_and_nothing_changes(client, pending, approver):
    client.force_login(approver)
    response = client.post(reverse("dashboard:edit", args=[pending.pk]),
                           {"protocol_hash": pending.protocol_hash, "subject": "Hi\r\nBcc: x@evil.example",
                            "body": "Hello"})
    assert response.status_code == 200
    assert "must not contain line breaks" in response.content.decode()
    pending.refresh_from_db()
    assert pending.revision == 1
    assert not ActionEvent.objects.filter(action_id=pending.pk, event_type=EventType.EDITED).exists()


def test_edit_page_saves_and_shows_the_new_version(client, pending, approver):
    client.force_login(approver)
    page = client.get(reverse("dashboard:edit", args=[pending.pk])).content.decode()
    assert "Invoice INV/2025/0042 is 14 days overdue" in page
    response = client.post(reverse("dashboard:edit", args=[pending.pk]),
                           {"protocol_hash": pending.protocol_hash, "subject": "Friendly reminder",
                            "body": "Dear customer,\nplease pay."})
    assert response.status_code == 302
    detail = client.get(response["Location"]).content.decode()
    assert "Friendly reminder" in detail and "needs approval again" in detail


def test_viewer_and_outsider_cannot_edit(client, pending, viewer, outsider):
    client.force_login(viewer)
    assert client.get(reverse("dashboard:edit", args=[pending.pk])).status_code == 403
    with pytest.raises(NotAllowed):
        editing.edit(pending, viewer, inputs={"body": "x"}, protocol_hash=pending.protocol_hash)
    client.force_login(outsider)
    assert client.post(reverse("dashboard:edit", args=[pending.pk]), {"body": "x"}).status_code == 404


def test_edited_task_name_follows_into_the_diff(org, approver):
    action = services.propose(org, protocol_for(ActionType.CREATE_STAFF_TASK), source="analyzer")
    edited = editing.edit(action, approver, inputs={"name": "Call Acme today", "date_deadline": "2031-01-31"},
                           protocol_hash=action.protocol_hash)
    assert edited.parsed.proposed_changes[0].after == "Call Acme today"
    assert str(edited.parsed.operation.inputs.date_deadline) == "2031-01-31"


def test_an_edit_that_brings_in_numbers_links_or_bank_details_is_pointed_out_to_approvers(pending, approver, client):
    body = pending.parsed.operation.inputs.body
    added = " Pay 500 EUR to IBAN BE71 0961 2345 6769 at evil.example/pay."
    edited = editing.edit(pending, approver, inputs={"body": body + added}, protocol_hash=pending.protocol_hash)

    warnings = edited.parsed.metadata["edit_warnings"]
    assert warnings == ["body: a new number: 500", "body: new bank or payment details: IBAN",
                        "body: a new bank account number: BE71 0961 2345 6769", "body: a new link: evil.example/pay"]
    event = ActionEvent.objects.get(action_id=pending.pk, event_type=EventType.EDITED)
    assert event.data["warnings"] == warnings
    client.force_login(approver)
    page = client.get(reverse("dashboard:approvals")).content.decode()
    assert "Check this edit:" in page and "a new link: evil.example/pay" in page


def test_an_edit_of_wording_only_raises_no_warning(pending, approver):
    edited = editing.edit(pending, approver, inputs={"body": "Hello, a kind reminder about our invoice."},
                           protocol_hash=pending.protocol_hash)
    assert "edit_warnings" not in edited.parsed.metadata
    assert ActionEvent.objects.get(action_id=pending.pk, event_type=EventType.EDITED).data["warnings"] == []


def test_the_timelines_show_what_an_edit_changed(client, pending, approver):
    editing.edit(pending, approver, inputs={"subject": "A gentle reminder"}, protocol_hash=pending.protocol_hash)
    client.force_login(approver)
    change = "subject: Invoice INV/2025/0042 is 14 days overdue → A gentle reminder"
    assert change in client.get(reverse("dashboard:audit")).content.decode()
    page = client.get(reverse("dashboard:action", args=[pending.pk])).content.decode()
    assert "subject: <del>Invoice INV/2025/0042 is 14 days overdue</del> → <ins>A gentle reminder</ins>" in page
