"""Dashboard views for analyses: run one now, and read an action plan."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from actions.models import Action
from aiom.tenancy import require_membership

from . import selectors
from .tasks import run


@login_required
@require_POST
def run_now(request):
    membership = require_membership(request)
    if not membership.can_approve:
        raise PermissionDenied("Your role cannot start an analysis.")
    try:
        run.apply_async((membership.organization_id,), retry=False)
    except Exception:  # noqa: BLE001 - broker down: say so; the hourly run still happens
        messages.error(request, "Could not reach the task queue; the analysis will run at its next hourly slot.")
    else:
        messages.success(request, "Analysis started: new findings and proposals appear here within a minute.")
    return redirect("dashboard:overview")


@login_required
def plan(request, pk):
    membership = require_membership(request)
    action_plan = selectors.plan_for(organization=membership.organization, pk=pk)
    if action_plan is None:
        raise Http404("No such plan in your organisation.")
    actions = Action.objects.filter(organization=membership.organization, pk__in=action_plan.action_ids)
    return render(request, "dashboard/plan.html", {"plan": action_plan, "analysis": action_plan.analysis,
                                                   "actions": actions.order_by("status", "-risk_level")})
