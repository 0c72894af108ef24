import pytest
from django.http import Http404
from django.test import RequestFactory
from django.urls import reverse

from aiom import tenancy
from aiom.models import Membership, Organization, Role


def _request(user, session=None):
    request = RequestFactory().get("/")
    request.user = user
    request.session = session if session is not None else {}
    return request


def test_scope_keeps_only_the_current_organisation(approver, outsider, org, other_org):
    assert list(tenancy.scope(Organization.objects.all(), _request(approver), field="id")) == [org]
    assert list(tenancy.scope(Organization.objects.all(), _request(outsider), field="id")) == [other_org]


def test_scoped_lookup_of_another_organisations_row_is_404(approver, other_org):
    with pytest.raises(Http404):
        tenancy.get_scoped_or_404(Organization.objects.all(), _request(approver), field="id", pk=other_org.pk)


def test_user_without_membership_sees_nothing(django_user_model, org):
    user = django_user_model.objects.create_user("nobody")
    assert not tenancy.scope(Organization.objects.all(), _request(user), field="id").exists()


def test_session_choice_selects_among_own_memberships(approver, org, other_org):
    Membership.objects.create(user=approver, organization=other_org, role=Role.VIEWER)
    chosen = tenancy.membership_for(_request(approver, {tenancy.SESSION_KEY: other_org.pk}))
    assert chosen.organization == other_org and chosen.role == Role.VIEWER


def test_session_cannot_select_a_foreign_organisation(approver, org, other_org):
    chosen = tenancy.membership_for(_request(approver, {tenancy.SESSION_KEY: other_org.pk}))
    assert chosen.organization == org


def test_switching_organisation_requires_membership(client, approver, org, other_org):
    client.force_login(approver)
    client.post(reverse("dashboard:switch-organization"), {"slug": other_org.slug})
    assert client.session.get(tenancy.SESSION_KEY) is None
    Membership.objects.create(user=approver, organization=other_org, role=Role.VIEWER)
    client.post(reverse("dashboard:switch-organization"), {"slug": other_org.slug})
    assert client.session[tenancy.SESSION_KEY] == other_org.pk


def test_switching_never_redirects_off_site(client, approver):
    client.force_login(approver)
    response = client.post(reverse("dashboard:switch-organization"), {"slug": "acme", "next": "https://evil.example/"})
    assert response["Location"] == reverse("dashboard:overview")


def test_switching_refuses_get(client, approver):
    client.force_login(approver)
    assert client.get(reverse("dashboard:switch-organization")).status_code == 405
