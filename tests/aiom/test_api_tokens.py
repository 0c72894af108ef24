"""Per-person API tokens: shown once, stored as a digest, scoped, revocable, expiring, throttled."""

import hashlib
import json
from datetime import timedelta

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from actions import services
from actions.models import Action, ActionStatus
from actions.types import ActionType
from aiom import api_tokens
from aiom.errors import ApplicationError
from aiom.models import ApiToken, Membership, Role

from tests.actions.protocols import protocol_for


def _api(token: str, **headers) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}", **headers)


def _approve(client, action):
    return client.post(reverse("api-approve", args=[action.pk]),
                       json.dumps({"protocol_hash": action.protocol_hash}), content_type="application/json")


@pytest.fixture
def pending(org):
    return services.propose(org, protocol_for(ActionType.SEND_INVOICE_REMINDER), source="analyzer")


def test_the_dashboard_shows_a_new_token_once_and_keeps_only_its_digest(client, approver):
    client.force_login(approver)
    page = client.post(reverse("dashboard:api-tokens"), {"name": "month-end script", "scope": "decide",
                                                          "expires_in_days": "30"})
    assert page.status_code == 200
    secret = page.context["created"]
    assert secret.startswith("aiom_") and secret in page.content.decode()
    assert "no-store" in page["Cache-Control"]
    token = ApiToken.objects.get(user=approver)
    assert token.name == "month-end script" and token.scope == "decide"
    assert token.digest == hashlib.sha512(secret.encode()).hexdigest()
    assert not ApiToken.objects.filter(digest__contains=secret[5:]).exists()
    assert 29 <= (token.expiry - timezone.now()).days <= 30
    again = client.get(reverse("dashboard:api-tokens")).content.decode()
    assert secret not in again and "month-end script" in again and token.token_key in again


def test_a_token_reads_as_its_owner_in_the_owners_organisation(approver, pending, other_org):
    services.propose(other_org, protocol_for(ActionType.NOTE_ON_RECORD), source="analyzer")
    _, secret = api_tokens.create_token(approver, name="reader", scope="read", expires_in_days=None)
    body = _api(secret).get(reverse("api-actions")).json()
    assert [row["id"] for row in body["results"]] == [str(pending.pk)]
    token = ApiToken.objects.get(user=approver)
    assert token.last_used_at is not None and token.last_used_ip == "127.0.0.1"


def test_a_read_token_cannot_decide_and_a_decide_token_can(approver, pending):
    _, reader = api_tokens.create_token(approver, name="reader", scope="read", expires_in_days=None)
    refused = _approve(_api(reader), pending)
    assert refused.status_code == 403 and "may only read" in refused.json()["detail"]
    assert Action.objects.get(pk=pending.pk).status == ActionStatus.PENDING_APPROVAL
    _, decider = api_tokens.create_token(approver, name="decider", scope="decide", expires_in_days=None)
    assert _approve(_api(decider), pending).status_code == 200
    assert Action.objects.get(pk=pending.pk).status == ActionStatus.APPROVED


def test_a_decide_token_never_gives_more_than_the_owners_role(viewer, pending):
    _, secret = api_tokens.create_token(viewer, name="viewer's", scope="decide", expires_in_days=None)
    assert _approve(_api(secret), pending).status_code == 403
    assert Action.objects.get(pk=pending.pk).status == ActionStatus.PENDING_APPROVAL


def test_revoked_expired_and_forged_tokens_get_401_with_a_reason(client, approver):
    token, secret = api_tokens.create_token(approver, name="old", scope="read", expires_in_days=30)
    client.force_login(approver)
    client.post(reverse("dashboard:api-token-revoke", args=[token.pk]))
    revoked = _api(secret).get(reverse("api-actions"))
    assert revoked.status_code == 401 and "revoked" in revoked.json()["detail"]
    assert revoked["WWW-Authenticate"] == "Bearer"

    token, secret = api_tokens.create_token(approver, name="short", scope="read", expires_in_days=30)
    ApiToken.objects.filter(pk=token.pk).update(expiry=timezone.now() - timedelta(seconds=1))
    expired = _api(secret).get(reverse("api-actions"))
    assert expired.status_code == 401 and "expired" in expired.json()["detail"]
    assert ApiToken.objects.filter(pk=token.pk).exists(), "a refused token stays listed"

    forged = secret[:-4] + ("0000" if not secret.endswith("0000") else "1111")
    assert _api(forged).get(reverse("api-actions")).status_code == 401
    assert _api("").get(reverse("api-actions")).status_code == 401
    assert Client(HTTP_AUTHORIZATION="Bearer a b").get(reverse("api-actions")).status_code == 401
    assert Client(HTTP_AUTHORIZATION="Bearer \u00e9\u00e9").get(reverse("api-actions")).status_code == 401


def test_no_credentials_is_401_not_a_page(db):
    response = Client().get(reverse("api-actions"))
    assert response.status_code == 401 and response.json()["detail"]


def test_a_disabled_account_token_stops_working(approver):
    _, secret = api_tokens.create_token(approver, name="x", scope="read", expires_in_days=None)
    approver.is_active = False
    approver.save()
    assert _api(secret).get(reverse("api-actions")).status_code == 401


def test_one_cannot_revoke_another_persons_token(client, approver, outsider):
    token, secret = api_tokens.create_token(approver, name="mine", scope="read", expires_in_days=None)
    client.force_login(outsider)
    response = client.post(reverse("dashboard:api-token-revoke", args=[token.pk]), follow=True)
    assert "No such token" in response.content.decode()
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None
    assert _api(secret).get(reverse("api-actions")).status_code == 200


def test_bad_token_requests_are_refused_with_reasons(approver):
    with pytest.raises(ApplicationError, match="name"):
        api_tokens.create_token(approver, name="   ", scope="read", expires_in_days=None)
    with pytest.raises(ApplicationError, match="read only"):
        api_tokens.create_token(approver, name="x", scope="admin", expires_in_days=None)
    with pytest.raises(ApplicationError, match="expiry"):
        api_tokens.create_token(approver, name="x", scope="read", expires_in_days=7)
    assert not ApiToken.objects.exists()


def test_the_token_page_needs_csrf_and_a_login(approver):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(approver)
    assert browser.post(reverse("dashboard:api-tokens"), {"name": "x", "scope": "read", "expires_in_days": ""}).status_code == 403
    assert not ApiToken.objects.exists()
    assert Client().get(reverse("dashboard:api-tokens")).status_code == 302


def test_x_aiom_org_picks_among_the_users_organisations(approver, pending, other_org):
    Membership.objects.create(user=approver, organization=other_org, role=Role.VIEWER)
    other = services.propose(other_org, protocol_for(ActionType.NOTE_ON_RECORD), source="analyzer")
    _, secret = api_tokens.create_token(approver, name="both", scope="decide", expires_in_days=None)
    acme = _api(secret, HTTP_X_AIOM_ORG="acme").get(reverse("api-actions")).json()
    globex = _api(secret, HTTP_X_AIOM_ORG=str(other_org.pk)).get(reverse("api-actions")).json()
    assert [row["id"] for row in acme["results"]] == [str(pending.pk)]
    assert [row["id"] for row in globex["results"]] == [str(other.pk)]
    # The role is the one held in the organisation named: a viewer there cannot approve.
    assert _approve(_api(secret, HTTP_X_AIOM_ORG="globex"), other).status_code == 403
    # Another organisation's id through the wrong header is not found, not forbidden.
    assert _api(secret, HTTP_X_AIOM_ORG="acme").get(reverse("api-action", args=[other.pk])).status_code == 404
    assert _api(secret, HTTP_X_AIOM_ORG="initech").get(reverse("api-actions")).status_code == 404


@override_settings(REST_FRAMEWORK={**__import__("django.conf").conf.settings.REST_FRAMEWORK,
                                   "DEFAULT_THROTTLE_RATES": {"write": "3/min", "auth": "3/min"}})
def test_failed_tokens_and_writes_are_throttled(approver, pending):
    from django.core.cache import cache
    cache.clear()
    for _ in range(3):
        assert _api("aiom_guess" + "0" * 60).get(reverse("api-actions")).status_code == 401
    _, secret = api_tokens.create_token(approver, name="x", scope="decide", expires_in_days=None)
    blocked = _api(secret).get(reverse("api-actions"))
    assert blocked.status_code == 429 and "Too many failed attempts" in blocked.json()["detail"]
    cache.clear()
    client = _api(secret)
    answers = [client.post(reverse("api-cancel", args=[pending.pk]), json.dumps({"reason": "x"}),
                           content_type="application/json").status_code for _ in range(4)]
    assert answers[-1] == 429 and 429 not in answers[:3]
    assert client.get(reverse("api-actions")).status_code == 200, "reads are not counted"
    cache.clear()
