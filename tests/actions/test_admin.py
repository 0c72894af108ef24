from django.urls import reverse

from actions import guardrails, services
from actions.types import ActionType
from audit.models import ActionEvent, EventType

from .protocols import protocol_for


def _superuser(django_user_model):
    return django_user_model.objects.create_superuser("root", "root@example.com", "pw")


def test_policy_edit_in_admin_is_audited(client, org, django_user_model):
    client.force_login(_superuser(django_user_model))
    policy = guardrails.policy_for(org)
    url = reverse("admin:actions_guardrailpolicy_change", args=[policy.pk])
    form = client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update({"organization": org.pk, "emails_per_hour": 7,
                 "business_hours_start": "09:00", "business_hours_end": "17:00"})
    for flag in ("auto_execute_internal", "may_create_tasks", "may_send_email", "may_move_deal_stages",
                 "weekends_off", "notify_by_email", "notify_by_sms"):
        if not data.get(flag):
            data.pop(flag, None)
    data.pop("may_send_sms", None)  # unchecked box: SMS turned off
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    event = ActionEvent.objects.get(event_type=EventType.POLICY_CHANGED)
    assert event.data["changes"] == {"emails_per_hour": {"before": 100, "after": 7},
                                     "may_send_sms": {"before": True, "after": False}}
    assert event.actor.startswith("user:")


def test_action_change_page_renders_the_diff_escaped(client, org, django_user_model):
    document = protocol_for(ActionType.SEND_INVOICE_REMINDER, title="Remind <script>x()</script>")
    document["operation"]["inputs"]["body"] = "Dear <b>customer</b>"
    action = services.propose(org, document, source="analyzer")
    client.force_login(_superuser(django_user_model))
    page = client.get(reverse("admin:actions_action_change", args=[action.pk])).content.decode()
    assert "billing@customer.example" in page
    assert "Dear &lt;b&gt;customer&lt;/b&gt;" in page and "<script>x()" not in page
    assert "payment status is still not paid" in page


def test_staff_only_see_their_organisations_actions(client, org, other_org, approver, django_user_model):
    services.propose(other_org, protocol_for(ActionType.NOTE_ON_RECORD), source="analyzer")
    mine = services.propose(org, protocol_for(ActionType.NOTE_ON_RECORD), source="analyzer")
    approver.is_staff = True
    approver.save()
    from django.contrib.auth.models import Permission
    approver.user_permissions.add(Permission.objects.get(codename="view_action"))
    client.force_login(approver)
    page = client.get(reverse("admin:actions_action_changelist")).content.decode()
    assert str(mine.pk) in page and page.count("/change/") == 1


def test_trail_ledger_and_outbox_are_read_only_even_for_superusers(client, org, django_user_model):
    from audit.models import ActionEvent

    services.propose(org, protocol_for(ActionType.NOTE_ON_RECORD), source="analyzer")
    event = ActionEvent.objects.filter(organization=org).first()
    client.force_login(_superuser(django_user_model))
    assert client.get(reverse("admin:audit_actionevent_change", args=[event.pk])).status_code == 200
    for name in ("audit_actionevent", "actions_outboundrecord", "integrations_outboxmessage"):
        assert client.get(reverse(f"admin:{name}_add")).status_code == 403
    response = client.post(reverse("admin:audit_actionevent_change", args=[event.pk]), {"actor": "mallory"})
    assert response.status_code == 403
    event.refresh_from_db()
    assert event.actor != "mallory"
    assert client.post(reverse("admin:audit_actionevent_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
