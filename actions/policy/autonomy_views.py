"""The autonomy page: what AIOM suggests running without approval, what runs so, and what went
back to approval and why. Admins only; the service decides and audits, views parse and route."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from aiom.pages import carry_out
from aiom.tenancy import get_scoped_or_404, require_role

from . import autonomy
from .models import AutonomyTrack


def _admin(request):
    return require_role(request, admin=True, refused="Only organisation admins decide what runs without approval.")


@login_required
def autonomy_page(request):
    membership = _admin(request)
    policy = autonomy.policy_of(membership.organization)
    return render(request, "dashboard/autonomy.html", {
        **autonomy.page_for(membership.organization), "policy": policy})


def _decide(request, pk, decision, success: str):
    _admin(request)
    track = get_scoped_or_404(AutonomyTrack.objects.select_related("organization"), request, pk=pk)
    if carry_out(request, lambda: decision(track, request.user))[0]:
        messages.success(request, success.format(what=autonomy.describe(track)))
    return redirect("dashboard:autonomy")


@login_required
@require_POST
def accept(request, pk: int):
    return _decide(request, pk, autonomy.accept, "{what} now run automatically.")


@login_required
@require_POST
def decline(request, pk: int):
    return _decide(request, pk, autonomy.decline, "{what} keep waiting for approval.")


@login_required
@require_POST
def stop(request, pk: int):
    return _decide(request, pk, autonomy.stop, "{what} wait for approval again.")
