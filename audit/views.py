"""The audit timeline, its CSV export and the chain's status, for the current organisation."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from aiom.tenancy import require_membership

from . import export, selectors
from .forms import EventFilterForm
from .services import verify_chain


@login_required
def timeline(request, search=None):
    membership = require_membership(request)
    form = EventFilterForm(request.GET)
    events = selectors.events_for(organization=membership.organization, **_filters(form, membership, search))
    page = Paginator(events, 100).get_page(request.GET.get("page"))
    report = verify_chain(membership.organization) if request.GET.get("verify") else None
    return render(request, "dashboard/audit.html", {
        "form": form, "page": page, "head": selectors.chain_head(organization=membership.organization),
        "report": report, "export_query": request.GET.urlencode(),
    })


def _filters(form: EventFilterForm, membership, search) -> dict:
    """The form's filters; a search also gets the ids of the actions it matches when the site
    gives the page a `search(organization=, q=)` (the audit trail knows events, not actions)."""
    filters = form.filters()
    if search is not None and filters.get("q"):
        filters["action_ids"] = search(organization=membership.organization, q=filters["q"])
    return filters


@login_required
def export_csv(request, search=None):
    membership = require_membership(request)
    form = EventFilterForm(request.GET)
    events = selectors.events_for(organization=membership.organization, **_filters(form, membership, search))
    return export.csv_response(membership.organization, events)
