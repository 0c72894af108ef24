import pytest
from django.urls import reverse


def test_healthz_reports_database(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_dashboard_requires_login(client, db):
    response = client.get(reverse("dashboard:overview"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_login_page_renders_with_csrf(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert b"csrfmiddlewaretoken" in response.content


def test_member_sees_their_organisation(client, approver, org):
    client.force_login(approver)
    response = client.get(reverse("dashboard:overview"))
    assert response.status_code == 200
    assert org.name.encode() in response.content
    assert b"Pending approvals" in response.content


@pytest.mark.django_db
def test_user_without_membership_sees_explanation(client, django_user_model):
    user = django_user_model.objects.create_user("lonely", password="x")
    client.force_login(user)
    response = client.get(reverse("dashboard:overview"))
    assert b"not a member of any organisation" in response.content
