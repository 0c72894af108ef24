"""One contact budget: invoice reminders and deal follow-ups to one customer share the outreach
window, so a customer chased for an invoice does not also get a sales email within hours."""

from actions import services
from actions.models import Action, ActionStatus
from followups import engine


def test_a_deal_email_waits_when_an_invoice_email_just_reached_the_customer(chasing_org, odoo, approver, smtp):
    engine.tick(chasing_org, odoo)
    follow_up_emails = Action.objects.filter(organization=chasing_org, source="follow_up",
                                             safe_operation="send_email")
    invoice_partners = {a.partner_id for a in follow_up_emails if a.target_model == "res.partner"}
    deal_email = next(a for a in follow_up_emails if a.target_model == "crm.lead" and a.partner_id in invoice_partners)
    invoice_email = follow_up_emails.get(target_model="res.partner", partner_id=deal_email.partner_id)
    for action in (invoice_email, deal_email):
        services.approve(action, approver, protocol_hash=action.protocol_hash)
    assert services.execute(invoice_email.pk).status == ActionStatus.EXECUTED
    outcome = services.execute(deal_email.pk)
    assert outcome.status == ActionStatus.BLOCKED and "already got an email" in outcome.detail
    assert len(smtp.received) == 1
