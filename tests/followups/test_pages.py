"""The follow-up pages: the list (filters, order, pages), one follow-up (invoices, levels, history,
promises) and what approvers change from it (pause, resume, stop, promise, dispute), the
sequence page in words; viewers read only, other organisations see nothing, CSRF is required,
and bad input says why and changes nothing. Follow-ups come from the engine running on the Odoo
sandbox (the demo company) or are made directly."""

import re
from datetime import date, datetime, timedelta, timezone as dt_timezone
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from actions.models import Action, ActionStatus, GuardrailPolicy
from followups import engine
from followups import services as followup_services
from followups.defaults import ensure_defaults
from followups.models import EventKind, FollowUp, FollowUpEvent, FollowUpStatus, Hold, Promise, SequenceKind

BRUSSELS = ZoneInfo("Europe/Brussels")  # the organisation's zone (tests/conftest.py)
ROW_LINK = re.compile(r'<td data-label="Customer"><a href="/dashboard/follow-ups/(\d+)/">')


@pytest.fixture
def chased(connected_org, odoo):
    """The demo company's customers with open invoices, each on the default sequence after a tick."""
    GuardrailPolicy.objects.filter(organization=connected_org).update(follow_up_sequences=True)
    engine.tick(connected_org, odoo)
    return connected_org


def _waiting(org) -> FollowUp:
    """A follow-up whose last level waits for approval."""
    return FollowUp.objects.filter(organization=org, last_action__status=ActionStatus.PENDING_APPROVAL).order_by(
        "pk").first()


SOON = (date.today() + timedelta(days=20)).isoformat()  # a day a promise may name
_ids = iter(range(5000, 10**6))


def _made(org, name: str, *, due: datetime | None = None, status=FollowUpStatus.ACTIVE, residual=100.0) -> FollowUp:
    partner = next(_ids)
    return FollowUp.objects.create(
        organization=org, sequence=ensure_defaults(org)[SequenceKind.INVOICES], target_model="res.partner",
        target_id=partner, partner_id=partner, target_name=name, status=status, next_due_at=due, level=1,
        invoices=[{"id": partner, "name": f"INV/{partner}", "residual": residual, "due": "2025-01-10",
                   "currency": "EUR"}])


def _page(client, name, *args, **query) -> str:
    response = client.get(reverse(f"dashboard:{name}", args=args), query)
    assert response.status_code == 200
    return response.content.decode()


def _post(client, name, follow_up, **data):
    return client.post(reverse(f"dashboard:followup-{name}", args=[follow_up.pk]), data, follow=True)


def _said(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# --- the list --------------------------------------------------------------------------------

def test_the_list_shows_each_customer_chased_latest_due_first(client, viewer, chased):
    client.force_login(viewer)
    page = _page(client, "followups")
    follow_ups = list(FollowUp.objects.filter(organization=chased))
    assert len(follow_ups) >= 5
    expected = sorted(follow_ups, key=lambda f: (f.next_due_at is None,
                                                 -(f.next_due_at.timestamp() if f.next_due_at else 0), -f.pk))
    assert [int(pk) for pk in ROW_LINK.findall(page)] == [f.pk for f in expected]
    waiting = _waiting(chased)
    row = page[page.index(f'/dashboard/follow-ups/{waiting.pk}/"'):]
    row = row[:row.index("</tr>")]
    invoice = waiting.invoices[0]
    assert f"{invoice['residual']:,.2f} EUR" in row and "Unpaid invoices" in row
    assert f'href="/dashboard/follow-ups/sequences/{waiting.sequence_id}/"' in row
    assert f'href="/dashboard/actions/{waiting.last_action_id}/"' in row
    levels = list(waiting.sequence.levels.all())
    assert (levels[waiting.level].name if waiting.level < len(levels) else "All sent") in row
    assert 'aria-current="page">Follow-ups</a>' in page


def test_the_list_filters_by_status_name_partner_and_due_day(client, viewer, org):
    soon = _made(org, "Dubois & Fils SA", due=datetime(2025, 3, 3, 8, tzinfo=dt_timezone.utc))
    later = _made(org, "Helios Solar BV", due=datetime(2025, 3, 20, 8, tzinfo=dt_timezone.utc))
    paused = _made(org, "Polder Foods BV", status=FollowUpStatus.PAUSED)
    client.force_login(viewer)

    def listed(**query) -> list[int]:
        return [int(pk) for pk in ROW_LINK.findall(_page(client, "followups", **query))]

    assert listed() == [later.pk, soon.pk, paused.pk]
    assert listed(status="paused") == [paused.pk]
    assert listed(q="helios") == [later.pk]
    assert listed(partner=soon.partner_id) == [soon.pk]
    assert listed(due_before="2025-03-20") == [soon.pk]  # before that day starts in Brussels
    assert listed(due_before="2025-03-21", status="active") == [later.pk, soon.pk]
    page = _page(client, "followups", due_before="soon")
    assert "Give the day as 2025-03-12." in page
    assert "No follow-ups match these filters" in _page(client, "followups", q="nobody by that name")


def test_the_list_comes_in_pages_of_fifty(client, viewer, org):
    made = [_made(org, f"Customer {n:02}", due=datetime(2025, 1, 1, tzinfo=dt_timezone.utc) + timedelta(days=n))
            for n in range(55)]
    client.force_login(viewer)
    first = _page(client, "followups")
    assert "Follow-ups <span class=\"muted\">(55)</span>" in first
    assert [int(pk) for pk in ROW_LINK.findall(first)] == [f.pk for f in reversed(made)][:50]
    assert "page=2" in first and "Page 1 of 2" in first
    second = _page(client, "followups", page=2)
    assert [int(pk) for pk in ROW_LINK.findall(second)] == [f.pk for f in reversed(made)][50:]


# --- one follow-up ---------------------------------------------------------------------------

def test_the_page_shows_invoices_levels_history_and_the_forms(client, approver, chased):
    started_late = FollowUp.objects.filter(organization=chased, level__gte=2,
                                           last_action__status=ActionStatus.PENDING_APPROVAL).first()
    client.force_login(approver)
    page = _page(client, "followup", started_late.pk)
    invoice = started_late.invoices[0]
    assert f"<h1>{escape(started_late.target_name)}</h1>" in page
    assert invoice["name"] in page and f"{invoice['residual']:,.2f} EUR" in page and invoice["due"] in page
    overdue = (timezone.now().astimezone(BRUSSELS).date() - date.fromisoformat(invoice["due"])).days
    assert f'<td data-label="Overdue">{overdue} days</td>' in page
    states = re.findall(r'<tr class="level-(\w+)">', page)
    assert states[:started_late.level - 1] == ["passed"] * (started_late.level - 1)
    assert states[started_late.level - 1] == "done"
    assert "3 days after the due date · email · friendly" in page
    assert "Started on “Unpaid invoices”" in page and "by AIOM" in page
    history = page[page.index('id="history-heading"'):]
    assert history.index("Level proposed") < history.index("Started")  # newest first
    for name in ("pause", "promise", "dispute", "stop"):
        assert f'action="/dashboard/follow-ups/{started_late.pk}/{name}/"' in page
    assert "/resume/" not in page and "csrfmiddlewaretoken" in page


def test_a_viewer_sees_no_forms_and_may_not_post(client, viewer, chased):
    follow_up = _waiting(chased)
    client.force_login(viewer)
    page = _page(client, "followup", follow_up.pk)
    assert "Your role can see this follow-up but not change it." in page
    assert "/pause/" not in page and "/stop/" not in page and "<form method=\"post\" action=\"/dashboard/f" not in page
    invoice_id = follow_up.invoices[0]["id"]
    for name, data in (("pause", {"reason": "x"}), ("resume", {}), ("stop", {"reason": "x"}),
                       ("promise", {"promised_date": date.today().isoformat()}),
                       ("dispute", {"invoice": invoice_id, "reason": "x"})):
        assert client.post(reverse(f"dashboard:followup-{name}", args=[follow_up.pk]), data).status_code == 403
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.ACTIVE and not Promise.objects.exists() and not Hold.objects.exists()
    assert not FollowUpEvent.objects.filter(user__isnull=False).exists()
    assert Action.objects.get(pk=follow_up.last_action_id).status == ActionStatus.PENDING_APPROVAL


def test_another_organisations_follow_up_and_sequence_are_not_found(client, outsider, org, other_org):
    theirs = _made(org, "Acme's customer")
    client.force_login(outsider)
    assert client.get(reverse("dashboard:followup", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("dashboard:sequence", args=[theirs.sequence_id])).status_code == 404
    assert client.post(reverse("dashboard:followup-stop", args=[theirs.pk]), {"reason": "x"}).status_code == 404
    assert client.get(reverse("dashboard:followup", args=[2**40])).status_code == 404
    assert "Acme's customer" not in _page(client, "followups")
    theirs.refresh_from_db()
    assert theirs.status == FollowUpStatus.ACTIVE


def test_a_deal_follow_up_shows_its_levels_without_invoices_promises_or_disputes(client, approver, chased):
    deal = FollowUp.objects.filter(organization=chased, target_model="crm.lead").first()
    client.force_login(approver)
    page = _page(client, "followup", deal.pk)
    assert "Odoo deal" in page and "Invoices chased" not in page and "Promises to pay" not in page
    assert "/promise/" not in page and "/dispute/" not in page and f"/dashboard/follow-ups/{deal.pk}/stop/" in page
    assert "the day the follow-up starts · email · friendly" in page
    response = _post(client, "promise", deal, promised_date=SOON)
    assert _said(response) == ["Promises to pay and disputes are about invoices; this follow-up is about a deal."]
    assert not Promise.objects.exists()


# --- changing it -----------------------------------------------------------------------------

def test_pausing_withdraws_the_waiting_level_and_resuming_starts_again(client, approver, chased):
    follow_up = _waiting(chased)
    client.force_login(approver)
    until = date.today() + timedelta(days=10)
    response = _post(client, "pause", follow_up, until=until.isoformat(), reason="On holiday until the 10th")
    assert any(message.startswith("Paused") for message in _said(response))
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.PAUSED
    assert follow_up.paused_until.astimezone(BRUSSELS).date() == until
    assert follow_up.reason == "Paused by alice: On holiday until the 10th"
    event = follow_up.events.get(kind=EventKind.PAUSED)
    assert event.user == approver and "On holiday" in response.content.decode()
    assert Action.objects.get(pk=follow_up.last_action_id).status == ActionStatus.CANCELLED
    assert f'action="/dashboard/follow-ups/{follow_up.pk}/resume/"' in response.content.decode()

    response = _post(client, "resume", follow_up)
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.ACTIVE and follow_up.paused_until is None
    assert follow_up.events.get(kind=EventKind.RESUMED).user == approver
    assert "Resumed by alice." in response.content.decode()


def test_stopping_ends_it_and_withdraws_the_waiting_level(client, admin_member, chased):
    follow_up = _waiting(chased)
    client.force_login(admin_member)
    response = _post(client, "stop", follow_up, reason="Settled by phone")
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.STOPPED and follow_up.next_due_at is None
    assert follow_up.events.get(kind=EventKind.STOPPED).user == admin_member
    assert Action.objects.get(pk=follow_up.last_action_id).status == ActionStatus.CANCELLED
    page = response.content.decode()
    assert "Stopped by ada: Settled by phone" in page and "there is nothing left to change" in page
    response = _post(client, "pause", follow_up, reason="Too late")
    assert _said(response) == ["This follow-up is already stopped."]
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.STOPPED


def test_a_promise_to_pay_is_recorded_and_holds_the_level(client, approver, chased):
    follow_up = _waiting(chased)
    client.force_login(approver)
    promised = date.today() + timedelta(days=7)
    response = _post(client, "promise", follow_up, promised_date=promised.isoformat(), amount="150.50",
                     grace_days="2")
    made = Promise.objects.get(follow_up=follow_up)
    assert (made.promised_date, str(made.amount), made.grace_days, made.created_by) == (promised, "150.50", 2,
                                                                                        approver)
    assert follow_up.events.get(kind=EventKind.PROMISE).user == approver
    assert Action.objects.get(pk=follow_up.last_action_id).status == ActionStatus.CANCELLED
    page = response.content.decode()
    assert f"alice recorded a promise to pay 150.50 by {promised:%d %b %Y}." in page
    assert f'<td data-label="Pay by"><time datetime="{promised}">' in page and "150.50 EUR" in page


def test_a_disputed_invoice_is_recorded_and_no_longer_offered(client, approver, chased):
    follow_up = _waiting(chased)
    invoice = follow_up.invoices[0]
    client.force_login(approver)
    response = _post(client, "dispute", follow_up, invoice=invoice["id"], reason="Goods arrived damaged")
    hold = Hold.objects.get(organization=chased, kind="dispute")
    assert (hold.invoice_id, hold.reason, hold.created_by) == (invoice["id"], "Goods arrived damaged", approver)
    assert follow_up.events.get(kind=EventKind.DISPUTE).user == approver
    assert Action.objects.get(pk=follow_up.last_action_id).status == ActionStatus.CANCELLED
    page = response.content.decode()
    assert "Disputed: Goods arrived damaged" in page
    assert f'<option value="{invoice["id"]}">' not in page
    again = _post(client, "dispute", follow_up, invoice=invoice["id"], reason="Again")
    assert _said(again) == ["This invoice is already disputed."] and Hold.objects.count() == 1


@pytest.mark.parametrize("name, data, said", [
    ("promise", {"promised_date": "2020-01-01"}, "A promise to pay is for today or a later day."),
    ("promise", {"promised_date": "next week"}, "Give the promised day as a date, e.g. 2025-03-12."),
    ("promise", {"promised_date": "9999-12-31"}, "A promise to pay is for a day within the next year."),
    ("promise", {"promised_date": SOON, "amount": "-5"}, "The amount must be more than zero"),
    ("promise", {"promised_date": SOON, "grace_days": "31"}, "Grace days run from 0 to 30."),
    ("pause", {"reason": "   "}, "Say why you pause it."),
    ("pause", {"reason": "Holiday", "until": "2020-01-01"}, "A pause ends on a day after today"),
    ("stop", {"reason": ""}, "Say why you stop it."),
    ("stop", {"reason": "x" * 301}, "Say why in at most 300 characters."),
    ("dispute", {"invoice": "999999", "reason": "Wrong"}, "Choose one of the invoices this follow-up chases."),
    ("dispute", {"reason": "Wrong"}, "Choose the disputed invoice."),
    ("resume", {}, "This follow-up is not paused."),
])
def test_bad_input_says_why_and_changes_nothing(client, approver, chased, name, data, said):
    follow_up = _waiting(chased)
    before = FollowUp.objects.filter(pk=follow_up.pk).values().get()
    events = follow_up.events.count()
    client.force_login(approver)
    response = _post(client, name, follow_up, **data)
    assert response.redirect_chain[-1][0] == reverse("dashboard:followup", args=[follow_up.pk])
    assert any(said in message for message in _said(response)), _said(response)
    assert said.split(" (")[0] in response.content.decode().replace("&#x27;", "'")
    assert FollowUp.objects.filter(pk=follow_up.pk).values().get() == before
    assert follow_up.events.count() == events and not Promise.objects.exists() and not Hold.objects.exists()
    assert Action.objects.get(pk=follow_up.last_action_id).status == ActionStatus.PENDING_APPROVAL


def test_a_change_needs_the_csrf_token(approver, org):
    follow_up = _made(org, "Kinetic Labs GmbH")
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(approver)
    url = reverse("dashboard:followup-stop", args=[follow_up.pk])
    assert browser.post(url, {"reason": "No token"}).status_code == 403
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.ACTIVE
    page = browser.get(reverse("dashboard:followup", args=[follow_up.pk])).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    assert browser.post(url, {"reason": "With the token", "csrfmiddlewaretoken": token}).status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.STOPPED


def test_changes_are_posts_only(client, approver, org):
    follow_up = _made(org, "Westpoint Legal LLP")
    client.force_login(approver)
    assert client.get(reverse("dashboard:followup-stop", args=[follow_up.pk]), {"reason": "x"}).status_code == 405
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.ACTIVE


# --- the sequence ----------------------------------------------------------------------------

def test_the_sequence_page_lists_its_levels_in_words(client, viewer, org):
    follow_up = _made(org, "Nordic Timber AB")
    client.force_login(viewer)
    assert f'href="/dashboard/follow-ups/sequences/{follow_up.sequence_id}/"' in _page(client, "followups")
    page = _page(client, "sequence", follow_up.sequence_id)
    assert "<h1>Unpaid invoices</h1>" in page and "the default for every customer" in page
    for words in ("Courtesy reminder</strong>: 3 days before the due date · email · courtesy",
                  "Friendly reminder</strong>: 3 days after the due date · email · friendly",
                  "Reminder by SMS</strong>: 30 days after the due date · SMS · firm",
                  "Collection call</strong>: 30 days after the due date · staff task · firm",
                  "Final notice</strong>: 45 days after the due date · email · final notice"):
        assert words in page
    assert "may speak of collection or legal action" in page and "working days only" in page
    deals = ensure_defaults(org)[SequenceKind.DEALS]
    assert "Call</strong>: 5 days after the previous level · call activity · friendly" in _page(
        client, "sequence", deals.pk)


def test_every_table_reads_as_labelled_rows_on_a_phone(client, approver, chased):
    follow_up = _waiting(chased)
    followup_services.promise(follow_up, approver, promised_date=date.fromisoformat(SOON), amount=None)
    client.force_login(approver)
    for page in (_page(client, "followups"), _page(client, "followup", follow_up.pk),
                 _page(client, "sequence", follow_up.sequence_id)):
        tables = re.findall(r"<table[^>]*>.*?</table>", page, re.S)
        assert tables
        for table in tables:
            assert re.match(r'<table class="[^"]*\bstack\b', table)
            headers = re.findall(r'<th scope="col">([^<]+)</th>', table)
            row = re.search(r"<tbody>\s*<tr[^>]*>(.*?)</tr>", table, re.S).group(1)
            assert re.findall(r'<td data-label="([^"]+)"', row) == headers
