"""What a suppressed address means for the engine and for people: no email level is proposed to
it; without a webhook, a bounce that lands in Odoo's chatter stops the follow-up (and is not
taken for the customer's reply); "Allow again" lifts it for approvers and admins only, resolves
the alert and lets the follow-ups it stopped go on; the management command prints the secret."""

import base64
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from actions.models import Action, ActionStatus
from analyzers import sales
from analyzers.contacts import email_addresses
from analyzers.models import Alert
from followups import engine, smtp2go
from followups.models import DeliveryEvent, EventKind, FollowUp, FollowUpEvent, FollowUpStatus, SuppressedAddress

from .conftest import EMMA
from .test_delivery import EMMA_EMAIL, bounce, post


def _emma(org) -> FollowUp:
    return FollowUp.objects.filter(organization=org, target_id=EMMA).latest("started_at")


def _emma_levels(org) -> list[Action]:
    return list(Action.objects.filter(organization=org, source="follow_up", partner_id=EMMA))


def test_no_email_level_is_proposed_to_a_suppressed_address(chasing_org, odoo, client):
    secret = smtp2go.new_secret(chasing_org)
    assert post(client, chasing_org, bounce(event="unsubscribe"), secret=secret).status_code == 200
    engine.tick(chasing_org, odoo)
    follow_up = _emma(chasing_org)
    assert _emma_levels(chasing_org) == []
    [skipped] = follow_up.events.filter(kind=EventKind.SKIPPED)
    assert skipped.text.startswith("Friendly reminder skipped: emma.claes@mail.example unsubscribed on 3 Dec")
    assert "Allow again" in skipped.text
    assert Action.objects.filter(organization=chasing_org, source="follow_up").exists(), "other customers are chased"


def test_no_deal_follow_up_email_goes_to_a_suppressed_address(chasing_org, odoo):
    stalled = [finding for finding in sales.analyze(odoo, as_of=date.today()).findings
               if email_addresses(finding.facts.get("partner_email"))]
    assert stalled, "the demo has stalled deals with a customer email"
    for address in {email_addresses(finding.facts["partner_email"])[0] for finding in stalled}:
        SuppressedAddress.objects.create(organization=chasing_org, address=address, reason="bounce_hard",
                                         since=timezone.now())
    engine.tick(chasing_org, odoo)
    deal_emails = Action.objects.filter(organization=chasing_org, source="follow_up", target_model="crm.lead",
                                        action_type="follow_up_stalled_deal")
    assert not deal_emails.exists()
    skipped = FollowUpEvent.objects.filter(follow_up__organization=chasing_org, follow_up__target_model="crm.lead",
                                           kind=EventKind.SKIPPED)
    assert any("bounced on" in event.text and "Allow again" in event.text for event in skipped)


def _chatter_bounce(odoo, when, *, author=EMMA, sender="Mail Delivery System <MAILER-DAEMON@mx.mail.example>",
                    subject="Undelivered Mail Returned to Sender"):
    return odoo.execute("mail.message", "create", {
        "model": "res.partner", "res_id": EMMA, "message_type": "email", "author_id": author, "email_from": sender,
        "subject": subject, "body": f"<p>{EMMA_EMAIL}: host mx.mail.example said: 550 5.1.1 User unknown</p>",
        "date": when.strftime("%Y-%m-%d %H:%M:%S")})


def test_a_bounce_in_the_chatter_stops_the_follow_up_without_a_webhook_and_is_no_reply(chasing_org, odoo):
    engine.tick(chasing_org, odoo)
    [pending] = _emma_levels(chasing_org)
    later = timezone.now() + timedelta(hours=1)
    _chatter_bounce(odoo, later)  # Odoo filed it under Emma: still the daemon's, not hers
    engine.tick(chasing_org, odoo, now=later + timedelta(minutes=5))
    follow_up = _emma(chasing_org)
    assert follow_up.status == FollowUpStatus.STOPPED and "hard bounce" in follow_up.reason
    assert not follow_up.events.filter(kind=EventKind.REPLY).exists()
    assert follow_up.events.filter(kind=EventKind.BOUNCED).count() == 1
    assert Action.objects.get(pk=pending.pk).status == ActionStatus.CANCELLED
    suppressed = SuppressedAddress.objects.get(organization=chasing_org, address=EMMA_EMAIL)
    assert suppressed.event.source == "chatter" and suppressed.event.action_id == pending.pk
    assert Alert.objects.filter(organization=chasing_org, key=f"delivery:{EMMA_EMAIL}", resolved_at__isnull=True).exists()
    engine.tick(chasing_org, odoo, now=later + timedelta(minutes=10))
    assert DeliveryEvent.objects.filter(organization=chasing_org).count() == 1


def test_a_delay_notice_in_the_chatter_is_neither_a_bounce_nor_a_reply(chasing_org, odoo):
    engine.tick(chasing_org, odoo)
    later = timezone.now() + timedelta(hours=1)
    _chatter_bounce(odoo, later, author=False, subject="Delivery Status Notification (Delay)")
    engine.tick(chasing_org, odoo, now=later + timedelta(minutes=5))
    assert _emma(chasing_org).status == FollowUpStatus.ACTIVE
    assert not SuppressedAddress.objects.exists()


def test_a_customer_reply_is_still_a_reply(chasing_org, odoo):
    engine.tick(chasing_org, odoo)
    later = timezone.now() + timedelta(hours=1)
    _chatter_bounce(odoo, later, sender=f"Emma Claes <{EMMA_EMAIL}>", subject="Re: Reminder: 1 open invoice")
    engine.tick(chasing_org, odoo, now=later + timedelta(minutes=5))
    follow_up = _emma(chasing_org)
    assert follow_up.status == FollowUpStatus.PAUSED and "replied" in follow_up.reason
    assert not SuppressedAddress.objects.exists()


@pytest.fixture
def bounced(chasing_org, odoo, client):
    """Emma's follow-up, stopped by a hard bounce of its first level."""
    engine.tick(chasing_org, odoo)
    [level] = _emma_levels(chasing_org)
    secret = smtp2go.new_secret(chasing_org)
    assert post(client, chasing_org, bounce(action=level), secret=secret).status_code == 200
    assert _emma(chasing_org).status == FollowUpStatus.STOPPED
    return SuppressedAddress.objects.get(organization=chasing_org, address=EMMA_EMAIL)


def test_allow_again_is_for_approvers_and_lets_the_follow_up_go_on(chasing_org, odoo, bounced, viewer, approver, client):
    url = f"/dashboard/follow-ups/delivery/{bounced.pk}/allow/"
    client.force_login(viewer)
    page = client.get("/dashboard/follow-ups/delivery/").content.decode()
    assert EMMA_EMAIL in page and "Emma Claes" in page and "An approver or administrator can allow it again" in page
    assert client.post(url).status_code == 403
    bounced.refresh_from_db()
    assert bounced.lifted_at is None

    client.force_login(approver)
    assert "Allow again</button>" in client.get("/dashboard/follow-ups/delivery/").content.decode()
    response = client.post(url, follow=True)
    assert "may be emailed again; 1 follow-up it stopped go on." in response.content.decode()
    bounced.refresh_from_db()
    assert bounced.lifted_at is not None and bounced.lifted_by == approver
    assert not Alert.objects.filter(key=f"delivery:{EMMA_EMAIL}", resolved_at__isnull=True).exists()
    follow_up = _emma(chasing_org)
    assert follow_up.status == FollowUpStatus.ACTIVE
    assert follow_up.events.filter(kind=EventKind.RESUMED, user=approver).exists()
    again = client.post(url, follow=True).content.decode()
    assert "already allowed again" in again
    engine.tick(chasing_org, odoo, now=timezone.now() + timedelta(days=20))
    assert not _emma(chasing_org).events.filter(kind=EventKind.SKIPPED, text__contains="bounced").exists()


def test_another_organisation_cannot_allow_it_again(bounced, outsider, client):
    client.force_login(outsider)
    assert client.post(f"/dashboard/follow-ups/delivery/{bounced.pk}/allow/").status_code == 404
    bounced.refresh_from_db()
    assert bounced.lifted_at is None


def test_the_command_prints_a_new_secret_once_and_replaces_the_old_one(chasing_org, client):
    out = StringIO()
    call_command("delivery_webhook_secret", chasing_org.slug, stdout=out)
    first = out.getvalue().split("\n\n")[1].strip()
    assert f"/webhooks/smtp2go/{chasing_org.slug}/" in out.getvalue() and "Bounce, Spam, Unsubscribe" in out.getvalue()
    call_command("delivery_webhook_secret", chasing_org.slug, stdout=StringIO())
    headers = {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(f"aiom:{first}".encode()).decode()}
    assert post(client, chasing_org, bounce(kind="soft"), **headers).status_code == 401
    with pytest.raises(CommandError, match="No organisation"):
        call_command("delivery_webhook_secret", "nobody", stdout=StringIO())
