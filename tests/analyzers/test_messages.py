"""What a customer reads: facts written by code, prose slots, the organisation's payment
instructions, and nothing planted in Odoo's free text."""

from datetime import date

import pytest

from actions import guardrails
from actions.content import ClaimFacts, claim_problems, neutralise, slot_problems
from actions.models import Action
from actions.types import ActionType
from analyzers import messages, rules
from analyzers.base import FindingData
from analyzers.messages import Slots, compose, default_slots
from analyzers.services import run_analysis
from audit.services import Actor
from integrations.channels import SMS_MAX_CHARS

from .demo_day import TODAY

INVOICE = {"id": 42, "name": "INV/2025/0042", "partner_id": 7, "partner_name": "Smith & Sons", "due": "2025-02-05",
           "days_overdue": 35, "residual": 1250.0, "currency": "EUR", "payment_state": "not_paid",
           "salesperson": "Ann Seller", "partner_email": "ap@smith.example", "partner_phone": "+32 470 12 34 56"}
DEAL = {"lead_id": 3, "partner_id": 8, "name": "Warehouse shelving", "salesperson": "Ann Seller", "stage": "Proposition",
        "partner_name": "Bob Dupont", "stage_id": 4, "expected_revenue": 18000.0, "days_in_stage": 30,
        "deadline": "2025-03-01", "days_past_deadline": 11, "partner_email": "bob@dupont.example", "lead_email": ""}
INSTRUCTIONS = "Bank transfer to IBAN BE71 0961 2345 6769 (BIC GEBABEBB).\nPlease quote the invoice number."
HOSTILE = "ACME — pay to IBAN BE71 0961 2345 6769 via evil.example/pay"
PLANTED = ("evil.example", "BE71", "0961", "IBAN", "pay to")
FACTS_BLOCK = "Invoice: INV/2025/0042\nAmount due: 1,250.00 EUR\nDue date: 5 February 2025\nDays overdue: 35"
SMS_FACTS = "Invoice INV/2025/0042: 1,250.00 EUR, due on 5 February 2025, 35 days overdue."
#: What approvers are told about HOSTILE: each kind of planted text the cleaning took out.
PARTNER_FLAG = "partner name: a link, a bank account number and payment instructions removed"


def composed(action_type, facts=INVOICE, tone="friendly", slots=None, instructions=""):
    return compose(action_type, facts, slots or default_slots(action_type, tone), organization_name="Acme Ltd",
                   payment_instructions=instructions, tone=tone)


# ---------------------------------------------------------------------------------------------
# Composition


def test_friendly_reminder_is_the_rules_prose_around_the_exact_facts():
    message = composed(ActionType.SEND_INVOICE_REMINDER)

    assert message.subject == "Reminder: invoice INV/2025/0042"
    assert message.body == (
        "Dear Smith & Sons,\n\nThis is a friendly reminder that the invoice below is still open. If you have already "
        "paid it, thank you and please ignore this message.\n\n" + FACTS_BLOCK + "\n\nKind regards,\nAcme Ltd")


def test_firm_reminder_adds_the_seven_day_deadline_after_the_facts():
    message = composed(ActionType.SEND_INVOICE_REMINDER, tone="firm")

    assert message.subject == "Overdue: invoice INV/2025/0042 is 35 days past due"
    assert message.body == (
        "Dear Smith & Sons,\n\nThe invoice below is now past its due date and remains unpaid. If there is a problem "
        "with the invoice, please reply to this email.\n\n" + FACTS_BLOCK
        + "\n\nPlease pay the amount due within 7 days.\n\nKind regards,\nAcme Ltd")


def test_deal_follow_up_names_the_deal_and_the_salesperson():
    message = composed(ActionType.FOLLOW_UP_STALLED_DEAL, DEAL)

    assert message.subject == "Following up on Warehouse shelving"
    assert message.body == (
        "Dear Bob Dupont,\n\nI wanted to follow up on our recent conversation. Is there anything you need from us to "
        "move forward, or a good time for a short call?\n\nRegarding: Warehouse shelving\nYour contact: Ann Seller"
        "\n\nKind regards,\nAcme Ltd")


def test_each_slot_stands_in_its_place_and_never_in_the_subject():
    slots = Slots("Hello", "Just a short note from our accounts team.\nThank you for your business.", "Best wishes,")

    message = composed(ActionType.SEND_INVOICE_REMINDER, slots=slots)

    assert message.subject == "Reminder: invoice INV/2025/0042"
    assert message.body == ("Hello Smith & Sons,\n\nJust a short note from our accounts team.\nThank you for your "
                            "business.\n\n" + FACTS_BLOCK + "\n\nBest wishes,\nAcme Ltd")


@pytest.mark.parametrize("action_type", [ActionType.SEND_INVOICE_REMINDER, ActionType.SEND_INVOICE_REMINDER_SMS])
def test_payment_instructions_are_printed_as_written_in_reminders(action_type):
    message = composed(action_type, tone="firm", instructions=INSTRUCTIONS)

    assert INSTRUCTIONS in message.body
    assert message.body.index(INSTRUCTIONS) > message.body.index("1,250.00 EUR")
    assert message.body.endswith("Acme Ltd")


def test_payment_instructions_stay_out_of_deal_follow_ups():
    message = composed(ActionType.FOLLOW_UP_STALLED_DEAL, DEAL, instructions=INSTRUCTIONS)

    assert "IBAN" not in message.body and "How to pay" not in message.body


def test_without_payment_instructions_no_payment_details_appear():
    for action_type in (ActionType.SEND_INVOICE_REMINDER, ActionType.SEND_INVOICE_REMINDER_SMS):
        for tone in ("friendly", "firm"):
            body = composed(action_type, tone=tone).body
            assert "How to pay" not in body
            assert not any(word in body.lower() for word in ("iban", "bic", "account", "transfer", "wire"))


def test_sms_is_one_text_with_the_facts_and_the_rules_prose():
    message = composed(ActionType.SEND_INVOICE_REMINDER_SMS, instructions="Pay by transfer, quoting the invoice.")

    assert message.subject is None
    assert message.body == (
        "Dear Smith & Sons,\nA friendly reminder about an open invoice: please arrange payment, or ignore this "
        "message if you have already paid.\n" + SMS_FACTS + "\nPay by transfer, quoting the invoice.\n"
        "Kind regards, Acme Ltd")


@pytest.mark.parametrize("opening, instructions, kept", [
    ("Short opening.", "I" * 400, {"opening", "instructions", "closing"}),
    ("Short opening.", "I" * 500, {"opening", "closing"}),
    ("O" * 500, "I" * 100, {"opening"}),
    ("O" * 600, "I" * 500, set()),
])
def test_a_long_sms_drops_instructions_then_closing_then_opening_and_never_the_facts(opening, instructions, kept):
    closing = "With our very best regards,"

    body = composed(ActionType.SEND_INVOICE_REMINDER_SMS, tone="firm", slots=Slots("Dear", opening, closing),
                    instructions=instructions).body

    assert len(body) <= SMS_MAX_CHARS
    assert f"\n{SMS_FACTS} Please pay within 7 days.\n" in body
    assert body.startswith("Dear Smith & Sons,\n") and body.endswith("Acme Ltd")
    parts = {"opening": opening, "instructions": instructions, "closing": closing}
    assert {name for name, text in parts.items() if text in body} == kept


def test_default_slots_pass_the_slot_and_claims_checks():
    for action_type in (ActionType.SEND_INVOICE_REMINDER, ActionType.SEND_INVOICE_REMINDER_SMS,
                        ActionType.FOLLOW_UP_STALLED_DEAL):
        for tone in ("friendly", "firm"):
            slots = default_slots(action_type, tone)
            for name in messages.SLOT_NAMES:
                text = getattr(slots, name)
                assert slot_problems(text) == [], (action_type, tone, name)
                assert claim_problems(text, ClaimFacts(amount_open=True, allows_escalation=tone == "firm")) == [], (
                    action_type, tone, name)


def test_names_from_odoo_are_neutralised_or_replaced_by_a_reference():
    cleaned = neutralise(HOSTILE).text
    assert cleaned and not any(token in cleaned for token in PLANTED)

    email = composed(ActionType.SEND_INVOICE_REMINDER, {**INVOICE, "partner_name": HOSTILE})
    nothing_left = composed(ActionType.SEND_INVOICE_REMINDER_SMS, {**INVOICE, "partner_name": "evil.example/pay"})
    deal = composed(ActionType.FOLLOW_UP_STALLED_DEAL, {**DEAL, "name": "www.evil.example", "salesperson": HOSTILE})

    assert email.body.startswith(f"Dear {cleaned},\n\n")
    assert nothing_left.body.startswith("Dear customer #7,\n")
    assert deal.subject == "Following up on deal #3"
    assert f"Regarding: deal #3\nYour contact: {cleaned}\n" in deal.body
    for text in (email.subject, email.body, nothing_left.body, deal.subject, deal.body):
        assert not any(token in text for token in PLANTED), text


# ---------------------------------------------------------------------------------------------
# The rules


def finding(kind, facts, partner_id=None):
    return FindingData(kind=kind, severity="medium", title="a finding", fingerprint=f"{kind}:x:1",
                       partner_id=partner_id, facts=facts)


def outcome_for(kind, facts, partner_id=None, instructions=""):
    return rules.intents_for(finding(kind, facts, partner_id), organization_name="Acme Ltd", as_of=TODAY,
                             payment_instructions=instructions, has_staff_project=True)


def texts_of(intent):
    return [intent.copy.subject, intent.copy.body, intent.copy.reasoning]


def test_rules_compose_every_outside_message_with_their_slots_and_tone():
    facts = {**INVOICE, "days_overdue": 5, "due": "2025-03-07"}
    [email] = outcome_for("invoice_overdue", facts, partner_id=7, instructions=INSTRUCTIONS).intents

    assert (email.action_type, email.tone, email.slots) == (ActionType.SEND_INVOICE_REMINDER, "friendly",
                                                            default_slots(ActionType.SEND_INVOICE_REMINDER, "friendly"))
    assert email.copy.body == composed(ActionType.SEND_INVOICE_REMINDER, facts, instructions=INSTRUCTIONS).body
    assert email.allowed_types == ["send_invoice_reminder", "send_invoice_reminder_sms"]
    sms = email.for_type("send_invoice_reminder_sms")
    assert sms.action_type == ActionType.SEND_INVOICE_REMINDER_SMS and sms.slots is not None
    assert sms.copy.body == composed(ActionType.SEND_INVOICE_REMINDER_SMS, facts, instructions=INSTRUCTIONS).body
    assert "a reminder by SMS" in sms.copy.reasoning
    assert email.for_type("send_invoice_reminder") is email
    with pytest.raises(ValueError, match="not among"):
        email.for_type("create_collection_task")


def test_a_deal_call_offers_the_rules_follow_up_email_and_the_email_the_call():
    [call] = outcome_for("deal_stalled", {**DEAL, "days_past_deadline": 0}, partner_id=8).intents
    [email] = outcome_for("deal_stalled", DEAL, partner_id=8).intents

    assert (call.action_type, call.slots) == (ActionType.SCHEDULE_DEAL_CALL, None)
    follow_up = call.for_type("follow_up_stalled_deal")
    assert follow_up.copy.subject == "Following up on Warehouse shelving" and follow_up.slots is not None
    assert "Its closing date has passed" not in follow_up.copy.reasoning
    assert email.action_type == ActionType.FOLLOW_UP_STALLED_DEAL
    assert email.for_type("schedule_deal_call").copy.subject == "Call Bob Dupont about Warehouse shelving"


def test_planted_names_are_cleaned_in_every_rules_text_and_flagged():
    cleaned = neutralise(HOSTILE).text
    invoice = outcome_for("invoice_overdue", {**INVOICE, "partner_name": HOSTILE, "days_overdue": 45}, partner_id=7)
    deal = outcome_for("deal_stalled", {**DEAL, "name": HOSTILE, "stage": "Won"}, partner_id=8)
    task = outcome_for("task_overdue", {"task_id": 5, "name": HOSTILE, "project": "evil.example", "assignees": [HOSTILE],
                                        "deadline": "2025-03-01 12:00:00", "days_overdue": 11, "stage": "In progress"})

    assert invoice.flags == (PARTNER_FLAG,) and [intent.flags for intent in invoice.intents] == [(PARTNER_FLAG,)] * 2
    assert {intent.copy.subject for intent in invoice.intents} == {
        "Overdue: invoice INV/2025/0042 is 45 days past due", f"Call {cleaned} about overdue invoice INV/2025/0042"}
    assert deal.flags == (PARTNER_FLAG.replace("partner", "deal"),)
    assert task.flags[0] == PARTNER_FLAG.replace("partner", "task") and task.flags[1].startswith("project name: ")
    assert task.intents[0].copy.subject == f"Remind the assignees of “{cleaned}”"
    for intent in [*invoice.intents, *deal.intents, *task.intents]:
        for text in [*texts_of(intent), *(t for alternative in intent.alternative_intents for t in texts_of(alternative))]:
            assert not any(token in text for token in PLANTED), text


# ---------------------------------------------------------------------------------------------
# End to end: a name planted in Odoo, the organisation's instructions


def overdue_invoice(odoo, days):
    """An open demo invoice overdue by exactly `days` on TODAY."""
    due = date.fromordinal(TODAY.toordinal() - days).isoformat()
    [invoice] = odoo.search_read("account.move", [("move_type", "=", "out_invoice"), ("state", "=", "posted"),
                                                  ("payment_state", "=", "not_paid"), ("invoice_date_due", "=", due)],
                                 ["partner_id"], limit=1)
    return invoice["id"], invoice["partner_id"][0]


def action_texts(action):
    protocol = action.protocol
    inputs = protocol["operation"]["inputs"]
    return [protocol["title"], protocol["reasoning"], protocol["expected_effect"],
            *(str(inputs.get(name) or "") for name in ("subject", "body", "name", "description", "summary", "note")),
            *(effect.get("preview") or "" for effect in protocol["external_effects"])]


@pytest.mark.parametrize("days", [45, 75])
def test_a_name_planted_in_odoo_reaches_no_action_and_is_flagged(connected_org, odoo, days):
    invoice_id, partner_id = overdue_invoice(odoo, days)
    odoo.write("res.partner", [partner_id], {"name": HOSTILE})

    run_analysis(connected_org, as_of=TODAY)

    actions = Action.objects.filter(target_model="account.move", target_id=invoice_id)
    assert actions.count() == 2 and actions.filter(safe_operation__in=["send_email", "send_sms"]).count() == 1
    for action in actions:
        assert action.protocol["metadata"]["content_flags"] == [PARTNER_FLAG]
        for text in action_texts(action):
            assert not any(token in text for token in PLANTED), text
    message = actions.get(safe_operation__in=["send_email", "send_sms"]).protocol["operation"]["inputs"]["body"]
    assert message.startswith(f"Dear {neutralise(HOSTILE).text},")
    assert "How to pay" not in message


def test_the_organisations_payment_instructions_reach_every_reminder_and_nothing_else(connected_org, admin_member):
    policy = guardrails.policy_for(connected_org)
    guardrails.policy_update(policy, actor=Actor.for_user(admin_member), payment_instructions=INSTRUCTIONS)

    run_analysis(connected_org, as_of=TODAY)

    reminders = Action.objects.filter(action_type__in=["send_invoice_reminder", "send_invoice_reminder_sms"])
    assert reminders.exists()
    for action in reminders:
        assert INSTRUCTIONS in action.protocol["operation"]["inputs"]["body"]
    for action in Action.objects.exclude(pk__in=reminders):
        assert not any("IBAN" in text for text in action_texts(action))
