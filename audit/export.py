"""The audit trail as CSV, oldest first: one file, written the same way for the dashboard's
export and the API's `?format=csv`, streamed so a long trail never sits in memory."""

import csv
import json
from collections.abc import Iterator

from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.utils import timezone

CSV_COLUMNS = ["seq", "created_at", "event_type", "actor", "actor_type", "action_id", "data", "prev_hash", "hash"]


class _Echo:
    def write(self, value):
        return value


def _csv_safe(value: str) -> str:
    """Spreadsheets run cells starting with = + - @ as formulas: defuse them."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def csv_lines(events: QuerySet) -> Iterator[str]:
    """The header, then one line per event in chain order."""
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_COLUMNS)
    for event in events.order_by("seq").iterator(chunk_size=2000):
        yield writer.writerow([
            event.seq, event.created_at.isoformat(), event.event_type, _csv_safe(event.actor), event.actor_type,
            event.action_id or "", _csv_safe(json.dumps(event.data, sort_keys=True, ensure_ascii=False)),
            event.prev_hash, event.hash])


def csv_response(organization, events: QuerySet) -> StreamingHttpResponse:
    """A download named after the organisation and the time of the export."""
    filename = f"aiom-audit-{organization.slug}-{timezone.now():%Y%m%d-%H%M}.csv"
    return StreamingHttpResponse(csv_lines(events), content_type="text/csv; charset=utf-8",
                                 headers={"Content-Disposition": f'attachment; filename="{filename}"'})
