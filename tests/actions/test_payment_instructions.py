"""The organisation's payment instructions: set on the guardrails page or in the admin, audited
like every other policy change."""

from django.urls import reverse

from actions import guardrails
from audit.models import ActionEvent, EventType
from tests.aiom.test_operator_pages import _policy_form_data

INSTRUCTIONS = "Bank transfer to IBAN BE71 0961 2345 6769 (BIC GEBABEBB).\nPlease quote the invoice number."


def test_admin_sets_payment_instructions_on_the_guardrails_page_and_the_change_is_audited(client, admin_member, org):
    client.force_login(admin_member)
    page = client.get(reverse("dashboard:guardrails")).content.decode()
    assert '<textarea name="payment_instructions"' in page
    assert "AIOM never takes payment details from Odoo or from Claude." in page

    response = client.post(reverse("dashboard:guardrails"), {**_policy_form_data(org),
                                                             "payment_instructions": INSTRUCTIONS})

    assert response.status_code == 302
    assert guardrails.policy_for(org).payment_instructions == INSTRUCTIONS
    event = ActionEvent.objects.get(organization=org, event_type=EventType.POLICY_CHANGED)
    assert event.data["changes"] == {"payment_instructions": {"before": "", "after": INSTRUCTIONS}}
    page = client.get(reverse("dashboard:guardrails")).content.decode()
    assert "Bank transfer to IBAN BE71 0961 2345 6769 (BIC GEBABEBB)." in page


def test_payment_instructions_longer_than_500_characters_are_refused(client, admin_member, org):
    client.force_login(admin_member)

    response = client.post(reverse("dashboard:guardrails"), {**_policy_form_data(org),
                                                             "payment_instructions": "x" * 501})

    assert response.status_code == 200
    assert "at most 500 characters" in response.content.decode()
    assert guardrails.policy_for(org).payment_instructions == ""
    assert not ActionEvent.objects.filter(event_type=EventType.POLICY_CHANGED).exists()


def test_the_admin_shows_the_payment_instructions(client, org, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", "root@example.com", "pw"))
    policy = guardrails.policy_for(org)

    page = client.get(reverse("admin:actions_guardrailpolicy_change", args=[policy.pk])).content.decode()

    assert 'name="payment_instructions"' in page
