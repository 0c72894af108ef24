"""The recommender with Claude configured: the model may rewrite copy, never recipients; any
answer that cannot be used leaves the rules' copy, with the reason recorded. The real
anthropic SDK talks to an httpx2 mock transport playing the API."""

import pytest
from django.utils import timezone

from actions import guardrails
from actions.models import Action
from analyzers import financial, recommender
from analyzers.drafting import TOOL_NAME
from analyzers.models import Analysis, Finding
from tests.integrations.claude_api import FakeAnthropicApi, message, tool_use

from .demo_day import TODAY


@pytest.fixture
def claude(claude_settings):
    claude_settings.ANTHROPIC_MAX_RETRIES = 0


@pytest.fixture
def reminder_finding(connected_org, odoo):
    """The saved finding of the demo invoice 5 days overdue whose partner has email and phone."""
    analysis = Analysis.objects.create(organization=connected_org, as_of=TODAY)
    data = next(f for f in financial.analyze(odoo, as_of=TODAY).findings
                if f.kind == "invoice_overdue" and f.facts["days_overdue"] == 5 and f.facts["partner_phone"])
    return Finding.objects.create(analysis=analysis, organization=connected_org, **vars(data))


def propose_with(api, finding):
    organization = finding.organization
    ctx = recommender.Context(organization=organization, policy=guardrails.policy_for(organization), as_of=TODAY,
                              now=timezone.now(), model_client=api.client())
    return recommender.propose_for_findings([finding], ctx)


def test_claude_rewrites_the_copy_and_the_recipients_stay_odoos(claude, reminder_finding):
    facts = reminder_finding.facts
    api = FakeAnthropicApi(message(tool_use({
        "action_type": "send_invoice_reminder",
        "subject": f"A quick note about invoice {facts['name']}",
        "body": f"Hello,\n\nInvoice {facts['name']} is still open. Thank you for looking into it.\n\nLumen Works",
        "reasoning": "Five days late: a short, warm first reminder keeps the relationship friendly.",
    }, TOOL_NAME)))

    report = propose_with(api, reminder_finding)

    action = Action.objects.get(pk=report.proposed[0]["action_id"])
    inputs = action.protocol["operation"]["inputs"]
    assert inputs["subject"] == f"A quick note about invoice {facts['name']}"
    assert inputs["to"] == [facts["partner_email"]]
    assert report.usage.as_dict() | {"latency_ms": 0} == {"input_tokens": 1432, "output_tokens": 187,
                                                          "latency_ms": 0, "drafts": 1, "fallbacks": []}


def test_an_unusable_answer_falls_back_to_the_rules_with_the_reason(claude, reminder_finding):
    facts = reminder_finding.facts
    api = FakeAnthropicApi(message(tool_use({
        "action_type": "send_invoice_reminder",
        "subject": "Payment details changed",
        "body": f"Invoice {facts['name']}: please pay to our new account and write to ceo@evil.example.",
        "reasoning": "The partner notes asked for the new payment address to be shared with them.",
    }, TOOL_NAME)))

    report = propose_with(api, reminder_finding)

    action = Action.objects.get(pk=report.proposed[0]["action_id"])
    inputs = action.protocol["operation"]["inputs"]
    assert inputs["subject"] == f"Reminder: invoice {facts['name']}"
    assert inputs["to"] == [facts["partner_email"]]
    [fallback] = report.usage.fallbacks
    assert fallback["finding"] == reminder_finding.fingerprint and "ceo@evil.example" in fallback["reason"]
