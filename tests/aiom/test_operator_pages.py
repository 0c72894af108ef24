from django import forms
from django.urls import reverse

from actions import guardrails
from actions.forms import GuardrailPolicyForm
from audit.models import ActionEvent, EventType
from integrations.models import OdooConnection
from integrations.odoo.sandbox.server import start_in_thread
from integrations.outbox import OutboxMessage


def _policy_form_data(org):
    """What the settings page posts back unchanged: every field of the form, as shown."""
    form = GuardrailPolicyForm(instance=guardrails.policy_for(org))
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name)
        if isinstance(field, forms.BooleanField):
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = str(value)
    return data


def test_admin_changes_guardrails_and_the_change_is_audited(client, admin_member, org):
    client.force_login(admin_member)
    assert client.get(reverse("dashboard:guardrails")).status_code == 200
    data = {**_policy_form_data(org), "sms_per_day": 5}
    response = client.post(reverse("dashboard:guardrails"), data)
    assert response.status_code == 302
    assert guardrails.policy_for(org).sms_per_day == 5
    event = ActionEvent.objects.get(organization=org, event_type=EventType.POLICY_CHANGED)
    assert event.data["changes"] == {"sms_per_day": {"before": 50, "after": 5}}


def test_guardrails_reject_nonsense_and_keep_the_policy(client, admin_member, org):
    client.force_login(admin_member)
    response = client.post(reverse("dashboard:guardrails"), {**_policy_form_data(org), "emails_per_hour": "-3"})
    assert response.status_code == 200
    assert guardrails.policy_for(org).emails_per_hour == 100
    assert not ActionEvent.objects.filter(event_type=EventType.POLICY_CHANGED).exists()


def test_only_admins_reach_the_guardrails(client, approver, viewer, org):
    for user in (approver, viewer):
        client.force_login(user)
        assert client.get(reverse("dashboard:guardrails")).status_code == 403
        assert client.post(reverse("dashboard:guardrails"), _policy_form_data(org)).status_code == 403


def test_health_page_shows_queue_broker_and_schedules(client, viewer, org):
    client.force_login(viewer)
    page = client.get(reverse("dashboard:health")).content.decode()
    assert "Pending approval" in page and "aiom.actions.sweep" in page
    assert "Reachable." in page  # the test Redis broker


def test_health_reports_an_unreachable_broker(client, viewer, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    client.force_login(viewer)
    page = client.get(reverse("dashboard:health")).content.decode()
    assert "Unreachable" in page and "sweeper sends them" in page


def test_check_odoo_now_records_the_answer(client, approver, org):
    sandbox = start_in_thread(seed="empty")
    try:
        OdooConnection.objects.create(organization=org, url=sandbox.url, database=sandbox.db,
                                      username=sandbox.login, secret="wrong-key", protocol="xmlrpc")
        client.force_login(approver)
        assert client.get(reverse("dashboard:check-odoo")).status_code == 405
        page = client.post(reverse("dashboard:check-odoo"), follow=True).content.decode()
        assert "Odoo check failed" in page and "login refused" in page
        assert "wrong-key" not in page
    finally:
        sandbox.stop()


def test_outbox_shows_messages_only_in_the_demo(client, approver, org, settings):
    OutboxMessage.objects.create(organization=org, channel="email", recipients=["a@example.com"], subject="Hello <b>there</b>",
                                 body="See http://127.0.0.1:8000/approvals/email/abc/", html="<script>alert(1)</script>")
    client.force_login(approver)
    settings.DEBUG = False
    assert client.get(reverse("dashboard:outbox")).status_code == 404
    settings.DEBUG = True
    page = client.get(reverse("dashboard:outbox")).content.decode()
    assert 'href="http://127.0.0.1:8000/approvals/email/abc/"' in page
    assert "Hello &lt;b&gt;there&lt;/b&gt;" in page
    assert "<script>alert(1)" not in page and "sandbox" in page
