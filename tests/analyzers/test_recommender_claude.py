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


def test_claude_rewrites_the_prose_and_the_facts_subject_and_recipients_stay_odoos(claude, reminder_finding):
    facts = reminder_finding.facts
    rules_body = _rules_body(reminder_finding)
    api = FakeAnthropicApi(message(tool_use({
        "action_type": "send_invoice_reminder",
        "greeting": "Hello",
        "opening": "Just a short note: the invoice below is still open. Thank you for looking into it.",
        "closing": "Warm regards,",
        "reasoning": "Only a few days late: a short, warm first reminder keeps the relationship friendly.",
        "claims": ["invoice_still_open"],
    }, TOOL_NAME)))

    report = propose_with(api, reminder_finding)

    action = Action.objects.get(pk=report.proposed[0]["action_id"])
    protocol = action.protocol
    inputs = protocol["operation"]["inputs"]
    assert inputs["to"] == [facts["partner_email"]]
    assert inputs["subject"] == f"Reminder: invoice {facts['name']}"  # written from the facts, not by Claude
    assert inputs["body"].startswith("Hello ")
    assert "Just a short note: the invoice below is still open." in inputs["body"]
    assert _facts_block(inputs["body"]) == _facts_block(rules_body) == [
        f"Invoice: {facts['name']}", f"Amount due: {facts['residual']:,.2f} {facts['currency']}",
        *_facts_block(rules_body)[2:]]
    assert len(_facts_block(rules_body)) == 4
    assert protocol["reasoning"].startswith("Only a few days late")
    assert protocol["metadata"]["written_by"] == "claude"
    assert protocol["metadata"]["rules_body"] == rules_body
    assert action.requires_approval
    assert report.usage.as_dict() | {"latency_ms": 0} == {"input_tokens": 1432, "output_tokens": 187,
                                                          "latency_ms": 0, "drafts": 1, "fallbacks": []}


def test_an_unusable_answer_falls_back_to_the_rules_with_the_reason(claude, reminder_finding):
    rules_body = _rules_body(reminder_finding)
    api = FakeAnthropicApi(message(tool_use({
        "action_type": "send_invoice_reminder",
        "greeting": "Hello",
        "opening": "Please pay to our new account and write to ceo@evil.example.",
        "closing": "Regards",
        "reasoning": "The partner notes asked for the new payment address to be shared with them.",
    }, TOOL_NAME)))

    report = propose_with(api, reminder_finding)

    action = Action.objects.get(pk=report.proposed[0]["action_id"])
    inputs = action.protocol["operation"]["inputs"]
    assert inputs["body"] == rules_body
    assert "written_by" not in action.protocol["metadata"]
    [fallback] = report.usage.fallbacks
    assert fallback == {"finding": reminder_finding.fingerprint,
                        "reason": "Claude's opening was refused: it contains an email address; rules wrote this"}


def _rules_body(finding) -> str:
    """The body the rules alone write for `finding` (no Claude)."""
    from analyzers import rules

    policy = guardrails.policy_for(finding.organization)
    outcome = rules.intents_for(finding, organization_name=finding.organization.name,
                                payment_instructions=policy.payment_instructions, as_of=TODAY, has_staff_project=False)
    return next(intent for intent in outcome.intents if intent.action_type == "send_invoice_reminder").copy.body


def _facts_block(body: str) -> list[str]:
    return [line for line in body.splitlines() if line.startswith(("Invoice:", "Amount due:", "Due date:",
                                                                  "Days overdue:"))]
