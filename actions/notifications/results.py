"""How an approved action ended, told to the people who approved it: an in-app notice each,
written with the transition, and for a failed or unknown outcome an email saying what to do
(to those who approved it; to everyone who may decide when it ran without approval)."""

from functools import partial

from django.conf import settings

from aiom.text import one_line

from .. import guardrails
from ..models import Action, ActionStatus, Notice, NoticeLevel
from .sending import RESULT, action_context, deciding_members, email_about, emails_of, send_to_all

#: Outcomes a person must act on; an executed action needs no email.
RESULT_STATUSES = frozenset({ActionStatus.FAILED, ActionStatus.OUTCOME_UNKNOWN})
#: How an approved action can end, as its approvers see it in their notices.
NOTICE_LEVELS = {ActionStatus.EXECUTED: NoticeLevel.SUCCESS, ActionStatus.FAILED: NoticeLevel.ERROR,
                 ActionStatus.OUTCOME_UNKNOWN: NoticeLevel.WARNING}
NOTICE_MAX_CHARS = 500


def post_notices(action: Action) -> None:
    level = NOTICE_LEVELS[action.status]
    title = one_line(action.title)
    text = {NoticeLevel.SUCCESS: f"Executed: {title}",
            NoticeLevel.ERROR: f"Failed: {title}. {one_line(action.error or action.status_reason)}",
            NoticeLevel.WARNING: f"Outcome unknown: {title}. Check whether it went out, then resolve it."}[level]
    Notice.objects.bulk_create([
        Notice(user_id=user_id, organization_id=action.organization_id, action=action, level=level,
               text=one_line(text, NOTICE_MAX_CHARS))
        for user_id in _approver_ids(action)])


def send_result(action_id) -> None:
    action = Action.objects.select_related("organization").get(pk=action_id)
    if action.status not in RESULT_STATUSES or not guardrails.policy_for(action.organization).notify_by_email:
        return
    approved_by = set(_approver_ids(action))
    members = deciding_members(action.organization)
    told = [member for member in members if member.user_id in approved_by] or members
    context = {**action_context(action), "status": action.get_status_display(),
               "outcome_unknown": action.status == ActionStatus.OUTCOME_UNKNOWN}
    send_to_all(action, RESULT, "email", emails_of(told, settings.APPROVAL_EMAIL),
                partial(email_about, action, RESULT, "emails/action_result", context))


def _approver_ids(action: Action) -> list[int]:
    """Who approved the version of the action that ran."""
    return list(action.current_approvals().values_list("user", flat=True))
