"""Approvers can tell Claude's words from the rules': the card says who wrote the message and
shows what changed from the rules' draft."""

from django.urls import reverse

from actions import services
from actions.types import ActionType

from .protocols import protocol_for

RULES_BODY = "Dear Acme,\n\nThis is a friendly reminder.\n\nInvoice: INV/2025/0042\n\nKind regards,\nAcme Ltd"
CLAUDE_BODY = "Hello Acme,\n\nJust a short note about the invoice below.\n\nInvoice: INV/2025/0042\n\nKind regards,\nAcme Ltd"


def _proposed(org, **metadata):
    document = protocol_for(ActionType.SEND_INVOICE_REMINDER)
    document["operation"]["inputs"]["body"] = CLAUDE_BODY
    document["external_effects"][0]["preview"] = CLAUDE_BODY[:80]
    document["metadata"] = {**document["metadata"], **metadata}
    return services.propose(org, document, source="analyzer")


def test_the_card_says_claude_wrote_it_and_shows_the_difference_from_the_rules(org, approver, client):
    action = _proposed(org, written_by="claude", rules_body=RULES_BODY)
    client.force_login(approver)

    page = client.get(reverse("dashboard:action", args=[action.pk])).content.decode()

    assert "Written by Claude" in page
    assert "Compare with the rules' draft" in page
    assert '<span class="removed">− Dear Acme,</span>' in page
    assert '<span class="added">+ Hello Acme,</span>' in page
    assert '<span class="">  Invoice: INV/2025/0042</span>' in page


def test_a_rules_message_carries_no_claude_mark(org, approver, client):
    action = _proposed(org)
    client.force_login(approver)

    page = client.get(reverse("dashboard:action", args=[action.pk])).content.decode()

    assert "Written by Claude" not in page and "Compare with the rules" not in page
