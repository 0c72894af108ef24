"""Dashboard pages for actions: the approval queue, history, one action, and decisions.

Views parse and authorise; the services decide. Every lookup is scoped to the user's
organisation (another organisation's action is a 404), and only POST changes anything.
"""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from aiom.errors import ApplicationError, NotAllowed
from aiom.pages import carry_out
from aiom.tenancy import get_scoped_or_404, require_membership, require_role

from . import bulk, editing, evidence, guardrails, inbox, meetings, selectors, services
from .context_processors import pending_count_of
from .forms import (ApproveForm, CancelForm, EditForm, GuardrailPolicyForm, HistoryFilterForm, QueueFilterForm,
                    RejectForm, ResolveForm)
from .models import Action, Notice
from .permissions import CANNOT_DECIDE
from .policy import approvers, changes as policy_changes
from .presentation import ActionCard
from .protocol import ProtocolError
from .records import record_page
from .types import approvals_required

PAGE_SIZE = 20


@login_required
def approvals(request):
    membership = require_membership(request)
    form = QueueFilterForm(request.GET)
    filters = form.filters()
    queue = selectors.actions_pending(organization=membership.organization, **filters)
    paginator = Paginator(queue, PAGE_SIZE)
    if not filters:  # the whole queue: the navigation badge's count, counted once for both
        paginator.count = pending_count_of(request, membership.organization)
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "dashboard/approvals.html", {
        "form": form, "page": page, "cards": ActionCard.page(page),
        "can_decide": membership.can_approve, "selectable": membership.can_approve,
    })


@login_required
def preflight(request):
    """What approving the selected actions would lead to; read-only, so a GET."""
    membership = _deciding_member(request)
    selected = _selected(request.GET)
    if not selected:
        messages.error(request, "Select at least one action to check.")
        return redirect("dashboard:approvals")
    rows = bulk.preflight(membership.organization, request.user, selected)
    return render(request, "dashboard/preflight.html", {
        "rows": rows, "passing": [row for row in rows if row.outcome in bulk.APPROVED_OUTCOMES]})


@login_required
@require_POST
def bulk_approve(request):
    membership = _deciding_member(request)
    selected = _selected(request.POST)
    if not selected:
        messages.error(request, "Nothing was selected; nothing was approved.")
        return redirect("dashboard:approvals")
    result = bulk.bulk_approve(membership.organization, request.user, selected,
                               comment=request.POST.get("comment", "")[:1000])
    if result.approved:
        messages.success(request, f"Approved {len(result.approved)} of {len(result.rows)} selected.")
    for row in result.skipped:
        title = row.action.title if row.action else row.action_id
        messages.warning(request, f"Not approved: “{title}”: {row.reason}")
    return redirect("dashboard:approvals")


def _deciding_member(request):
    return require_role(request, refused=CANNOT_DECIDE)


def _selected(data) -> list[tuple[str, str]]:
    """The "<id>:<protocol hash>" values of the ticked boxes."""
    return [tuple(value.split(":", 1)) for value in data.getlist("selected") if ":" in value]


@login_required
def history(request):
    membership = require_membership(request)
    form = HistoryFilterForm(request.GET)
    filters = form.filters()
    actions = selectors.actions_history(organization=membership.organization, **filters)
    page = Paginator(actions, 50).get_page(request.GET.get("page"))
    return render(request, "dashboard/history.html", {"form": form, "page": page})


@login_required
def detail(request, pk):
    membership = require_membership(request)
    action = get_scoped_or_404(Action.objects.prefetch_related("approvals__user", "executions"), request, pk=pk)
    return render(request, "dashboard/action_detail.html", {
        "card": ActionCard.of(action), "action": action, "can_decide": membership.can_approve,
        "timeline": selectors.action_timeline(action), "executions": action.executions.all()[:10],
        "protocol_json": json.dumps(action.protocol, indent=2, sort_keys=True, ensure_ascii=False),
        "evidence": evidence.evidence_for(action),
        "meeting_times": meetings.time_choices(action.parsed) if action.status == "pending_approval" else [],
    })


@login_required
def notices(request):
    membership = require_membership(request)
    listing = inbox.notices_of(request.user, membership.organization).select_related("action")
    page = Paginator(listing.order_by("-created_at", "-pk"), 30).get_page(request.GET.get("page"))
    return render(request, "dashboard/notices.html", {"page": page})


@login_required
@require_POST
def read_notice(request, pk: int):
    notice = get_scoped_or_404(Notice.objects.filter(user=request.user), request, pk=pk)
    inbox.mark_read(Notice.objects.filter(pk=notice.pk))
    return redirect("dashboard:notices")


@login_required
@require_POST
def read_all_notices(request):
    membership = require_membership(request)
    inbox.mark_read(inbox.notices_of(request.user, membership.organization))
    return redirect("dashboard:notices")


@login_required
@require_POST
def approve(request, pk):
    action = _decidable(request, pk)
    form = ApproveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The approval form was incomplete; nothing was approved.")
    else:
        _decide(request, lambda: services.approve(action, request.user, comment=form.cleaned_data["comment"],
                                                  protocol_hash=form.cleaned_data["protocol_hash"]),
                success=f"Approved “{action.title}”.")
    return _back(request)


@login_required
@require_POST
def reject(request, pk):
    action = _decidable(request, pk)
    form = RejectForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    else:
        _decide(request, lambda: services.reject(action, request.user, reason=form.cleaned_data["reason"],
                                                 protocol_hash=form.cleaned_data["protocol_hash"]),
                success=f"Rejected “{action.title}”.")
    return _back(request)


@login_required
@require_POST
def retry(request, pk):
    action = _decidable(request, pk)
    _recover(request, lambda: services.retry_failed(action, user=request.user),
             success=f"“{action.title}” will run again shortly, after its checks pass again.")
    return redirect("dashboard:action", pk=action.pk)


@login_required
@require_POST
def resolve(request, pk):
    action = _decidable(request, pk)
    form = ResolveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say whether it was sent or not; nothing was changed.")
    else:
        sent = form.cleaned_data["sent"]
        _recover(request, lambda: services.resolve_outcome_unknown(action, user=request.user, sent=sent,
                                                                    note=form.cleaned_data["note"]),
                 success=f"Recorded that “{action.title}” was sent; it will not be sent again." if sent else
                 f"Recorded that “{action.title}” was not sent. Press Retry to send it.")
    return redirect("dashboard:action", pk=action.pk)


@login_required
@require_POST
def cancel(request, pk):
    action = _decidable(request, pk)
    form = CancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    else:
        _recover(request, lambda: services.cancel_approved(action, user=request.user,
                                                           reason=form.cleaned_data["reason"]),
                 success=f"Cancelled “{action.title}”; it will not run.")
    return redirect("dashboard:action", pk=action.pk)


@login_required
@require_POST
def undo(request, pk):
    action = _decidable(request, pk)
    _recover(request, lambda: services.undo_send(action, user=request.user),
             success=f"Undone: “{action.title}” was not sent and waits for approval again.")
    return _back(request)


@login_required
def edit(request, pk):
    action = _decidable(request, pk)
    editable = editing.editable_inputs(action)
    if request.method == "POST":
        form = EditForm(request.POST, editable=editable)
        if form.is_valid():
            try:
                editing.edit(action, request.user, inputs=form.changes(),
                              protocol_hash=form.cleaned_data["protocol_hash"])
            except ProtocolError as exc:
                for error in exc.errors:
                    form.add_error(None, error)
            except NotAllowed as exc:
                raise PermissionDenied(exc.message) from exc
            except ApplicationError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, f"Saved a new version of “{action.title}”; it needs approval again.")
                return redirect("dashboard:action", pk=action.pk)
    else:
        inputs = action.parsed.operation.inputs.model_dump()
        form = EditForm(initial={"protocol_hash": action.protocol_hash, **{n: inputs.get(n) for n in editable}},
                        editable=editable)
    return render(request, "dashboard/action_edit.html", {"form": form, "card": ActionCard.of(action),
                                                          "action": action, "editable": editable})


@login_required
@require_POST
def pick_slot(request, pk):
    """The approver chooses one of a meeting's offered times (a new revision, approved next)."""
    action = _decidable(request, pk)
    try:
        slot = int(request.POST.get("slot", ""))
    except ValueError:
        slot = -1
    if carry_out(request, lambda: editing.pick_slot(action, request.user, slot=slot,
                                                    protocol_hash=request.POST.get("protocol_hash", "")))[0]:
        messages.success(request, "Meeting time chosen; approve it to send the invitation.")
    return redirect("dashboard:action", pk=action.pk)


@login_required
def guardrail_settings(request):
    """Organisation admins tune the guardrails; every change is audited by the service."""
    membership = require_role(request, admin=True, refused="Only organisation admins can change the guardrails.")
    policy = guardrails.policy_for(membership.organization)
    form = GuardrailPolicyForm(request.POST or None, instance=policy)
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        if not changes:
            messages.success(request, "Nothing changed.")
        elif policy_changes.request_or_apply(membership.organization, request.user, policy_changes.SETTINGS,
                                             {"changes": changes})[0] == policy_changes.REQUESTED:
            messages.info(request, "Waiting for a second admin: another admin confirms these changes on the "
                                   "Rule changes page; until then nothing changes.")
        else:
            messages.success(request, "Guardrails saved.")
        return redirect("dashboard:guardrails")
    return render(request, "dashboard/guardrails.html", {"form": form, "policy": policy,
                                                         "critical_approvals": approvals_required("critical")})


def _decidable(request, pk) -> Action:
    membership = require_membership(request)
    action = get_scoped_or_404(Action.objects.select_related("organization"), request, pk=pk)
    if not membership.can_approve:
        raise PermissionDenied(CANNOT_DECIDE)
    return action


def _decide(request, decision, *, success: str) -> None:
    decided, result = carry_out(request, decision)
    if not decided:
        return
    if result.status == "pending_approval":
        messages.info(request, f"Your approval is recorded. {approvers.progress(result).sentence()}")
    else:
        messages.success(request, success)


def _recover(request, recovery, *, success: str) -> None:
    if carry_out(request, recovery)[0]:
        messages.success(request, success)


def _back(request):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return redirect(target)
    return redirect("dashboard:approvals")


@login_required
def record(request, model: str, record_id: int):
    """Everything AIOM proposed and did for one Odoo record of the organisation."""
    membership = require_membership(request)
    page = record_page(organization=membership.organization, model=model, record_id=record_id)
    if page is None:
        raise Http404("AIOM has nothing about this record.")
    return render(request, "dashboard/record.html", {"record": page})
