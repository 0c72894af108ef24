"""Follow-ups and sequences over the API, on follow-ups the engine started from the Odoo sandbox
(or made directly): the list with the dashboard's filters in pages, one follow-up with its
levels, history and promises, and pause, resume, stop, promise and dispute with their effects;
viewers and read tokens may not change anything, other organisations' ids are not found, bad
input is a 400 in words that changes nothing. Every answer is checked against /api/schema/."""

import json
from datetime import date, datetime, timedelta, timezone as dt_timezone
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from actions.models import Action, ActionStatus, GuardrailPolicy
from aiom import api_tokens
from followups import engine
from followups import services as followup_services
from followups.defaults import ensure_defaults
from followups.models import EventKind, FollowUp, FollowUpEvent, FollowUpStatus, Hold, Promise, SequenceKind
from tests.api import conforms

LIST, ONE = "/api/follow-ups/", "/api/follow-ups/{id}/"
BRUSSELS = ZoneInfo("Europe/Brussels")  # the organisation's zone (tests/conftest.py)


@pytest.fixture
def chased(connected_org, odoo):
    """The demo company's customers with open invoices, each on the default sequence after a tick."""
    GuardrailPolicy.objects.filter(organization=connected_org).update(follow_up_sequences=True)
    engine.tick(connected_org, odoo)
    return connected_org


def _waiting(org) -> FollowUp:
    """A customer's follow-up whose last level waits for approval."""
    return FollowUp.objects.filter(organization=org, target_model="res.partner",
                                   last_action__status=ActionStatus.PENDING_APPROVAL).order_by("pk").first()


SOON = (date.today() + timedelta(days=20)).isoformat()  # a day a promise may name
_ids = iter(range(7000, 10**6))


def _made(org, name: str, *, due: datetime | None = None, status=FollowUpStatus.ACTIVE) -> FollowUp:
    partner = next(_ids)
    return FollowUp.objects.create(
        organization=org, sequence=ensure_defaults(org)[SequenceKind.INVOICES], target_model="res.partner",
        target_id=partner, partner_id=partner, target_name=name, status=status, next_due_at=due, level=1,
        invoices=[{"id": partner, "name": f"INV/{partner}", "residual": 250.5, "due": "2025-01-10",
                   "currency": "EUR"}])


def _get(client, path: str, **query):
    return client.get(path, query)


def _change(client, follow_up, name: str, payload=None, *, status: int = 200) -> dict:
    path = f"/api/follow-ups/{{id}}/{name}/"
    response = client.post(path.format(id=follow_up.pk), json.dumps(payload or {}), content_type="application/json")
    assert response.status_code == status, response.content
    return conforms(client, response, path, "post")


def _unchanged(follow_up: FollowUp) -> dict:
    """What a refused request must leave as it was."""
    return {"row": FollowUp.objects.filter(pk=follow_up.pk).values().get(),
            "events": FollowUpEvent.objects.filter(follow_up=follow_up).count(),
            "promises": Promise.objects.count(), "holds": Hold.objects.count(),
            "action": Action.objects.get(pk=follow_up.last_action_id).status if follow_up.last_action_id else None}


# --- reading ---------------------------------------------------------------------------------

def test_the_list_in_pages_latest_due_first(client, viewer, chased):
    client.force_login(viewer)
    body = conforms(client, _get(client, LIST), LIST)
    follow_ups = list(FollowUp.objects.filter(organization=chased))
    assert body["count"] == len(follow_ups) >= 5
    expected = sorted(follow_ups, key=lambda f: (f.next_due_at is None,
                                                 -(f.next_due_at.timestamp() if f.next_due_at else 0), -f.pk))
    assert [row["id"] for row in body["results"]] == [f.pk for f in expected]
    waiting = _waiting(chased)
    row = next(row for row in body["results"] if row["id"] == waiting.pk)
    invoice = waiting.invoices[0]
    assert row["target_name"] == waiting.target_name and row["sequence_name"] == "Unpaid invoices"
    assert row["open_amount"] == f"{invoice['residual']:.2f}" and row["currency"] == "EUR"
    assert row["last_action"] == str(waiting.last_action_id) and row["status"] == "active"
    assert row["invoices"][0]["name"] == invoice["name"]
    assert row["invoices"][0]["days_overdue"] == (timezone.now().astimezone(BRUSSELS).date()
                                                  - date.fromisoformat(invoice["due"])).days
    first = conforms(client, _get(client, LIST, page_size=2), LIST)
    assert [row["id"] for row in first["results"]] == [f.pk for f in expected][:2] and "page=2" in first["next"]


def test_the_list_filters_as_the_dashboard_does(client, viewer, org):
    soon = _made(org, "Dubois & Fils SA", due=datetime(2025, 3, 3, 8, tzinfo=dt_timezone.utc))
    later = _made(org, "Helios Solar BV", due=datetime(2025, 3, 20, 8, tzinfo=dt_timezone.utc))
    paused = _made(org, "Polder Foods BV", status=FollowUpStatus.PAUSED)
    client.force_login(viewer)

    def listed(**query) -> list[int]:
        return [row["id"] for row in conforms(client, _get(client, LIST, **query), LIST)["results"]]

    assert listed() == [later.pk, soon.pk, paused.pk]
    assert listed(status="paused") == [paused.pk]
    assert listed(q="HELIOS") == [later.pk]
    assert listed(partner=soon.partner_id) == [soon.pk]
    assert listed(due_before="2025-03-20") == [soon.pk]
    assert listed(due_before="2025-03-21", status="active") == [later.pk, soon.pk]


@pytest.mark.parametrize("query, said", [({"status": "sleeping"}, "status:"), ({"due_before": "soon"}, "due_before:"),
                                         ({"partner": "0"}, "partner:"), ({"page_size": "0"}, "page_size")])
def test_a_bad_filter_is_a_400_in_words(client, viewer, org, query, said):
    client.force_login(viewer)
    response = _get(client, LIST, **query)
    assert response.status_code == 400
    assert said in conforms(client, response, LIST)["detail"]


def test_one_follow_up_with_its_levels_history_and_promises(client, approver, chased):
    follow_up = FollowUp.objects.filter(organization=chased, target_model="res.partner", level__gte=2,
                                        last_action__status=ActionStatus.PENDING_APPROVAL).first()
    followup_services.promise(follow_up, approver, promised_date=date.today() + timedelta(days=5), amount=None)
    client.force_login(approver)
    body = conforms(client, _get(client, ONE.format(id=follow_up.pk)), ONE)
    states = [level["state"] for level in body["levels"]]
    assert states[:follow_up.level - 1] == ["passed"] * (follow_up.level - 1) and states[follow_up.level - 1] == "done"
    assert states[follow_up.level] == "next" and body["next_level"] == body["levels"][follow_up.level]["name"]
    assert body["levels"][1]["words"] == "3 days after the due date · email · friendly"
    kinds = [(event["kind"], event["user"]) for event in body["events"]]
    assert kinds == [(EventKind.PROMISE, "alice"), (EventKind.PROPOSED, None), (EventKind.STARTED, None)]
    [promise] = body["promises"]
    assert promise["amount"] is None and promise["status"] == "open" and promise["created_by"] == "alice"
    assert body["invoices"][0]["disputed"] is False


def test_sequences_with_their_levels_in_words(client, viewer, org):
    sequences = ensure_defaults(org)
    client.force_login(viewer)
    body = conforms(client, _get(client, "/api/sequences/"), "/api/sequences/")
    assert [row["name"] for row in body["results"]] == ["Stalled deals", "Unpaid invoices"] and body["count"] == 2
    invoices = sequences[SequenceKind.INVOICES]
    one = conforms(client, _get(client, f"/api/sequences/{invoices.pk}/"), "/api/sequences/{id}/")
    assert [level["words"] for level in one["levels"]][:2] == ["3 days before the due date · email · courtesy",
                                                               "3 days after the due date · email · friendly"]
    assert one["levels"][3]["channel"] == "sms" and one["is_default"] is True


def test_another_organisations_ids_are_not_found(client, outsider, org):
    theirs = _made(org, "Acme's customer")
    client.force_login(outsider)
    for path in (ONE.format(id=theirs.pk), f"/api/sequences/{theirs.sequence_id}/", f"/api/follow-ups/{2**40}/"):
        response = client.get(path)
        assert response.status_code == 404 and response.json()["detail"]
    conforms(client, client.get(ONE.format(id=theirs.pk)), ONE)
    before = _unchanged(theirs)
    body = _change(client, theirs, "stop", {"reason": "Not mine"}, status=404)
    assert body["detail"] == "No such follow-up in your organisation."
    assert _unchanged(theirs) == before
    assert conforms(client, _get(client, LIST), LIST)["count"] == 0


# --- changing --------------------------------------------------------------------------------

def test_pause_and_resume(client, approver, chased):
    follow_up = _waiting(chased)
    client.force_login(approver)
    until = date.today() + timedelta(days=9)
    body = _change(client, follow_up, "pause", {"until": until.isoformat(), "reason": "Customer on holiday"})
    assert body["status"] == "paused" and body["reason"] == "Paused by alice: Customer on holiday"
    assert datetime.fromisoformat(body["paused_until"]).astimezone(BRUSSELS).date() == until
    assert (body["events"][0]["kind"], body["events"][0]["user"]) == (EventKind.PAUSED, "alice")
    assert Action.objects.get(pk=follow_up.last_action_id).status == ActionStatus.CANCELLED
    body = _change(client, follow_up, "resume")
    assert body["status"] == "active" and body["paused_until"] is None
    assert (body["events"][0]["kind"], body["events"][0]["user"]) == (EventKind.RESUMED, "alice")
    assert _change(client, follow_up, "resume", status=409)["detail"] == "This follow-up is not paused."


def test_stop_ends_it_and_a_closed_one_is_a_conflict(client, admin_member, chased):
    follow_up = _waiting(chased)
    client.force_login(admin_member)
    body = _change(client, follow_up, "stop", {"reason": "Settled by phone"})
    assert body["status"] == "stopped" and body["next_due_at"] is None
    assert (body["events"][0]["kind"], body["events"][0]["user"]) == (EventKind.STOPPED, "ada")
    assert Action.objects.get(pk=follow_up.last_action_id).status == ActionStatus.CANCELLED
    follow_up.refresh_from_db()
    before = _unchanged(follow_up)
    for name, payload in (("pause", {"reason": "x"}), ("resume", {}), ("stop", {"reason": "x"}),
                          ("promise", {"promised_date": SOON}),
                          ("dispute", {"invoice_id": follow_up.invoices[0]["id"], "reason": "x"})):
        assert _change(client, follow_up, name, payload, status=409)["detail"] == "This follow-up is already stopped."
    assert _unchanged(follow_up) == before


def test_a_promise_to_pay(client, approver, chased):
    follow_up = _waiting(chased)
    client.force_login(approver)
    promised = date.today() + timedelta(days=6)
    body = _change(client, follow_up, "promise", {"promised_date": promised.isoformat(), "amount": "120.00"})
    [promise] = body["promises"]
    assert (promise["promised_date"], promise["amount"], promise["grace_days"]) == (promised.isoformat(), "120.00", 3)
    made = Promise.objects.get(follow_up=follow_up)
    assert made.created_by == approver and made.status == "open"
    assert body["events"][0]["kind"] == EventKind.PROMISE and body["events"][0]["user"] == "alice"
    assert Action.objects.get(pk=follow_up.last_action_id).status == ActionStatus.CANCELLED


def test_a_dispute(client, approver, chased):
    follow_up = _waiting(chased)
    invoice = follow_up.invoices[0]
    client.force_login(approver)
    body = _change(client, follow_up, "dispute", {"invoice_id": invoice["id"], "reason": "Wrong quantity"})
    assert body["invoices"][0]["disputed"] is True
    assert (body["events"][0]["kind"], body["events"][0]["user"]) == (EventKind.DISPUTE, "alice")
    hold = Hold.objects.get(organization=chased)
    assert (hold.invoice_id, hold.reason, hold.created_by) == (invoice["id"], "Wrong quantity", approver)
    assert Action.objects.get(pk=follow_up.last_action_id).status == ActionStatus.CANCELLED
    again = _change(client, follow_up, "dispute", {"invoice_id": invoice["id"], "reason": "Again"}, status=409)
    assert again["detail"] == "This invoice is already disputed." and Hold.objects.count() == 1


@pytest.mark.parametrize("name, payload, said", [
    ("promise", {"promised_date": "2020-01-01"}, "A promise to pay is for today or a later day."),
    ("promise", {"promised_date": SOON, "amount": "-1"}, "The amount must be more than zero"),
    ("promise", {"promised_date": SOON, "grace_days": 31}, "grace_days:"),
    ("promise", {}, "promised_date:"),
    ("promise", {"promised_date": "9999-12-31"}, "A promise to pay is for a day within the next year."),
    ("pause", {"reason": ""}, "Say why, in at most 300 characters."),
    ("pause", {"reason": "Holiday", "until": "2020-01-01"}, "A pause ends on a day after today"),
    ("stop", {}, "Say why, in at most 300 characters."),
    ("stop", {"reason": "x" * 301}, "Say why, in at most 300 characters."),
    ("dispute", {"invoice_id": 999999, "reason": "Wrong"}, "This follow-up does not chase invoice #999999"),
    ("dispute", {"invoice_id": "first", "reason": "Wrong"}, "invoice_id:"),
])
def test_bad_input_is_a_400_in_words_and_changes_nothing(client, approver, chased, name, payload, said):
    follow_up = _waiting(chased)
    before = _unchanged(follow_up)
    client.force_login(approver)
    assert said in _change(client, follow_up, name, payload, status=400)["detail"]
    assert _unchanged(follow_up) == before


@pytest.mark.parametrize("name", ["pause", "stop", "promise", "dispute"])
@pytest.mark.parametrize("body", ["{not json", "null", "[]", '"text"', "42",
                                  '{"reason": ["x"], "until": 5, "promised_date": {"a": 1}, "invoice_id": null, '
                                  '"amount": "lots", "grace_days": "many"}',
                                  '{"reason": "  ", "until": "0001-01-01", "promised_date": "2100-01-01", '
                                  '"amount": "NaN", "invoice_id": 99999999999}'])
def test_a_malformed_or_mistyped_body_is_a_400_in_words(client, approver, chased, name, body):
    follow_up = _waiting(chased)
    before = _unchanged(follow_up)
    client.force_login(approver)
    path = f"/api/follow-ups/{{id}}/{name}/"
    response = client.post(path.format(id=follow_up.pk), body, content_type="application/json")
    assert response.status_code == 400
    assert conforms(client, response, path, "post")["detail"]
    assert _unchanged(follow_up) == before


def test_a_body_that_is_not_json_is_refused(client, approver, org):
    follow_up = _made(org, "Kinetic Labs GmbH")
    client.force_login(approver)
    response = client.post(f"/api/follow-ups/{follow_up.pk}/stop/", "reason=x", content_type="text/plain")
    assert response.status_code == 415
    conforms(client, response, "/api/follow-ups/{id}/stop/", "post")
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.ACTIVE


def test_viewers_and_read_tokens_may_not_change_anything(client, viewer, approver, chased):
    follow_up = _waiting(chased)
    before = _unchanged(follow_up)
    _, secret = api_tokens.create_token(approver, name="read", scope="read", expires_in_days=None)
    read_token = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    client.force_login(viewer)
    for caller in (client, read_token):
        for name, payload in (("pause", {"reason": "x"}), ("resume", {}), ("stop", {}),
                              ("promise", {"promised_date": SOON}),
                              ("dispute", {"invoice_id": follow_up.invoices[0]["id"], "reason": "x"})):
            assert _change(caller, follow_up, name, payload, status=403)["detail"]
    assert conforms(read_token, _get(read_token, ONE.format(id=follow_up.pk)), ONE)["id"] == follow_up.pk
    assert _unchanged(follow_up) == before
