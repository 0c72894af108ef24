"""What every analyzer returns, and the small readers of Odoo's value shapes they share.

Analyzers are plain functions of an Odoo client and a day (`as_of`): they read in pages
with explicit fields and return metrics plus findings. They never write anything, so they
can be run, tested and benchmarked without a database.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timezone

PAGE_SIZE = 500


@dataclass
class FindingData:
    kind: str
    severity: str
    title: str
    fingerprint: str
    target_model: str = ""
    target_id: int | None = None
    partner_id: int | None = None
    amount: float | None = None
    currency: str = ""
    facts: dict = field(default_factory=dict)


@dataclass
class AnalyzerResult:
    metrics: dict
    findings: list[FindingData]


def many2one_id(value) -> int | None:
    """Odoo sends a many2one as `[id, "name"]`, or False when empty."""
    return value[0] if value else None


def many2one_name(value) -> str:
    return value[1] if value else ""


def odoo_date(value) -> date | None:
    """`"YYYY-MM-DD"` (or a UTC datetime string, whose day is taken); False → None."""
    if not value:
        return None
    return date.fromisoformat(value[:10])


def odoo_datetime(value) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(value).replace(tzinfo=timezone.utc)


def chunks(values: list, size: int) -> Iterator[list]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


def read_by_ids(odoo, model: str, ids: Iterable[int], fields: list[str], *, page_size: int = PAGE_SIZE) -> dict[int, dict]:
    """Records by id, one call per page of ids (never one call per record); missing ids are left out."""
    records = {}
    for page in chunks(sorted(set(ids)), page_size):
        for record in odoo.search_read(model, [("id", "in", page)], fields, context={"active_test": False}):
            records[record["id"]] = record
    return records


def money(value: float) -> float:
    return round(float(value or 0.0), 2)
