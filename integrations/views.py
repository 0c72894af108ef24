"""The demo outbox: what the local demo "sent" instead of delivering it."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from aiom.tenancy import scope

from .outbox import OutboxMessage


@login_required
def outbox(request):
    """Each person sees their organisation's messages (approval links included) and nobody
    else's; a superuser sees every message, as in the admin."""
    if not (settings.DEBUG or request.user.is_superuser):
        raise Http404("There is no outbox outside the demo.")
    messages = OutboxMessage.objects.select_related("organization").order_by("-created_at", "-id")
    if not request.user.is_superuser:
        messages = scope(messages, request)
    page = Paginator(messages, 25).get_page(request.GET.get("page"))
    return render(request, "dashboard/outbox.html", {"page": page, "show_organization": request.user.is_superuser})
