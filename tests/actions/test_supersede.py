"""A pending action replaced by a newer proposal becomes superseded: it can no longer be decided,
it links to its successor, and it is never shown or counted as a rejection (nor is an expiry)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from actions import lifecycle, services
from actions.models import ActionStatus
from actions.selectors import status_counts
from audit.models import ActionEvent, EventType


@pytest.fixture
def old_and_new(make_action):
    return make_action(title="Friendly reminder for INV/1"), make_action(title="Firm reminder for INV/1")


def test_superseding_links_the_successor_and_is_audited(old_and_new):
    old, new = old_and_new

    services.supersede(old, by=new)

    old.refresh_from_db()
    assert old.status == ActionStatus.SUPERSEDED
    assert old.superseded_by == new and list(new.supersedes.all()) == [old]
    event = ActionEvent.objects.get(action_id=old.pk, event_type=EventType.SUPERSEDED)
    assert event.data["superseded_by"] == str(new.pk) and event.data["from"] == ActionStatus.PENDING_APPROVAL


def test_a_superseded_action_can_no_longer_be_decided(old_and_new, approver):
    old, new = old_and_new
    services.supersede(old, by=new)

    with pytest.raises(lifecycle.StaleTransition, match="superseded by a newer proposal"):
        services.approve(old, approver, protocol_hash=old.protocol_hash)
    assert not old.approvals.exists()


def test_only_a_pending_action_can_be_superseded(old_and_new, approver):
    old, new = old_and_new
    services.reject(old, approver, reason="Not now")
    old.refresh_from_db()

    with pytest.raises(lifecycle.InvalidTransition):
        services.supersede(old, by=new)
    old.refresh_from_db()
    assert old.status == ActionStatus.REJECTED and old.superseded_by is None


def test_an_action_cannot_supersede_itself(make_action):
    action = make_action()
    with pytest.raises(Exception, match="another action"):
        services.supersede(action, by=action)
    action.refresh_from_db()
    assert action.status == ActionStatus.PENDING_APPROVAL


def test_the_detail_page_says_superseded_by_with_a_link(client, approver, old_and_new):
    old, new = old_and_new
    services.supersede(old, by=new)
    client.force_login(approver)

    page = client.get(reverse("dashboard:action", args=[old.pk])).content.decode()

    assert "Superseded by a newer proposal" in page
    assert f'Superseded by <a href="{reverse("dashboard:action", args=[new.pk])}">Firm reminder for INV/1</a>' in page


def test_expiry_and_supersession_are_neither_shown_nor_counted_as_rejections(client, approver, make_action, org):
    rejected, expired, old, new = (make_action(title=title) for title in ("Rejected one", "Expired one",
                                                                             "Superseded one", "Successor"))
    services.reject(rejected, approver, reason="Wrong customer")
    type(expired).objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert services.expire_due() == 1
    services.supersede(old, by=new)

    counts = status_counts(organization=org)
    assert (counts[ActionStatus.REJECTED], counts[ActionStatus.EXPIRED], counts[ActionStatus.SUPERSEDED]) == (1, 1, 1)

    client.force_login(approver)
    history = reverse("dashboard:history")
    only_rejected = client.get(history, {"status": "rejected"}).content.decode()
    assert "Rejected one" in only_rejected
    assert "Expired one" not in only_rejected and "Superseded one" not in only_rejected
    superseded = client.get(history, {"status": "superseded"}).content.decode()
    assert "Superseded one" in superseded and "Rejected one" not in superseded
    everything = client.get(history).content.decode()
    shown = [status for status in ActionStatus if f'status-{status.value}">{status.label}<' in everything]
    assert shown == [ActionStatus.REJECTED, ActionStatus.EXPIRED, ActionStatus.SUPERSEDED]
    assert everything.count(f'status-{ActionStatus.REJECTED.value}"') == 1
