"""The approval card says when Odoo text was cleaned before it was written into an action, and
when one email goes to addresses on different domains: an approver sees both before deciding."""

import pytest
from django.urls import reverse

from actions import services
from actions.types import ActionType

from .protocols import EMAIL, changed, protocol_for

CLEANED = "Odoo text was cleaned before it was written here:"
DOMAINS = "Recipients on different domains:"


def _email_to(*addresses, **overrides):
    document = protocol_for(ActionType.SEND_INVOICE_REMINDER, **overrides)
    document = changed(document, "operation.inputs.to", list(addresses))
    template = document["external_effects"][0]
    return changed(document, "external_effects", [{**template, "recipient": address} for address in addresses])


def _pages(client, action):
    return [client.get(reverse("dashboard:approvals")).content.decode(),
            client.get(reverse("dashboard:action", args=[action.pk])).content.decode()]


@pytest.fixture
def signed_in(client, approver):
    client.force_login(approver)
    return client


def test_cleaned_odoo_text_is_flagged_on_the_card(signed_in, org):
    flags = ["partner name: a link and a bank account number removed", "deal name: a phone number removed"]
    action = services.propose(org, protocol_for(metadata={"content_flags": flags}), source="analyzer")

    for page in _pages(signed_in, action):
        assert f"<strong>{CLEANED}</strong> {flags[0]}; {flags[1]}" in page


def test_flags_are_shown_as_text_never_as_markup(signed_in, org):
    flag = 'partner name: <img src=x onerror="alert(1)"> removed'
    action = services.propose(org, protocol_for(metadata={"content_flags": [flag]}), source="analyzer")

    for page in _pages(signed_in, action):
        assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in page
        assert "<img src=x" not in page


def test_an_action_written_from_clean_text_has_no_flag(signed_in, org):
    action = services.propose(org, protocol_for(), source="analyzer")

    for page in _pages(signed_in, action):
        assert CLEANED not in page and DOMAINS not in page


def test_an_email_to_several_domains_names_them(signed_in, org):
    document = _email_to(EMAIL, "ap@customer.example", "Accounts@Other-Domain.example")
    action = services.propose(org, document, source="analyzer")

    for page in _pages(signed_in, action):
        assert f"<strong>{DOMAINS}</strong> customer.example, other-domain.example" in page


def test_several_addresses_on_one_domain_are_not_flagged(signed_in, org):
    action = services.propose(org, _email_to(EMAIL, "ap@customer.example"), source="analyzer")

    for page in _pages(signed_in, action):
        assert "ap@customer.example" in page and DOMAINS not in page


def test_an_sms_has_no_domain_warning(signed_in, org):
    action = services.propose(org, protocol_for(ActionType.SEND_INVOICE_REMINDER_SMS), source="analyzer")

    for page in _pages(signed_in, action):
        assert DOMAINS not in page


def test_the_admin_shows_the_same_warnings(client, org, django_user_model):
    document = _email_to(EMAIL, "pay@elsewhere.example", metadata={"content_flags": ["partner name: a link removed"]})
    action = services.propose(org, document, source="analyzer")
    client.force_login(django_user_model.objects.create_superuser("root", "root@example.com", "pw"))

    page = client.get(reverse("admin:actions_action_change", args=[action.pk])).content.decode()

    assert f"{CLEANED}</strong> partner name: a link removed" in page
    assert f"{DOMAINS}</strong> customer.example, elsewhere.example" in page
