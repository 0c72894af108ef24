"""The autonomy page: admins see and decide suggestions, grants and demotions; nobody else can."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from actions import services
from actions.models import GuardrailPolicy
from actions.policy import autonomy
from actions.policy.models import AutonomyStatus, AutonomyTrack
from aiom.models import Membership, Role
from audit.models import ActionEvent, EventType

STREAK = 5


@pytest.fixture
def suggested(org, make_action, approver):
    GuardrailPolicy.objects.filter(organization=org).update(autonomy_streak=STREAK, allow_external_auto_execute=True)
    for _ in range(STREAK):
        services.approve(make_action("send_invoice_reminder", estimated_impact=None,
                                     metadata={"wording": "friendly"}), approver)
    return AutonomyTrack.objects.get(organization=org)


def _post(client, name, track):
    return client.post(reverse(f"dashboard:{name}", args=[track.pk]))


def test_an_admin_sees_the_suggestion_in_plain_words_and_a_badge(client, admin_member, suggested):
    client.force_login(admin_member)
    page = client.get(reverse("dashboard:autonomy")).content.decode()
    assert "Friendly invoice reminder emails (medium risk)</strong>: 5 approvals in a row without a change." in page
    assert reverse("dashboard:autonomy-accept", args=[suggested.pk]) in page
    assert reverse("dashboard:autonomy-decline", args=[suggested.pk]) in page
    assert 'aria-label="1 suggestion waiting"' in page
    overview = client.get(reverse("dashboard:overview")).content.decode()
    assert "AIOM suggests letting one kind of action" in overview


def test_accept_shows_the_end_date_and_stop_goes_back_to_approval(client, admin_member, suggested):
    client.force_login(admin_member)
    assert _post(client, "autonomy-accept", suggested).status_code == 302
    suggested.refresh_from_db()
    assert suggested.status == AutonomyStatus.ACTIVE
    page = client.get(reverse("dashboard:autonomy")).content.decode()
    until = autonomy.page_for(suggested.organization)["active"][0]["until"]
    assert f"until {until}" in page and "now run automatically" in page
    assert 'aria-label="1 suggestion waiting"' not in page

    _post(client, "autonomy-stop", suggested)
    page = client.get(reverse("dashboard:autonomy")).content.decode()
    assert "Back to approval: stopped by ada." in page
    assert ActionEvent.objects.filter(organization=suggested.organization, event_type=EventType.POLICY_CHANGED,
                                      data__autonomy="Back to approval: stopped by ada.").exists()


def test_decline_keeps_the_kind_under_approval(client, admin_member, suggested):
    client.force_login(admin_member)
    _post(client, "autonomy-decline", suggested)
    suggested.refresh_from_db()
    assert suggested.status == AutonomyStatus.DECLINED
    assert "declined running" in client.get(reverse("dashboard:autonomy")).content.decode()


@pytest.mark.parametrize("who", ["approver", "viewer"])
def test_others_than_admins_get_403_and_no_link(client, request, suggested, who):
    user = request.getfixturevalue(who)
    client.force_login(user)
    assert client.get(reverse("dashboard:autonomy")).status_code == 403
    assert _post(client, "autonomy-accept", suggested).status_code == 403
    assert reverse("dashboard:autonomy") not in client.get(reverse("dashboard:overview")).content.decode()
    suggested.refresh_from_db()
    assert suggested.status == AutonomyStatus.SUGGESTED


def test_another_organisations_track_is_not_found(client, other_org, suggested, outsider):
    Membership.objects.filter(user=outsider).update(role=Role.ADMIN)
    client.force_login(outsider)
    for name in ("autonomy-accept", "autonomy-decline", "autonomy-stop"):
        assert _post(client, name, suggested).status_code == 404
    suggested.refresh_from_db()
    assert suggested.status == AutonomyStatus.SUGGESTED


def test_decisions_need_the_csrf_token(admin_member, suggested):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(admin_member)
    assert _post(browser, "autonomy-accept", suggested).status_code == 403
    suggested.refresh_from_db()
    assert suggested.status == AutonomyStatus.SUGGESTED
    assert browser.get(reverse("dashboard:autonomy-accept", args=[suggested.pk])).status_code == 405


def _table_after(page: str, marker: str) -> str:
    return re.search(r"<table[^>]*>.*?</table>", page[page.index(marker):], re.S).group(0)


def test_the_tables_stack_on_a_phone(client, org, admin_member, suggested):
    """Each cell says which column it belongs to (shown beside it on a narrow screen)."""
    autonomy.accept(suggested, admin_member)
    AutonomyTrack.objects.create(organization=org, action_type="create_staff_task", risk_level="medium",
                                 status=AutonomyStatus.DEMOTED, last_change="Back to approval: stopped by ada.")
    client.force_login(admin_member)
    page = client.get(reverse("dashboard:autonomy")).content.decode()
    for marker, labels in (("Running without approval", ["What", "Until", "Accepted by", "Stop"]),
                           ("Back to approval</h2>", ["What", "Why", "When"])):
        table = _table_after(page, marker)
        assert re.match(r'<table class="[^"]*\bstack\b', table)
        cells = re.findall(r"<td([^>]*)>", table)
        assert [re.search(r'data-label="([^"]+)"', cell).group(1) for cell in cells] == labels
