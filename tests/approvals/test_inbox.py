"""In-app notices: an approver hears how the actions they approved ended, sees an unread count
in the navigation, and marks notices read (POST only); nobody sees anyone else's."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actions import inbox, lifecycle, notifications, services
from actions.models import ActionStatus, Notice
from actions.types import ActionType

HOSTILE = "Remind <script>alert('x')</script> & Sons"


def _end(action, status):
    lifecycle.transition(action, ActionStatus.EXECUTING)
    notifications.notify_result(lifecycle.transition(action, status, reason="It ended",
                                                     error="SMTP server answered 554 rejected"))


def _approved(action, *users):
    for user in users:
        action = services.approve(action, user)
    action.refresh_from_db()
    return action


def _notices(user):
    return [(notice.level, notice.text) for notice in Notice.objects.filter(user=user).order_by("pk")]


@pytest.mark.parametrize(("status", "level", "text"), [
    (ActionStatus.EXECUTED, "success", "Executed: {title}"),
    (ActionStatus.FAILED, "error", "Failed: {title}. SMTP server answered 554 rejected"),
    (ActionStatus.OUTCOME_UNKNOWN, "warning", "Outcome unknown: {title}. Check whether it went out, then resolve it."),
])
def test_the_approver_gets_a_notice_when_the_action_ends(pending, approver, second_approver, status, level, text):
    _end(_approved(pending, approver), status)
    assert _notices(approver) == [(level, text.format(title=pending.title))]
    assert _notices(second_approver) == []  # did not approve it


def test_both_approvers_of_a_critical_action_hear_of_it(propose, approver, second_approver):
    action = _approved(propose(risk_level="critical"), approver, second_approver)
    _end(action, ActionStatus.EXECUTED)
    assert len(_notices(approver)) == len(_notices(second_approver)) == 1


def test_a_rejected_action_posts_no_notice(pending, approver, second_approver):
    services.reject(pending, second_approver, reason="No")
    pending.refresh_from_db()
    notifications.notify_result(pending)
    assert not Notice.objects.exists()


@pytest.fixture
def browser(approver):
    client = Client(enforce_csrf_checks=True)
    client.force_login(approver)
    return client


def _notice(user, organization, action, text="Executed: Remind customer"):
    return Notice.objects.create(user=user, organization=organization, action=action, level="success", text=text)


def test_the_list_shows_my_notices_escaped_and_the_unread_count(browser, approver, pending, org):
    _end(_approved(pending, approver), ActionStatus.EXECUTED)
    _notice(approver, org, pending, text=HOSTILE)

    page = browser.get(reverse("dashboard:notices"))
    html = page.content.decode()
    assert page.status_code == 200 and page.context["nav_unread_notices"] == 2
    assert f"Executed: {pending.title}" in html
    assert "<script>alert" not in html and "Remind &lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; Sons" in html
    assert f'href="{reverse("dashboard:action", args=[pending.pk])}"' in html


def test_counting_and_listing_notices_take_the_same_queries_for_1_or_40(browser, approver, org, pending,
                                                                          django_assert_num_queries):
    def queries_for_page():
        with CaptureQueriesContext(connection) as captured:
            assert browser.get(reverse("dashboard:notices")).status_code == 200
        return len(captured)

    _notice(approver, org, pending)
    few = queries_for_page()
    Notice.objects.bulk_create([Notice(user=approver, organization=org, action=pending, level="error", text=f"n{n}")
                                for n in range(39)])
    assert queries_for_page() == few
    with django_assert_num_queries(1):
        assert inbox.unread_count(approver, org) == 40


def test_nobody_sees_another_persons_or_organisations_notices(browser, approver, second_approver, outsider, org,
                                                             other_org, pending, propose):
    theirs = _notice(second_approver, org, pending, text="Bob's notice")
    elsewhere = _notice(outsider, other_org, propose(organization=other_org), text="Globex notice")
    mine_elsewhere = _notice(approver, other_org, elsewhere.action, text="Alice at Globex")

    html = browser.get(reverse("dashboard:notices")).content.decode()
    assert "Bob's notice" not in html and "Globex notice" not in html and "Alice at Globex" not in html
    assert "No notices yet." in html

    for notice in (theirs, elsewhere, mine_elsewhere):
        token = _csrf_token(browser)
        assert browser.post(reverse("dashboard:notice-read", args=[notice.pk]),
                            {"csrfmiddlewaretoken": token}).status_code == 404
    assert not Notice.objects.filter(read_at__isnull=False).exists()


def _csrf_token(client) -> str:
    client.get(reverse("dashboard:notices"))
    return client.cookies["csrftoken"].value


def test_marking_read_needs_a_post_with_the_csrf_token(browser, approver, org, pending):
    notice = _notice(approver, org, pending)
    url = reverse("dashboard:notice-read", args=[notice.pk])
    assert browser.get(url).status_code == 405
    assert browser.post(url).status_code == 403
    notice.refresh_from_db()
    assert notice.read_at is None

    page = browser.get(reverse("dashboard:notices")).content.decode()
    form = re.search(rf'<form method="post" action="{url}"><input type="hidden" name="csrfmiddlewaretoken" '
                     r'value="([^"]+)">', page)
    assert form, page
    response = browser.post(url, {"csrfmiddlewaretoken": form.group(1)})
    assert response.status_code == 302 and response.url == reverse("dashboard:notices")
    notice.refresh_from_db()
    assert notice.read_at is not None
    assert browser.get(reverse("dashboard:notices")).context["nav_unread_notices"] == 0


def test_mark_all_read_marks_only_mine_here(browser, approver, second_approver, org, pending):
    mine = [_notice(approver, org, pending) for _ in range(3)]
    theirs = _notice(second_approver, org, pending)
    response = browser.post(reverse("dashboard:notices-read"), {"csrfmiddlewaretoken": _csrf_token(browser)})
    assert response.status_code == 302
    assert Notice.objects.filter(pk__in=[n.pk for n in mine], read_at__isnull=True).count() == 0
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_the_notices_page_needs_a_login(pending):
    response = Client().get(reverse("dashboard:notices"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_other_pages_show_the_unread_count_too(client, approver, org, propose):
    action = propose(ActionType.NOTE_ON_RECORD)
    _notice(approver, org, action)
    client.force_login(approver)
    assert client.get(reverse("dashboard:history")).context["nav_unread_notices"] == 1
