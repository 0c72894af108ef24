"""Approvals and rejections: only the right people, on the version they saw, while it is still open."""

from datetime import timedelta

import pytest
from django.utils import timezone

from actions import lifecycle
from actions.models import Action, ActionStatus, Approval
from actions.services import ActionExpired, approve, cancel, expire_due, reject
from aiom.errors import ApplicationError, Conflict, NotAllowed
from aiom.models import Membership, Role
from audit.models import ActionEvent
from audit.services import verify_chain


def events(action) -> list[ActionEvent]:
    return list(ActionEvent.objects.filter(action_id=action.pk).order_by("seq"))


def unchanged(action) -> tuple:
    """What a refused decision must leave as it was."""
    stored = Action.objects.get(pk=action.pk)
    return stored.status, stored.decided_at, Approval.objects.filter(action=stored).count(), len(events(stored))


def past_expiry(action) -> Action:
    Action.objects.filter(pk=action.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    return Action.objects.get(pk=action.pk)


@pytest.mark.parametrize("member", ["approver", "admin_member"])
def test_approver_or_admin_approves(make_action, member, request):
    user = request.getfixturevalue(member)
    action = approve(make_action(), user, comment="Go ahead")
    stored = Action.objects.get(pk=action.pk)
    assert stored.status == ActionStatus.APPROVED and stored.decided_at is not None
    approval = Approval.objects.get(action=stored)
    assert (approval.user, approval.decision, approval.protocol_hash) == (user, "approve", stored.protocol_hash)
    last = events(stored)[-1]
    assert last.event_type == "approved" and last.actor == f"user:{user.pk} {user.username}"
    assert last.actor_type == "human" and last.data["comment"] == "Go ahead"
    assert verify_chain(stored.organization).ok


@pytest.mark.parametrize("decide", [
    lambda action, user: approve(action, user),
    lambda action, user: reject(action, user, reason="No."),
])
@pytest.mark.parametrize("who", ["viewer", "outsider"])
def test_viewers_and_other_organisations_may_not_decide(make_action, decide, who, request):
    user = request.getfixturevalue(who)
    action = make_action()
    before = unchanged(action)
    with pytest.raises(NotAllowed):
        decide(action, user)
    assert unchanged(action) == before


def test_inactive_approver_may_not_decide(make_action, approver):
    approver.is_active = False
    approver.save()
    with pytest.raises(NotAllowed):
        approve(make_action(), approver)


def test_approver_role_elsewhere_gives_no_right_here(make_action, org, outsider):
    Membership.objects.create(user=outsider, organization=org, role=Role.VIEWER)
    with pytest.raises(NotAllowed):
        approve(make_action(), outsider)


def test_reject_records_the_reason(make_action, approver):
    action = reject(make_action(), approver, reason="  The customer already paid by bank transfer.  ")
    stored = Action.objects.get(pk=action.pk)
    assert stored.status == ActionStatus.REJECTED and stored.decided_at is not None
    assert stored.status_reason == "The customer already paid by bank transfer."
    assert Approval.objects.get(action=stored).comment == "The customer already paid by bank transfer."
    assert events(stored)[-1].data["reason"] == "The customer already paid by bank transfer."


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_reject_requires_a_reason(make_action, approver, reason):
    action = make_action()
    before = unchanged(action)
    with pytest.raises(ApplicationError, match="needs a reason"):
        reject(action, approver, reason=reason)
    assert unchanged(action) == before


def test_critical_action_needs_two_different_approvers(make_action, approver, second_approver):
    action = make_action(risk_level="critical")
    approve(action, approver)
    stored = Action.objects.get(pk=action.pk)
    assert stored.status == ActionStatus.PENDING_APPROVAL and stored.decided_at is None
    first = events(stored)[-1]
    assert (first.event_type, first.data["approvals"], first.data["required"]) == ("approved", 1, 2)

    before = unchanged(action)
    with pytest.raises(Conflict, match="already decided"):
        approve(stored, approver)
    assert unchanged(action) == before

    approve(stored, second_approver)
    stored = Action.objects.get(pk=action.pk)
    assert stored.status == ActionStatus.APPROVED
    last = events(stored)[-1]
    assert (last.data["from"], last.data["to"], last.data["approvals"]) == ("pending_approval", "approved", 2)
    assert set(Approval.objects.filter(action=stored).values_list("user", flat=True)) == {approver.pk, second_approver.pk}


def test_approval_for_another_version_is_refused(make_action, approver):
    action = make_action()
    before = unchanged(action)
    with pytest.raises(Conflict, match="edited after you saw it"):
        approve(action, approver, protocol_hash="0" * 64)
    with pytest.raises(Conflict, match="edited after you saw it"):
        reject(action, approver, reason="No.", protocol_hash="0" * 64)
    assert unchanged(action) == before
    assert approve(action, approver, protocol_hash=action.protocol_hash).status == ActionStatus.APPROVED


@pytest.mark.parametrize("decide", [
    lambda action, user: approve(action, user),
    lambda action, user: reject(action, user, reason="Too late anyway."),
])
def test_deciding_an_expired_action_expires_it(make_action, approver, decide):
    action = past_expiry(make_action())
    with pytest.raises(ActionExpired):
        decide(action, approver)
    stored = Action.objects.get(pk=action.pk)
    assert stored.status == ActionStatus.EXPIRED
    assert not Approval.objects.filter(action=stored).exists()
    last = events(stored)[-1]
    assert (last.event_type, last.data["from"], last.data["to"]) == ("expired", "pending_approval", "expired")
    assert verify_chain(stored.organization).ok


@pytest.mark.parametrize("status", [ActionStatus.EXECUTED, ActionStatus.REJECTED, ActionStatus.APPROVED])
def test_decided_actions_cannot_be_decided_again(make_action, approver, status):
    action = make_action()
    Action.objects.filter(pk=action.pk).update(status=status)
    before = unchanged(action)
    with pytest.raises(lifecycle.StaleTransition, match=f"already {ActionStatus(status).label.lower()}"):
        approve(action, approver)
    with pytest.raises(lifecycle.StaleTransition):
        reject(action, approver, reason="Changed my mind.")
    assert unchanged(action) == before


def test_cancel_withdraws_a_pending_action(make_action):
    action = cancel(make_action(), reason="The invoice was paid.")
    assert Action.objects.get(pk=action.pk).status == ActionStatus.CANCELLED
    assert events(action)[-1].data["reason"] == "The invoice was paid."


def test_expire_due_expires_only_pending_actions_past_their_expiry(make_action, approver):
    due = past_expiry(make_action())
    fresh = make_action()
    decided = make_action()
    reject(decided, approver, reason="Not needed.")
    approved_late = make_action()
    approve(approved_late, approver)
    past_expiry(decided), past_expiry(approved_late)

    assert expire_due() == 1
    statuses = dict(Action.objects.values_list("pk", "status"))
    assert statuses == {due.pk: "expired", fresh.pk: "pending_approval", decided.pk: "rejected",
                        approved_late.pk: "approved"}
    assert events(due)[-1].event_type == "expired"
    assert expire_due() == 0


def test_expire_due_uses_the_given_moment(make_action):
    action = make_action()
    assert expire_due(timezone.now()) == 0
    assert expire_due(action.expires_at) == 1
    assert Action.objects.get(pk=action.pk).status == ActionStatus.EXPIRED
