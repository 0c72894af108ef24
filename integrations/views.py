"""The demo outbox: what the local demo "sent" instead of delivering it."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from .outbox import OutboxMessage


@login_required
def outbox(request):
    # Outbox rows belong to no organisation: only the single-company demo (or a superuser) sees them.
    if not (settings.DEBUG or request.user.is_superuser):
        raise Http404("There is no outbox outside the demo.")
    page = Paginator(OutboxMessage.objects.order_by("-created_at"), 25).get_page(request.GET.get("page"))
    return render(request, "dashboard/outbox.html", {"page": page})
