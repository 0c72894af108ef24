"""Delivery problems: SMTP2GO's webhook (a machine endpoint: no session, so no CSRF token; the
organisation's secret instead) and the page where staff see bounced addresses and allow one
again. Views parse and authorise; `followups.smtp2go` and `followups.delivery` decide."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from aiom.pages import carry_out
from aiom.models import Organization
from aiom.tenancy import get_scoped_or_404, require_membership

from . import delivery, smtp2go
from .models import DeliveryWebhook, SuppressedAddress


def _refused(status: int, detail: str) -> JsonResponse:
    response = JsonResponse({"detail": detail}, status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Basic realm="AIOM delivery webhook"'
    return response


@csrf_exempt
@require_POST
def smtp2go_webhook(request, slug: str):
    organization = Organization.objects.filter(slug=slug).first()
    if organization is None:
        return _refused(404, "No organisation answers at this address.")
    too_big = f"The body is larger than {smtp2go.MAX_BODY // 1024} KB."
    try:
        if int(request.META.get("CONTENT_LENGTH") or 0) > smtp2go.MAX_BODY:
            return _refused(400, too_big)
        body = request.body
    except (ValueError, RequestDataTooBig):
        return _refused(400, too_big)
    if not smtp2go.verified(organization, body, authorization=request.headers.get("Authorization", ""),
                            signature=request.headers.get(smtp2go.SIGNATURE_HEADER, "")):
        return _refused(401, "Sign the body with the organisation's webhook secret (X-AIOM-Signature) or send the "
                             "secret as the basic authorization password.")
    try:
        events = smtp2go.parse(body, request.content_type)
    except smtp2go.BadPayload as exc:
        return _refused(400, str(exc))
    return JsonResponse(smtp2go.receive(organization, events))


@login_required
def problems(request):
    membership = require_membership(request)
    organization = membership.organization
    webhook = DeliveryWebhook.objects.filter(organization=organization).only("created_at").first()
    return render(request, "dashboard/delivery.html", {
        **delivery.problems(organization), "can_decide": membership.can_approve, "is_admin": membership.is_admin,
        "webhook_since": webhook.created_at if webhook else None, "slug": organization.slug,
        "webhook_url": settings.APP_URL.rstrip("/") + reverse("smtp2go-webhook", args=[organization.slug]),
        "zone": organization.timezone})


@login_required
@require_POST
def allow_again(request, pk: int):
    membership = require_membership(request)
    found = get_scoped_or_404(SuppressedAddress.objects.select_related("organization"), request, pk=pk)
    if not membership.can_approve:
        raise PermissionDenied("Your role can see delivery problems but not allow an address again.")
    lifted, resumed = carry_out(request, lambda: delivery.lift(found, request.user))
    if lifted:
        went_on = f"; {resumed} follow-up{'s' if resumed != 1 else ''} it stopped go on." if resumed else "."
        messages.success(request, f"{found.address} may be emailed again{went_on}")
    return redirect("dashboard:delivery-problems")
