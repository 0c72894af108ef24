"""The audit timeline, its CSV export and the chain's status, for the current organisation."""

import csv
import json

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from aiom.tenancy import require_membership

from . import selectors
from .forms import EventFilterForm
from .services import verify_chain

CSV_COLUMNS = ["seq", "created_at", "event_type", "actor", "actor_type", "action_id", "data", "prev_hash", "hash"]


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


class _Echo:
    def write(self, value):
        return value


def _csv_safe(value: str) -> str:
    """Spreadsheets run cells starting with = + - @ as formulas: defuse them."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


@login_required
def export_csv(request, search=None):
    membership = require_membership(request)
    form = EventFilterForm(request.GET)
    events = selectors.events_for(organization=membership.organization,
                                  **_filters(form, membership, search)).order_by("seq")
    writer = csv.writer(_Echo())

    def rows():
        yield writer.writerow(CSV_COLUMNS)
        for event in events.iterator(chunk_size=2000):
            yield writer.writerow([
                event.seq, event.created_at.isoformat(), event.event_type, _csv_safe(event.actor), event.actor_type,
                event.action_id or "", _csv_safe(json.dumps(event.data, sort_keys=True, ensure_ascii=False)),
                event.prev_hash, event.hash])

    filename = f"aiom-audit-{membership.organization.slug}-{timezone.now():%Y%m%d-%H%M}.csv"
    return StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8",
                                 headers={"Content-Disposition": f'attachment; filename="{filename}"'})
