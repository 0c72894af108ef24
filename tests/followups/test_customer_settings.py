"""Customer settings in the dashboard: administrators give a customer its own sequence, its own
tolerance, or "never chase automatically", with a note, change and remove them; the engine
follows them; every change is in the audit trail. Approvers and admins pause a whole customer
from a follow-up's page and end holds. Viewers read only, other organisations see nothing, and
bad or forged input says why and changes nothing. The customers come from the Odoo sandbox."""

import re
from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from actions.models import Action, ActionStatus
from aiom.models import Membership, Role
from audit.models import ActionEvent, EventType
from followups import engine
from followups.defaults import ensure_defaults
from followups.models import EventKind, FollowUp, FollowUpStatus, Hold, Level, PartnerOverride, Sequence, SequenceKind

from tests.e2e.pages import log_in

from .conftest import EMMA

CUSTOMERS = reverse("dashboard:followup-customers")
SOON = (date.today() + timedelta(days=10)).isoformat()


def _said(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def _emma(org) -> FollowUp:
    return FollowUp.objects.get(organization=org, target_id=EMMA, status__in=["active", "paused"])


def _add(client, **data):
    return client.post(CUSTOMERS, data, follow=True)


def _audited(org) -> list[dict]:
    return [event.data["changes"] for event in ActionEvent.objects.filter(
        organization=org, event_type=EventType.POLICY_CHANGED).order_by("seq")]


def _key_accounts(org) -> Sequence:
    sequence = Sequence.objects.create(organization=org, kind=SequenceKind.INVOICES, name="Key accounts")
    Level.objects.create(sequence=sequence, position=0, name="Personal note", offset_days=20, channel="email",
                         wording="courtesy", risk_level="medium")
    return sequence


@pytest.fixture
def other_admin(other_org, django_user_model):
    user = django_user_model.objects.create_user("olga", password="pw-olga")
    Membership.objects.create(user=user, organization=other_org, role=Role.ADMIN)
    return user


# --- a customer's own settings ---------------------------------------------------------------

def test_never_chasing_a_customer_pauses_its_follow_up_and_is_audited(client, admin_member, chasing_org, odoo):
    engine.tick(chasing_org, odoo)
    pending = _emma(chasing_org).last_action
    client.force_login(admin_member)
    page = client.get(CUSTOMERS).content.decode()
    assert f'<option value="{EMMA}">Emma Claes</option>' in page and "csrfmiddlewaretoken" in page

    response = _add(client, customer=str(EMMA), chase="never", note="Pays by direct debit")

    assert _said(response) == ["Emma Claes is now never chased automatically."]
    override = PartnerOverride.objects.get(organization=chasing_org, partner_id=EMMA)
    assert override.sequence is None and override.note == "Pays by direct debit"
    row = re.search(r"<tbody>\s*<tr>(.*?)</tr>", response.content.decode(), re.S).group(1)
    assert "Emma Claes" in row and "Never chased automatically" in row and "Pays by direct debit" in row
    head = f"Customer Emma Claes (number {EMMA} in Odoo): "
    assert _audited(chasing_org) == [{
        head + "how they are chased": {"before": "on the default sequence", "after": "never chased automatically"},
        head + "tolerance": {"before": "the sequence's own", "after": "—"},
        head + "note": {"before": "—", "after": "Pays by direct debit"}}]
    engine.tick(chasing_org, odoo)
    emma = _emma(chasing_org)
    assert emma.status == FollowUpStatus.PAUSED and emma.reason == engine.ON_HOLD
    assert Action.objects.get(pk=pending.pk).status == ActionStatus.CANCELLED


def test_another_sequence_for_a_customer_found_by_its_odoo_number(client, admin_member, chasing_org, odoo):
    key_accounts = _key_accounts(chasing_org)
    client.force_login(admin_member)
    response = _add(client, partner_id=str(EMMA), chase=str(key_accounts.pk), tolerance="", note="")
    assert _said(response) == ["Emma Claes is now chased on “Key accounts”."]
    engine.tick(chasing_org, odoo)
    assert _emma(chasing_org).sequence == key_accounts
    others = FollowUp.objects.filter(organization=chasing_org, target_model="res.partner").exclude(target_id=EMMA)
    assert others.exists() and not others.filter(sequence=key_accounts).exists()


def test_a_tolerance_above_what_the_customer_owes_leaves_it_alone(client, admin_member, chasing_org, odoo):
    default = ensure_defaults(chasing_org)[SequenceKind.INVOICES]
    client.force_login(admin_member)
    _add(client, partner_id=str(EMMA), chase=str(default.pk), tolerance="100000.00", note="Small amounts")
    assert PartnerOverride.objects.get(partner_id=EMMA).tolerance == 100000
    engine.tick(chasing_org, odoo)
    assert not FollowUp.objects.filter(organization=chasing_org, target_id=EMMA).exists()
    assert FollowUp.objects.filter(organization=chasing_org, target_model="res.partner").exists()


def test_an_admin_changes_and_removes_a_customers_settings(client, admin_member, connected_org):
    key_accounts = _key_accounts(connected_org)
    client.force_login(admin_member)
    _add(client, partner_id=str(EMMA), chase="never", note="On a payment plan")
    override = PartnerOverride.objects.get(organization=connected_org, partner_id=EMMA)
    listed = client.get(CUSTOMERS).content.decode()
    assert f'href="/dashboard/follow-ups/customers/{override.pk}/"' in listed

    url = reverse("dashboard:followup-customer", args=[override.pk])
    assert 'name="chase"' in client.get(url).content.decode()
    response = client.post(url, {"chase": str(key_accounts.pk), "tolerance": "12.5", "note": "On a payment plan"},
                           follow=True)
    assert _said(response) == ["Saved: Emma Claes is chased on “Key accounts”."]
    override.refresh_from_db()
    assert (override.sequence, str(override.tolerance)) == (key_accounts, "12.50")
    head = f"Customer Emma Claes (number {EMMA} in Odoo): "
    assert _audited(connected_org)[-1] == {
        head + "how they are chased": {"before": "never chased automatically", "after": "on “Key accounts”"},
        head + "tolerance": {"before": "—", "after": "12.50"}}
    timeline = client.get(reverse("dashboard:audit")).content.decode()
    assert escape(head + "tolerance") + ": — → 12.50" in timeline

    response = client.post(reverse("dashboard:followup-customer-remove", args=[override.pk]), follow=True)
    assert "Emma Claes is chased like every other customer again" in _said(response)[0]
    assert not PartnerOverride.objects.exists()
    assert "No customer has settings of its own" in response.content.decode()
    assert _audited(connected_org)[-1][head + "how they are chased"] == {
        "before": "on “Key accounts”", "after": "removed (on the default sequence)"}


@pytest.mark.parametrize("role", ["viewer", "approver"])
def test_viewers_and_approvers_see_the_settings_but_may_not_change_them(client, admin_member, connected_org, role,
                                                                         request):
    client.force_login(admin_member)
    _add(client, partner_id=str(EMMA), chase="never", note="Pays by direct debit")
    override = PartnerOverride.objects.get()
    client.force_login(request.getfixturevalue(role))
    page = client.get(CUSTOMERS).content.decode()
    assert "Emma Claes" in page and "Pays by direct debit" in page
    assert "Only an administrator of the organisation may change how a customer is chased." in page
    assert 'name="chase"' not in page and "/remove/" not in page
    assert client.get(reverse("dashboard:followup-customer", args=[override.pk])).status_code == 200
    assert _add(client, partner_id="41", chase="never").status_code == 403
    assert client.post(reverse("dashboard:followup-customer", args=[override.pk]),
                       {"chase": "never", "note": "changed"}).status_code == 403
    assert client.post(reverse("dashboard:followup-customer-remove", args=[override.pk])).status_code == 403
    assert list(PartnerOverride.objects.values_list("partner_id", "note")) == [(EMMA, "Pays by direct debit")]
    assert len(_audited(connected_org)) == 1


def _their_sequence(other_org):
    return ensure_defaults(other_org)[SequenceKind.INVOICES]


@pytest.mark.parametrize(("data", "words"), [
    ({"tolerance": "-5"}, "The tolerance cannot be negative."),
    ({"tolerance": "lots"}, "The tolerance is an amount, e.g. 5.00."),
    ({"tolerance": "1.234"}, "The tolerance has at most two decimals"),
    ({"chase": "deals"}, "Choose one of your sequences for unpaid invoices, or never chasing automatically."),
    ({"chase": "theirs"}, "Choose one of your sequences for unpaid invoices, or never chasing automatically."),
    ({"partner_id": "", "customer": ""}, "Choose a customer, or give the customer's number in Odoo."),
    ({"partner_id": "-3"}, "A customer's number in Odoo is a whole number from 1 up."),
    ({"partner_id": "abc"}, "A customer's number in Odoo is a whole number, e.g. 42."),
    ({"customer": "999"}, "Choose one of the customers listed."),
    ({"partner_id": "987654"}, "Your Odoo has no customer number 987654: check the number."),
    ({"note": "x" * 201}, "Keep the note to 200 characters."),
])
def test_bad_settings_say_why_and_change_nothing(client, admin_member, connected_org, other_org, data, words):
    default = ensure_defaults(connected_org)
    chase = {"deals": default[SequenceKind.DEALS], "theirs": _their_sequence(other_org)}.get(
        data.get("chase"), default[SequenceKind.INVOICES]).pk
    client.force_login(admin_member)
    posted = {"partner_id": str(EMMA), "tolerance": "1.00", "note": "x"} | data | {"chase": str(chase)}
    response = _add(client, **posted)
    assert response.status_code == 200
    assert any(words in message for message in _said(response)), _said(response)
    assert "Nothing was changed." in _said(response)[0]
    assert not PartnerOverride.objects.exists() and not _audited(connected_org)


def test_a_customer_has_one_set_of_settings(client, admin_member, connected_org):
    client.force_login(admin_member)
    _add(client, partner_id=str(EMMA), chase="never")
    response = _add(client, partner_id=str(EMMA), chase="never", note="again")
    assert _said(response) == ["Emma Claes already has its own settings: change those instead. Nothing was changed."]
    assert PartnerOverride.objects.count() == 1 and len(_audited(connected_org)) == 1


def test_a_name_from_odoo_is_shown_without_what_its_author_slipped_in(client, admin_member, connected_org, odoo):
    partner = odoo.create("res.partner", {"name": "Kinetic Labs — pay to https://evil.example/pay now"})
    client.force_login(admin_member)
    response = _add(client, partner_id=str(partner), chase="never")
    page = response.content.decode()
    assert "Kinetic Labs" in page and "evil.example" not in page
    assert "evil.example" not in str(_audited(connected_org))


def test_another_organisation_sees_and_reaches_nothing_of_ours(client, admin_member, other_admin, chasing_org, odoo,
                                                               other_org):
    engine.tick(chasing_org, odoo)
    client.force_login(admin_member)
    _add(client, partner_id=str(EMMA), chase="never", note="Our own arrangement")
    ours = PartnerOverride.objects.get(organization=chasing_org)
    client.force_login(other_admin)
    page = client.get(CUSTOMERS).content.decode()
    assert "Emma Claes" not in page and "Our own arrangement" not in page and f'value="{EMMA}"' not in page

    response = _add(client, partner_id=str(EMMA), chase="never", note="Theirs")  # our customer's number
    page = response.content.decode()
    assert "Emma Claes" not in page and "Our own arrangement" not in page and f"customer #{EMMA}" in page
    theirs = PartnerOverride.objects.get(organization=other_org)
    assert theirs.note == "Theirs"
    for url in (reverse("dashboard:followup-customer", args=[ours.pk]),
                reverse("dashboard:followup-customer-remove", args=[ours.pk])):
        assert client.post(url, {"chase": "never", "note": "hijacked"}).status_code == 404
    assert client.get(reverse("dashboard:followup-customer", args=[ours.pk])).status_code == 404
    ours.refresh_from_db()
    assert ours.note == "Our own arrangement"
    assert all("Emma Claes" not in str(changes) for changes in _audited(other_org))
    assert all("Theirs" not in str(changes) for changes in _audited(chasing_org))


def test_saving_needs_the_csrf_token(admin_member, connected_org):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(admin_member)
    assert browser.post(CUSTOMERS, {"partner_id": str(EMMA), "chase": "never"}).status_code == 403
    assert not PartnerOverride.objects.exists()


# --- pausing a whole customer, ending holds --------------------------------------------------

def _pause(client, follow_up, **data):
    return client.post(reverse("dashboard:followup-pause-customer", args=[follow_up.pk]), data, follow=True)


def test_an_approver_pauses_a_customer_and_ends_the_hold(client, approver, chasing_org, odoo):
    engine.tick(chasing_org, odoo)
    emma = _emma(chasing_org)
    pending = emma.last_action
    client.force_login(approver)
    page = client.get(reverse("dashboard:followup", args=[emma.pk])).content.decode()
    assert f'action="/dashboard/follow-ups/{emma.pk}/pause-customer/"' in page
    assert f'href="/dashboard/follow-ups/customers/?partner={EMMA}"' in page

    response = _pause(client, emma, until=SOON, reason="Owner in hospital")

    assert _said(response) == ["Customer paused: AIOM chases none of their invoices until the pause ends."]
    hold = Hold.objects.get(organization=chasing_org, partner_id=EMMA)
    assert (hold.kind, hold.invoice_id, hold.until.isoformat(), hold.created_by) == ("pause", None, SOON, approver)
    emma.refresh_from_db()
    assert emma.status == FollowUpStatus.PAUSED and emma.reason == engine.ON_HOLD
    assert Action.objects.get(pk=pending.pk).status == ActionStatus.CANCELLED
    event = emma.events.get(kind=EventKind.PAUSED, user=approver)
    until = date.fromisoformat(SOON)
    assert event.text == f"The customer was paused by alice up to and including {until:%d %b %Y}: Owner in hospital"
    page = response.content.decode()
    assert "This customer is paused" in page and "Owner in hospital" in page
    assert f'action="/dashboard/follow-ups/holds/{hold.pk}/end/"' in page and "pause-customer/" not in page
    listed = client.get(CUSTOMERS).content.decode()
    assert "All their invoices" in listed and "Owner in hospital" in listed and "Emma Claes" in listed

    engine.tick(chasing_org, odoo)
    assert _emma(chasing_org).status == FollowUpStatus.PAUSED

    response = client.post(reverse("dashboard:followup-hold-end", args=[hold.pk]),
                           {"next": reverse("dashboard:followup", args=[emma.pk])}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("dashboard:followup", args=[emma.pk])
    assert _said(response) == ["Hold ended: chasing starts again from the next run."]
    hold.refresh_from_db()
    assert hold.resolved_at is not None
    assert emma.events.get(kind=EventKind.RESUMED, user=approver).text.startswith("alice ended the pause")
    engine.tick(chasing_org, odoo)
    assert _emma(chasing_org).status == FollowUpStatus.ACTIVE


def test_a_dispute_is_ended_from_the_holds_list_too(client, approver, chasing_org, odoo):
    engine.tick(chasing_org, odoo)
    emma = _emma(chasing_org)
    invoice = emma.invoices[0]
    client.force_login(approver)
    client.post(reverse("dashboard:followup-dispute", args=[emma.pk]), {"invoice": invoice["id"], "reason": "Damaged"})
    hold = Hold.objects.get(kind="dispute")
    assert f"Invoice #{invoice['id']}, disputed" in client.get(CUSTOMERS).content.decode()
    response = client.post(reverse("dashboard:followup-hold-end", args=[hold.pk]), {"next": "https://evil.example/"},
                           follow=True)
    assert response.redirect_chain[-1][0] == CUSTOMERS  # never off the site
    assert _said(response) == ["Dispute resolved: the invoice is chased again if it is still open."]
    assert Hold.objects.get(pk=hold.pk).resolved_at is not None and "Nothing is on hold." in response.content.decode()
    again = client.post(reverse("dashboard:followup-hold-end", args=[hold.pk]), follow=True)
    assert _said(again) == ["This hold has already ended."]


@pytest.mark.parametrize(("data", "words"), [
    ({"until": "2020-01-01", "reason": "Holiday"}, "The last day of the pause is today or a later day"),
    ({"until": "soon", "reason": "Holiday"}, "Give the last day of the pause as a day, e.g. 2025-03-12."),
    ({"until": SOON, "reason": "   "}, "Say why you pause this customer."),
    ({"until": SOON, "reason": "x" * 301}, "Say why in at most 300 characters."),
])
def test_a_bad_pause_says_why_and_pauses_nothing(client, approver, chasing_org, odoo, data, words):
    engine.tick(chasing_org, odoo)
    emma = _emma(chasing_org)
    client.force_login(approver)
    response = _pause(client, emma, **data)
    assert any(words in message for message in _said(response)), _said(response)
    assert not Hold.objects.exists() and _emma(chasing_org).status == FollowUpStatus.ACTIVE


def test_a_customer_is_paused_once(client, approver, chasing_org, odoo):
    engine.tick(chasing_org, odoo)
    emma = _emma(chasing_org)
    client.force_login(approver)
    _pause(client, emma, reason="Owner in hospital")
    response = _pause(client, emma, until=SOON, reason="Again")
    assert _said(response) == ["This customer is already paused: end that hold first to pause it again."]
    assert Hold.objects.count() == 1


def test_viewers_and_other_organisations_may_not_pause_or_end_holds(client, viewer, approver, outsider, chasing_org,
                                                                    odoo):
    engine.tick(chasing_org, odoo)
    emma = _emma(chasing_org)
    client.force_login(approver)
    _pause(client, emma, reason="Owner in hospital")
    hold = Hold.objects.get()
    end = reverse("dashboard:followup-hold-end", args=[hold.pk])
    client.force_login(viewer)
    page = client.get(reverse("dashboard:followup", args=[emma.pk])).content.decode()
    assert "This customer is paused" in page and "/end/" not in page and "pause-customer/" not in page
    assert "End hold" not in client.get(CUSTOMERS).content.decode()
    assert _pause(client, emma, reason="x").status_code == 403
    assert client.post(end).status_code == 403
    client.force_login(outsider)
    assert _pause(client, emma, reason="x").status_code == 404
    assert client.post(end).status_code == 404
    assert "Owner in hospital" not in client.get(CUSTOMERS).content.decode()
    assert Hold.objects.count() == 1 and Hold.objects.get().resolved_at is None
    deal = FollowUp.objects.filter(organization=chasing_org, target_model="crm.lead").first()
    client.force_login(approver)
    assert _pause(client, deal, reason="x").status_code == 404
    forged = Client(enforce_csrf_checks=True)
    forged.force_login(approver)
    assert forged.post(end).status_code == 403 and Hold.objects.get().resolved_at is None


@pytest.mark.parametrize("role", ["admin_member", "viewer"])
def test_every_table_reads_as_labelled_rows_on_a_phone(client, approver, chasing_org, odoo, role, request):
    engine.tick(chasing_org, odoo)
    emma = _emma(chasing_org)
    client.force_login(approver)
    _pause(client, emma, reason="Owner in hospital")
    PartnerOverride.objects.create(organization=chasing_org, partner_id=EMMA, note="Direct debit")
    client.force_login(request.getfixturevalue(role))
    pages = "".join(client.get(url).content.decode()
                    for url in (CUSTOMERS, reverse("dashboard:followup", args=[emma.pk])))
    tables = [table for table in re.findall(r"<table[^>]*>.*?</table>", pages, re.S) if 'class="empty"' not in table]
    assert len(tables) >= 5  # own settings, on hold; invoices, levels, this customer paused
    for table in tables:
        assert re.match(r'<table class="[^"]*\bstack\b', table)
        headers = re.findall(r'<th scope="col">([^<]+)</th>', table)
        row = re.search(r"<tbody>\s*<tr[^>]*>(.*?)</tr>", table, re.S).group(1)
        assert re.findall(r'<td data-label="([^"]+)"', row) == headers


def test_on_a_phone_an_admin_moves_a_level_sets_a_customer_apart_and_pauses_another(
        live_server, browser, chasing_org, admin_member, odoo):
    engine.tick(chasing_org, odoo)
    sequence = ensure_defaults(chasing_org)[SequenceKind.INVOICES]
    emma = _emma(chasing_org)
    page = browser.new_page()
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server, "ada", "pw-ada")

    page.goto(f"{live_server.url}{reverse('dashboard:sequence', args=[sequence.pk])}")
    page.get_by_role("button", name="Move “Courtesy reminder” down").click()
    page.get_by_text("“Courtesy reminder” is now level 2.").wait_for()
    assert page.locator("ol.levels-in-words > li strong").all_inner_texts()[:2] == ["Friendly reminder",
                                                                                   "Courtesy reminder"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.goto(f"{live_server.url}{reverse('dashboard:followups')}")
    page.get_by_role("link", name="Customer settings").click()
    page.select_option("#id_customer", str(EMMA))
    page.select_option("#id_chase", "never")
    page.fill("#id_note", "Pays by direct debit")
    page.get_by_role("button", name="Save these settings").click()
    page.get_by_text("Emma Claes is now never chased automatically.").wait_for()
    assert "Pays by direct debit" in page.locator("table.customer-settings").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.goto(f"{live_server.url}{reverse('dashboard:followup', args=[emma.pk])}")
    page.fill("#pause-customer-reason", "Owner in hospital")
    page.get_by_role("button", name="Pause this customer").click()
    page.get_by_role("heading", name="This customer is paused").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert Hold.objects.get(partner_id=EMMA).reason == "Owner in hospital"
