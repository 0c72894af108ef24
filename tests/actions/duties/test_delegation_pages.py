"""The "Away" page: a person who decides says who stands in for them and when, an admin does it
for anyone; viewers and other organisations get nothing; every form carries its CSRF token."""

from datetime import date, datetime, timezone as dt_timezone

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from actions.policy import delegation
from actions.policy.models import Delegation
from aiom.models import Role

from .people import member, with_groups

NOW = datetime(2026, 12, 4, 9, 0, tzinfo=dt_timezone.utc)
PAGE = "/dashboard/delegations/"


@pytest.fixture(autouse=True)
def _on_4_december():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def ada(org):
    return member(org, "Ada", "King", role=Role.ADMIN)


def logged_in(user, **options) -> Client:
    client = Client(**options)
    client.force_login(user)
    return client


def away_form(delegate, first="2026-12-07", last="2026-12-11", **more) -> dict:
    return {"delegate": delegate.pk, "starts_on": first, "ends_on": last, "reason": "Holiday", **more}


def test_a_person_says_who_stands_in_for_them(dana, lee):
    client = logged_in(dana)
    page = client.get(PAGE).content.decode()
    assert "Who stands in" in page and "Who is away" not in page and "Lee Chan" in page
    response = client.post(PAGE, away_form(lee), follow=True)
    made = Delegation.objects.get()
    assert (made.delegator, made.delegate, made.starts_on, made.ends_on) == (dana, lee, date(2026, 12, 7),
                                                                             date(2026, 12, 11))
    page = response.content.decode()
    assert "Lee Chan stands in for Dana Smith on 7–11 Dec." in page
    assert "Coming up" in page and "Holiday" in page and 'class="danger">Cancel<' in page


def test_a_person_cannot_set_it_for_someone_else(dana, lee, approver):
    logged_in(dana).post(PAGE, away_form(lee, delegator=approver.pk))
    assert list(Delegation.objects.values_list("delegator", flat=True)) == [dana.pk]


def test_an_admin_sets_it_for_anyone(ada, dana, lee):
    client = logged_in(ada)
    assert "Who is away" in client.get(PAGE).content.decode()
    client.post(PAGE, away_form(lee, delegator=dana.pk, first="2026-12-04"))
    made = Delegation.objects.get()
    assert (made.delegator, made.delegate, made.created_by) == (dana, lee, ada)
    assert "Dana Smith" in client.get(PAGE).content.decode()


def test_mistakes_are_explained_on_the_form(dana, lee):
    client = logged_in(dana)
    response = client.post(PAGE, away_form(lee, first="2026-12-01"))
    assert response.status_code == 400 and "The first day cannot be in the past." in response.content.decode()
    client.post(PAGE, away_form(lee))
    response = client.post(PAGE, away_form(lee, first="2026-12-10", last="2026-12-12"))
    assert response.status_code == 400
    assert "Lee Chan already stands in for Dana Smith on 7–11 Dec" in response.content.decode()
    assert Delegation.objects.count() == 1


def test_viewers_get_no_page(viewer, lee):
    client = logged_in(viewer)
    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE, away_form(lee)).status_code == 403
    assert not Delegation.objects.exists()
    assert reverse("dashboard:delegations") not in client.get(reverse("dashboard:overview")).content.decode()


def test_the_menu_links_to_it_for_people_who_decide(dana):
    assert f'href="{PAGE}"' in logged_in(dana).get(reverse("dashboard:overview")).content.decode()


def test_another_organisations_member_sees_and_touches_nothing(org, dana, lee, outsider, ada):
    made = delegation.delegate(org, delegator=dana, delegate=lee, starts_on=date(2026, 12, 4),
                               ends_on=date(2026, 12, 6), actor=dana)
    client = logged_in(outsider)
    assert "Dana Smith" not in client.get(PAGE).content.decode()
    assert client.post(reverse("dashboard:delegation-revoke", args=[made.pk])).status_code == 404
    made.refresh_from_db()
    assert made.revoked_at is None
    # Nor can an admin here name them as a stand-in.
    response = logged_in(ada).post(PAGE, away_form(outsider, delegator=lee.pk))
    assert response.status_code == 400 and not Delegation.objects.filter(delegate=outsider).exists()


def test_revoking_from_the_page(org, dana, lee, approver):
    made = delegation.delegate(org, delegator=dana, delegate=lee, starts_on=date(2026, 12, 4),
                               ends_on=date(2026, 12, 6), actor=dana)
    url = reverse("dashboard:delegation-revoke", args=[made.pk])
    assert logged_in(approver).post(url).status_code == 403  # not one of the people it names
    page = logged_in(dana).get(PAGE).content.decode()
    assert "Now" in page and 'class="danger">End now<' in page
    response = logged_in(dana).post(url, follow=True)
    assert "Revoked: Dana Smith → Lee Chan, 4–6 Dec." in response.content.decode()
    made.refresh_from_db()
    assert made.revoked_at is not None


def test_forms_need_their_csrf_token(org, dana, lee):
    made = delegation.delegate(org, delegator=dana, delegate=lee, starts_on=date(2026, 12, 4),
                               ends_on=date(2026, 12, 6), actor=dana)
    client = logged_in(dana, enforce_csrf_checks=True)
    assert client.post(PAGE, away_form(lee, first="2026-12-08", last="2026-12-09")).status_code == 403
    assert client.post(reverse("dashboard:delegation-revoke", args=[made.pk])).status_code == 403
    assert Delegation.objects.filter(revoked_at__isnull=True).count() == 1
    assert 'name="csrfmiddlewaretoken"' in client.get(PAGE).content.decode()


def test_the_approval_card_says_who_stands_in(org, make_action, dana, lee, approver):
    delegation.delegate(org, delegator=dana, delegate=lee, starts_on=date(2026, 12, 4), ends_on=date(2026, 12, 10),
                        actor=dana)
    action = with_groups(make_action(), {"kind": "users", "users": [dana.pk]})
    client = logged_in(approver)
    page = client.get(reverse("dashboard:approvals")).content.decode()
    assert "Lee Chan stands in for Dana Smith until 10 Dec." in page
    assert "Still needs Dana Smith&#x27;s approval (or whoever stands in for them)." in page
    detail = client.get(reverse("dashboard:action", args=[action.pk])).content.decode()
    assert "Lee Chan stands in for Dana Smith until 10 Dec." in detail
