"""The dashboard shell, organisation switching and the health probe."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import defaults
from django.views.decorators.http import require_POST

from . import tenancy
from .models import Membership
from .selectors import health_for, overview_for


@login_required
def overview(request):
    membership = tenancy.membership_for(request)
    context = {"overview": overview_for(membership.organization) if membership else None}
    return render(request, "dashboard/overview.html", context)


@login_required
@require_POST
def switch_organization(request):
    membership = Membership.objects.filter(user=request.user, organization__slug=request.POST.get("slug")).first()
    if membership is not None:
        request.session[tenancy.SESSION_KEY] = membership.organization_id
    target = request.POST.get("next") or reverse("dashboard:overview")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        target = reverse("dashboard:overview")
    return HttpResponseRedirect(target)


@login_required
def health(request):
    membership = tenancy.require_membership(request)
    return render(request, "dashboard/health.html", {"health": health_for(membership.organization)})


@login_required
@require_POST
def check_odoo(request):
    """Try the organisation's Odoo connection now and record the answer."""
    from integrations.models import OdooConnection
    from integrations.odoo.services import connection_check

    membership = tenancy.require_membership(request)
    connection = OdooConnection.objects.filter(organization=membership.organization).first()
    if connection is None:
        messages.error(request, "This organisation has no Odoo connection yet (add one in the admin).")
    else:
        result = connection_check(connection=connection)
        if result["ok"]:
            messages.success(request, f"Odoo answered: version {result['server_version']}, login accepted.")
        else:
            messages.error(request, f"Odoo check failed: {result['error']}")
    return HttpResponseRedirect(reverse("dashboard:health"))


def healthz(request):
    """Liveness plus database reachability, for load balancers and `make run`."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = "ok"
    except Exception:  # noqa: BLE001 - any database failure means "not healthy"
        database = "unavailable"
    status = 200 if database == "ok" else 503
    return JsonResponse({"status": "ok" if status == 200 else "degraded", "database": database}, status=status)


def not_found(request, exception):
    """A path nothing serves: JSON in words under /api/ (API clients read `detail`), the page
    otherwise."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Nothing is served at this address: check the path and the id in it."},
                            status=404)
    return defaults.page_not_found(request, exception)
