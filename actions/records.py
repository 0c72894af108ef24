"""One Odoo record's page: everything AIOM proposed and did for it, and the way back to Odoo."""

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import Q, QuerySet

from integrations.models import OdooConnection

from .models import Action
from .describe import RECORD_PAGE_MODELS, record_label, record_noun


@dataclass(frozen=True)
class RecordPage:
    model: str
    record_id: int
    label: str
    noun: str
    odoo_url: str
    actions: list[Action]


def actions_for_record(*, organization, model: str, record_id: int) -> QuerySet:
    """The organisation's actions about this record (its target, or its customer), newest first."""
    about = Q(target_model=model, target_id=record_id)
    if model == "res.partner":
        about |= Q(partner_id=record_id)
    return Action.objects.filter(organization=organization).filter(about).order_by("-created_at", "-pk")


def record_page(*, organization, model: str, record_id: int) -> RecordPage | None:
    """None when the model has no page or the organisation has no action about the record."""
    if model not in RECORD_PAGE_MODELS:
        return None
    actions = list(actions_for_record(organization=organization, model=model, record_id=record_id))
    if not actions:
        return None
    label = next((text for text in (record_label(model, record_id, action.parsed) for action in actions)
                  if not text.endswith(f"#{record_id}")), record_label(model, record_id))
    return RecordPage(model, record_id, label, record_noun(model),
                      odoo_record_url(organization, model, record_id), actions)


def odoo_record_url(organization, model: str, record_id: int) -> str:
    """The record in the organisation's Odoo ("" when no http(s) address is known). Odoo 17.2
    and later open records at /odoo/<model>/<id>; older versions at /web#model=…&id=…."""
    connection = OdooConnection.objects.filter(organization=organization).only("url", "server_version").first()
    base = (connection.url if connection else "") or settings.ODOO_URL
    if urlsplit(base).scheme not in ("http", "https") or not urlsplit(base).netloc:
        return ""
    base = base.rstrip("/")
    if _opens_at_odoo_path(connection.server_version if connection else ""):
        return f"{base}/odoo/{model}/{record_id}"
    return f"{base}/web#model={model}&id={record_id}"


def _opens_at_odoo_path(version: str) -> bool:
    found = re.search(r"(\d+)(?:\.(\d+))?", version or "")
    if not found:
        return False
    major, minor = int(found.group(1)), int(found.group(2) or 0)
    return major > 17 or (major == 17 and minor >= 2)
