"""Administrators change a sequence and its levels from its page (and move a level up or down)
and read what each level would send to a real customer of the Odoo sandbox; the engine plans with
what was saved, and a customer never gets a level twice because levels moved. Every change lands
in the audit trail in words. Approvers and viewers read only, other organisations see nothing,
bad input says why and changes nothing, and an Odoo that cannot be reached leaves the editor
working."""

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from actions import services as action_services
from actions.models import Action
from aiom.models import Membership, Role
from audit.models import ActionEvent, EventType
from audit.services import verify_chain
from followups import engine, planning, reading
from followups.defaults import ensure_defaults
from followups.models import FollowUp, FollowUpStatus, Level, SequenceKind
from integrations.models import OdooConnection

from tests.e2e.pages import log_in

from .conftest import EMMA

BRUSSELS = ZoneInfo("Europe/Brussels")
LEVEL_FIELDS = ("name", "offset_days", "offset_from", "channel", "wording", "risk_level")
CHECKS = ("list_invoices", "collection_wording")


def _default(org):
    return ensure_defaults(org)[SequenceKind.INVOICES]


def _form(sequence, *, changes: dict | None = None, delete: tuple = (), new: list | None = None, **settings) -> dict:
    """The editor's POST as a browser sends it: the sequence, then each level in order (with
    `changes[position]` applied), the empty row, or the rows in `new`."""
    data = {"sequence-name": sequence.name, "sequence-tolerance": str(sequence.tolerance)}
    if sequence.active:
        data["sequence-active"] = "on"
    if sequence.weekdays_only:
        data["sequence-weekdays_only"] = "on"
    data |= {f"sequence-{name}": value for name, value in settings.items()}
    levels = list(sequence.levels.all())
    rows = []
    for level in levels:
        row = {"id": str(level.pk), "sequence": str(sequence.pk)}
        row |= {name: str(getattr(level, name)) for name in LEVEL_FIELDS}
        row |= {name: "on" for name in CHECKS if getattr(level, name)}
        row |= (changes or {}).get(level.position, {})
        if level.position in delete:
            row["DELETE"] = "on"
        rows.append(row)
    rows += [dict(row, sequence=str(sequence.pk)) for row in (new or [])]
    for index, row in enumerate(rows):
        data |= {f"levels-{index}-{name}": value for name, value in row.items() if value is not None}
    data |= {"levels-TOTAL_FORMS": str(len(rows)), "levels-INITIAL_FORMS": str(len(levels)),
             "levels-MIN_NUM_FORMS": "0", "levels-MAX_NUM_FORMS": "1000"}
    return data


def _levels(sequence) -> list[tuple]:
    return [(level.position, level.name, level.offset_days, level.channel)
            for level in Level.objects.filter(sequence=sequence).order_by("position")]


def _post(client, sequence, data):
    return client.post(reverse("dashboard:sequence", args=[sequence.pk]), data, follow=True)


def _said(response) -> str:
    return " ".join(str(message) for message in response.context["messages"])


def test_an_admin_changes_an_offset_and_the_engine_plans_with_it(client, admin_member, chasing_org, odoo):
    engine.tick(chasing_org, odoo)
    emma = FollowUp.objects.get(organization=chasing_org, target_id=EMMA)
    sequence = emma.sequence
    assert emma.level == 2 and sequence.levels.get(position=2).offset_days == 15  # the firm reminder comes next
    anchor = date.fromisoformat(min(invoice["due"] for invoice in emma.invoices))
    assert emma.next_due_at.astimezone(BRUSSELS).date() == planning.working_day(anchor + timedelta(days=15))
    client.force_login(admin_member)
    page = client.get(reverse("dashboard:sequence", args=[sequence.pk])).content.decode()
    assert 'name="levels-2-offset_days"' in page and "csrfmiddlewaretoken" in page

    response = _post(client, sequence, _form(sequence, changes={2: {"offset_days": "9"}}, tolerance="2.50"))

    assert "Sequence saved" in _said(response)
    sequence.refresh_from_db()
    assert sequence.levels.get(position=2).offset_days == 9 and str(sequence.tolerance) == "2.50"
    assert "9 days after the due date · email · firm" in response.content.decode()
    engine.tick(chasing_org, odoo)
    emma.refresh_from_db()
    assert emma.next_due_at.astimezone(BRUSSELS).date() == planning.working_day(anchor + timedelta(days=9))


def test_levels_are_added_and_deleted_and_numbered_in_the_order_shown(client, admin_member, org):
    sequence = _default(org)
    ahead = FollowUp.objects.create(organization=org, sequence=sequence, target_model="res.partner", target_id=71,
                                    partner_id=71, target_name="Polder Foods BV", level=6)
    done = FollowUp.objects.create(organization=org, sequence=sequence, target_model="res.partner", target_id=72,
                                   partner_id=72, target_name="Helios Solar BV", level=6,
                                   status=FollowUpStatus.COMPLETED)
    client.force_login(admin_member)
    extra = {"name": "Letter from the lawyer", "offset_days": "10", "offset_from": "previous", "channel": "email",
             "wording": "final", "risk_level": "critical", "list_invoices": "on", "collection_wording": "on"}

    response = _post(client, sequence, _form(sequence, delete=(0, 3, 4), new=[extra]))

    assert "Sequence saved" in _said(response)
    assert _levels(sequence) == [(0, "Friendly reminder", 3, "email"), (1, "Firm reminder", 15, "email"),
                                 (2, "Final notice", 45, "email"), (3, "Letter from the lawyer", 10, "email")]
    assert "Letter from the lawyer</strong>: 10 days after the previous level · email · final notice" in \
        response.content.decode()
    ahead.refresh_from_db()
    done.refresh_from_db()
    assert ahead.level == 4  # past the old end: every level of the new list counts as sent
    assert done.level == 6  # closed follow-ups keep their history

    _post(client, sequence, _form(sequence, delete=(3,)))
    assert [name for _, name, _, _ in _levels(sequence)] == ["Friendly reminder", "Firm reminder", "Final notice"]
    ahead.refresh_from_db()
    assert ahead.level == 3


@pytest.mark.parametrize(("change", "words"), [
    ({2: {"offset_days": "400"}}, "An offset runs from −60 to 365 days."),
    ({0: {"offset_from": "previous"}}, "cannot count from the previous level"),
    ({3: {"risk_level": "medium"}}, "an sms level writes to the customer, so its risk is at least high."),
    ({1: {"risk_level": "low"}}, "an email level writes to the customer, so its risk is at least medium."),
    ({1: {"name": ""}}, "Give the level a name."),
])
def test_bad_levels_say_why_and_change_nothing(client, admin_member, org, change, words):
    sequence = _default(org)
    before = _levels(sequence)
    client.force_login(admin_member)
    response = _post(client, sequence, _form(sequence, changes=change, name="Renamed"))
    assert response.status_code == 200
    assert words in _said(response) and escape(words) in response.content.decode()
    assert "Nothing was changed." in _said(response)
    assert _levels(sequence) == before
    sequence.refresh_from_db()
    assert sequence.name == "Unpaid invoices"


def test_a_sequence_keeps_at_least_one_level(client, admin_member, org):
    sequence = _default(org)
    before = _levels(sequence)
    client.force_login(admin_member)
    response = _post(client, sequence, _form(sequence, delete=tuple(range(6))))
    assert "A sequence needs at least one level." in _said(response)
    assert _levels(sequence) == before


@pytest.mark.parametrize("role", ["approver", "viewer"])
def test_approvers_and_viewers_read_only(client, org, role, request):
    sequence = _default(org)
    before = _levels(sequence)
    client.force_login(request.getfixturevalue(role))
    page = client.get(reverse("dashboard:sequence", args=[sequence.pk])).content.decode()
    assert "Only an administrator of the organisation may change this sequence." in page
    assert "levels-TOTAL_FORMS" not in page and "<form method=\"post\" class=\"sequence-editor\"" not in page
    response = client.post(reverse("dashboard:sequence", args=[sequence.pk]),
                           _form(sequence, changes={2: {"offset_days": "9"}}))
    assert response.status_code == 403
    assert _levels(sequence) == before


def test_another_organisation_sees_neither_editor_nor_preview(client, org, other_org, django_user_model):
    sequence = _default(org)
    theirs = django_user_model.objects.create_user("olga", password="pw-olga")
    Membership.objects.create(user=theirs, organization=other_org, role=Role.ADMIN)
    client.force_login(theirs)
    assert client.post(reverse("dashboard:sequence", args=[sequence.pk]), _form(sequence)).status_code == 404
    assert client.get(reverse("dashboard:sequence-preview", args=[sequence.pk]),
                      {"channel": "email", "wording": "firm"}).status_code == 404
    assert _levels(sequence) == _levels(_default(org))


def test_saving_needs_the_csrf_token(admin_member, org):
    sequence = _default(org)
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_member)
    response = client.post(reverse("dashboard:sequence", args=[sequence.pk]),
                           _form(sequence, changes={2: {"offset_days": "9"}}))
    assert response.status_code == 403
    assert sequence.levels.get(position=2).offset_days == 15


def _first_customer_invoice(odoo) -> str:
    customers = reading.customers_with_open_invoices(odoo, today=datetime.now(BRUSSELS).date(), lead_days=0)
    return customers[min(customers)].invoices[0]["name"]


def test_the_preview_shows_a_real_invoice_in_each_levels_wording(client, admin_member, chasing_org, odoo):
    sequence = _default(chasing_org)
    invoice = _first_customer_invoice(odoo)
    client.force_login(admin_member)
    page = client.get(reverse("dashboard:sequence", args=[sequence.pk])).content.decode()
    # every email and SMS level (5 of the 6: not the task), and the empty row for a new email level
    assert page.count('<pre class="preview-message">') == 6
    assert escape(invoice) in page and "A staff task in Odoo: nothing is sent to the customer." in page
    assert "sequence_preview.js" in page

    url = reverse("dashboard:sequence-preview", args=[sequence.pk])
    email = client.get(url, {"channel": "email", "wording": "firm"}).content.decode()
    friendly = client.get(url, {"channel": "email", "wording": "friendly"}).content.decode()
    sms = client.get(url, {"channel": "sms", "wording": "firm"}).content.decode()
    for fragment in (email, friendly, sms):
        assert escape(invoice) in fragment and "<html" not in fragment
    assert "Subject:" in email and "Subject:" not in sms and "SMS for" in sms
    assert 'data-wording="firm"' in email and _body(email) != _body(friendly)
    assert len(_body(sms)) < len(_body(email))
    assert client.get(url, {"channel": "fax", "wording": "firm"}).status_code == 400


def _body(fragment: str) -> str:
    return re.search(r'<pre class="preview-message">(.*?)</pre>', fragment, re.S).group(1)


def test_viewers_read_what_the_saved_levels_send(client, viewer, chasing_org, odoo):
    sequence = _default(chasing_org)
    client.force_login(viewer)
    page = client.get(reverse("dashboard:sequence", args=[sequence.pk])).content.decode()
    assert "What each level sends" in page and escape(_first_customer_invoice(odoo)) in page


def test_with_odoo_unreachable_the_preview_says_so_and_saving_works(client, admin_member, org):
    OdooConnection.objects.create(organization=org, url="http://127.0.0.1:9", database="none", username="none",
                                  secret="none", protocol="xmlrpc", timeout=2)
    sequence = _default(org)
    client.force_login(admin_member)
    page = client.get(reverse("dashboard:sequence", args=[sequence.pk])).content.decode()
    assert "Odoo could not be reached" in page and '<pre class="preview-message">' not in page
    fragment = client.get(reverse("dashboard:sequence-preview", args=[sequence.pk]),
                          {"channel": "sms", "wording": "firm"}).content.decode()
    assert "Odoo could not be reached" in fragment
    response = _post(client, sequence, _form(sequence, changes={2: {"offset_days": "9"}}))
    assert "Sequence saved" in _said(response)
    assert sequence.levels.get(position=2).offset_days == 9


def test_in_the_browser_the_preview_follows_the_chosen_wording_and_channel(live_server, browser, chasing_org,
                                                                            admin_member, odoo):
    sequence = _default(chasing_org)
    invoice = _first_customer_invoice(odoo)
    page = browser.new_page()
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server, "ada", "pw-ada")
    page.goto(f"{live_server.url}{reverse('dashboard:sequence', args=[sequence.pk])}")
    row = page.locator("fieldset.level-edit").nth(1)  # the friendly reminder
    assert row.locator(".level-preview-body").get_attribute("data-wording") == "friendly"
    before = row.locator("pre.preview-message").inner_text()

    row.locator('select[name="levels-1-wording"]').select_option("final")
    row.locator('.level-preview-body[data-wording="final"]').wait_for()
    assert row.locator("pre.preview-message").inner_text() != before and invoice in row.inner_text()

    row.locator('select[name="levels-1-channel"]').select_option("sms")
    row.locator('.level-preview-body[data-channel="sms"]').wait_for()
    assert "Subject:" not in row.locator(".level-preview").inner_text()
    row.locator('select[name="levels-1-channel"]').select_option("task")
    row.locator('.level-preview-body[data-channel="task"]').wait_for()
    assert "nothing is sent to the customer" in row.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert Level.objects.get(sequence=sequence, position=1).wording == "friendly"  # nothing saved yet


def test_an_open_follow_up_keeps_its_progress_when_levels_are_removed(client, admin_member, chasing_org, odoo):
    engine.tick(chasing_org, odoo)
    sequence = _default(chasing_org)
    follow_up = FollowUp.objects.get(organization=chasing_org, target_id=EMMA, status="active")
    assert follow_up.level == 2 and set(follow_up.sent) == {"1"}  # the friendly reminder (position 1) was done
    client.force_login(admin_member)
    _post(client, sequence, _form(sequence, delete=(0,)))  # the courtesy level goes: friendly is now position 0
    follow_up.refresh_from_db()
    assert set(follow_up.sent) == {"0"} and follow_up.level == 1
    assert Level.objects.get(sequence=sequence, position=follow_up.level).name == "Firm reminder"


# --- moving levels ---------------------------------------------------------------------------

def _move(client, sequence, level, direction: str, *, position=None):
    return client.post(reverse("dashboard:sequence-move", args=[sequence.pk, level.pk]),
                       {"direction": direction, "position": str(level.position if position is None else position)},
                       follow=True)


def _names(sequence) -> list[str]:
    return [name for _, name, _, _ in _levels(sequence)]


def _emma_actions(org) -> list[Action]:
    return list(Action.objects.filter(organization=org, source="follow_up", target_model="res.partner",
                                      partner_id=EMMA).order_by("created_at"))


def test_a_customer_who_had_a_level_does_not_get_it_again_after_reordering(client, admin_member, approver,
                                                                            chasing_org, odoo):
    engine.tick(chasing_org, odoo)
    sequence = _default(chasing_org)
    emma = FollowUp.objects.get(organization=chasing_org, target_id=EMMA, status="active")
    [friendly] = _emma_actions(chasing_org)
    assert friendly.title.startswith("Friendly reminder") and emma.level == 2 and set(emma.sent) == {"1"}
    action_services.approve(friendly, approver, protocol_hash=friendly.protocol_hash)
    client.force_login(admin_member)

    page = client.get(reverse("dashboard:sequence", args=[sequence.pk])).content.decode()
    assert page.count('>Move up</button>') == 5 and page.count('>Move down</button>') == 5
    response = _move(client, sequence, sequence.levels.get(name="Friendly reminder"), "down")

    assert "“Friendly reminder” is now level 3." in _said(response)
    assert _names(sequence) == ["Courtesy reminder", "Firm reminder", "Friendly reminder", "Reminder by SMS",
                                "Collection call", "Final notice"]
    emma.refresh_from_db()
    assert set(emma.sent) == {"2"} and emma.level == 3  # the friendly reminder, done, at its new place
    page = client.get(reverse("dashboard:followup", args=[emma.pk])).content.decode()
    assert re.findall(r'<tr class="level-(\w+)">', page)[:4] == ["passed", "passed", "done", "next"]

    engine.tick(chasing_org, odoo, now=timezone.now() + timedelta(days=31))  # the 30-day levels are due
    titles = [action.title for action in _emma_actions(chasing_org)]
    assert len(titles) > 1 and sum(title.startswith("Friendly reminder") for title in titles) == 1
    assert not any(title.startswith("Firm reminder") for title in titles)  # put before a level she had


def test_moving_a_level_up_puts_it_before_its_neighbour_and_is_audited(client, admin_member, org):
    sequence = _default(org)
    client.force_login(admin_member)
    response = _move(client, sequence, sequence.levels.get(name="Final notice"), "up")
    assert "“Final notice” is now level 5." in _said(response)
    assert _names(sequence)[3:] == ["Reminder by SMS", "Final notice", "Collection call"]
    event = ActionEvent.objects.get(organization=org, event_type=EventType.POLICY_CHANGED)
    assert event.actor == f"user:{admin_member.pk} ada" and event.actor_type == "human"
    assert event.data["changes"] == {"Sequence “Unpaid invoices”: order of the levels": {
        "before": "1. Courtesy reminder, 2. Friendly reminder, 3. Firm reminder, 4. Reminder by SMS, "
                  "5. Collection call, 6. Final notice",
        "after": "1. Courtesy reminder, 2. Friendly reminder, 3. Firm reminder, 4. Reminder by SMS, "
                 "5. Final notice, 6. Collection call"}}


@pytest.mark.parametrize(("name", "direction", "stale", "words"), [
    ("Courtesy reminder", "up", False, "“Courtesy reminder” is already the first level."),
    ("Final notice", "down", False, "“Final notice” is already the last level."),
    ("Firm reminder", "down", True, "The levels were changed meanwhile"),
])
def test_a_move_that_cannot_be_made_says_why_and_moves_nothing(client, admin_member, org, name, direction, stale,
                                                                words):
    sequence = _default(org)
    before = _levels(sequence)
    level = sequence.levels.get(name=name)
    client.force_login(admin_member)
    response = _move(client, sequence, level, direction, position=level.position + 1 if stale else None)
    assert words in _said(response) and _levels(sequence) == before
    assert not ActionEvent.objects.filter(event_type=EventType.POLICY_CHANGED).exists()


def test_a_level_counting_from_the_previous_one_cannot_become_the_first(client, admin_member, org):
    deals = ensure_defaults(org)[SequenceKind.DEALS]
    before = _levels(deals)
    client.force_login(admin_member)
    response = _move(client, deals, deals.levels.get(position=1), "up")
    assert "cannot count from the previous level" in _said(response) and "Nothing was moved." in _said(response)
    assert _levels(deals) == before


def test_moving_is_for_administrators_of_the_organisation_only(client, approver, viewer, admin_member, org,
                                                              other_org, django_user_model):
    sequence = _default(org)
    before = _levels(sequence)
    level = sequence.levels.get(position=2)
    for user in (approver, viewer):
        client.force_login(user)
        page = client.get(reverse("dashboard:sequence", args=[sequence.pk])).content.decode()
        assert "Move up" not in page
        assert _move(client, sequence, level, "up").status_code == 403
    theirs = django_user_model.objects.create_user("olga", password="pw-olga")
    Membership.objects.create(user=theirs, organization=other_org, role=Role.ADMIN)
    client.force_login(theirs)
    assert _move(client, sequence, level, "up").status_code == 404
    their_sequence = _default(other_org)
    response = _move(client, their_sequence, level, "up")  # their sequence, our level
    assert "This level is not one of this sequence's" in _said(response)
    client.force_login(admin_member)
    url = reverse("dashboard:sequence-move", args=[sequence.pk, level.pk])
    assert client.post(url, {"direction": "sideways", "position": "2"}).status_code == 400
    assert client.get(url).status_code == 405
    forged = Client(enforce_csrf_checks=True)
    forged.force_login(admin_member)
    assert forged.post(url, {"direction": "up", "position": "2"}).status_code == 403
    assert _levels(sequence) == before and _levels(their_sequence) == _levels(_default(other_org))


# --- the audit trail -------------------------------------------------------------------------

def test_every_change_of_a_sequence_lands_in_the_audit_trail_in_words(client, admin_member, org):
    sequence = _default(org)
    client.force_login(admin_member)
    extra = {"name": "Letter from the lawyer", "offset_days": "10", "offset_from": "previous", "channel": "email",
             "wording": "final", "risk_level": "critical", "list_invoices": "on"}

    _post(client, sequence, _form(sequence, changes={2: {"offset_days": "9"}}, delete=(0,), new=[extra],
                                  tolerance="2.50"))

    event = ActionEvent.objects.get(organization=org, event_type=EventType.POLICY_CHANGED)
    head = "Sequence “Unpaid invoices”: "
    assert event.actor == f"user:{admin_member.pk} ada" and event.data["sequence_id"] == sequence.pk
    assert event.data["changes"] == {
        head + "tolerance (per invoice)": {"before": "0.00", "after": "2.50"},
        head + "level 1 “Courtesy reminder”": {"before": "3 days before the due date · email · courtesy",
                                               "after": "removed"},
        head + "level 2 “Firm reminder”, offset (days)": {"before": "15", "after": "9"},
        head + "level 6 “Letter from the lawyer”": {
            "before": "—", "after": "added: 10 days after the previous level · email · final notice"}}
    timeline = client.get(reverse("dashboard:audit"), {"event_type": "policy_changed"}).content.decode()
    assert escape(head + "tolerance (per invoice)") + ": 0.00 → 2.50" in timeline
    assert escape(head + "level 2 “Firm reminder”, offset (days)") + ": 15 → 9" in timeline
    assert f"user:{admin_member.pk} ada" in timeline

    sequence.refresh_from_db()
    _post(client, sequence, _form(sequence))  # saved as it is: nothing changed, nothing to audit
    assert ActionEvent.objects.filter(organization=org, event_type=EventType.POLICY_CHANGED).count() == 1
    assert verify_chain(org).ok


def test_refused_changes_leave_no_trace_in_the_audit_trail(client, admin_member, approver, org):
    sequence = _default(org)
    client.force_login(approver)
    assert _post(client, sequence, _form(sequence, tolerance="3.00")).status_code == 403
    client.force_login(admin_member)
    response = _post(client, sequence, _form(sequence, tolerance="-1"))
    assert "The tolerance cannot be negative." in _said(response)
    assert not ActionEvent.objects.filter(organization=org, event_type=EventType.POLICY_CHANGED).exists()
