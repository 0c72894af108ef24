"""A customer's own follow-up settings (`PartnerOverride`): chased on another sequence, with
another tolerance, or never automatically. Administrators change them from the customer settings
page; each change lands in the audit trail with who and what changed, before → after.

Customers are named by their Odoo partner id; the name shown comes from the organisation's own
follow-ups, else from its own Odoo (neutralised: customers write their names themselves), so a
number never reveals anything outside the organisation."""

from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction

from aiom.errors import ApplicationError, Conflict, NotAllowed
from aiom.text import one_line
from analyzers.odoo_text import neutral_name
from integrations.errors import ExternalError
from integrations.odoo.connections import client_for

from . import changes
from .editing import can_edit
from .models import PartnerOverride, Sequence, SequenceKind
from .selectors import known_customers

MAX_ID = 2**31 - 1
UNREACHABLE = "Odoo could not be reached, so the customer's name could not be checked."


@dataclass(frozen=True)
class Settings:
    """What an override says: `sequence` None means never chased automatically."""

    sequence: Sequence | None
    tolerance: Decimal | None
    note: str


def chased_in_words(sequence: Sequence | None) -> str:
    if sequence is None:
        return "never chased automatically"
    return f"on “{sequence.name}”{' (the default)' if sequence.is_default else ''}"


def tolerance_in_words(override) -> str:
    if override.sequence is None:
        return "—"
    return f"{override.tolerance:.2f}" if override.tolerance is not None else "the sequence's own"


def _words(override) -> dict:
    return {"how they are chased": chased_in_words(override.sequence), "tolerance": tolerance_in_words(override),
            "note": override.note or "—"}


def names(organization, partner_ids) -> dict[int, str]:
    """A name for each customer: the one its follow-ups show, else its Odoo record's, else its number."""
    known = known_customers(organization=organization)
    found = {pk: known[pk] for pk in partner_ids if pk in known}
    missing = sorted(set(partner_ids) - set(found))
    if missing:
        try:
            found |= _read_names(organization, missing)
        except (ExternalError, OSError):
            pass
    return {pk: found.get(pk) or f"customer #{pk}" for pk in partner_ids}


def _read_names(organization, partner_ids: list[int]) -> dict[int, str]:
    odoo = client_for(organization)
    odoo.retries = 0  # someone waits for the page
    try:
        rows = odoo.search_read("res.partner", [("id", "in", partner_ids)], ["name"])
    finally:
        odoo.close()
    return {row["id"]: neutral_name(row.get("name"), f"customer #{row['id']}") for row in rows
            if isinstance(row.get("id"), int) and row["id"] in partner_ids}


def lookup(organization, partner_id: int) -> tuple[str, str]:
    """(name, note) for the customer numbered `partner_id`: its name; `note` says when it could not
    be checked. Raises ApplicationError when the organisation's Odoo has no such customer."""
    known = known_customers(organization=organization)
    if partner_id in known:
        return known[partner_id], ""
    try:
        read = _read_names(organization, [partner_id])
    except (ExternalError, OSError):
        return f"customer #{partner_id}", UNREACHABLE
    if partner_id not in read:
        raise ApplicationError(f"Your Odoo has no customer number {partner_id}: check the number.")
    return read[partner_id], ""


def _checked(organization, settings: Settings) -> Settings:
    if settings.sequence is not None and (settings.sequence.organization_id != organization.pk
                                          or settings.sequence.kind != SequenceKind.INVOICES):
        raise ApplicationError("Choose one of your sequences for unpaid invoices, or never chasing automatically.")
    tolerance = settings.tolerance
    if tolerance is not None and (tolerance < 0 or tolerance >= Decimal(10) ** 10):
        raise ApplicationError("The tolerance is an amount from 0 up, e.g. 5.00.")
    note = one_line(settings.note or "", 200)
    return Settings(settings.sequence, None if settings.sequence is None else tolerance, note)


def _ensure_admin(user, organization) -> None:
    if not can_edit(user, organization):
        raise NotAllowed("Only an administrator of the organisation may change how a customer is chased.")


def create(organization, user, *, partner_id: int, settings: Settings, name: str) -> PartnerOverride:
    """Give one customer its own settings. Conflict when it has some already (change those)."""
    _ensure_admin(user, organization)
    if not 1 <= partner_id <= MAX_ID:
        raise ApplicationError("A customer's number in Odoo is a whole number from 1 up.")
    settings = _checked(organization, settings)
    try:
        with transaction.atomic():
            override = PartnerOverride.objects.create(organization=organization, partner_id=partner_id,
                                                      sequence=settings.sequence, tolerance=settings.tolerance,
                                                      note=settings.note)
            _audit(organization, user, override, name, before=None, after=_words(override))
    except IntegrityError:
        raise Conflict(f"{name} already has its own settings: change those instead.") from None
    return override


def _for_update():
    return PartnerOverride.objects.select_for_update(of=("self",)).select_related("sequence", "organization")


def update(override: PartnerOverride, user, *, settings: Settings, name: str) -> PartnerOverride:
    _ensure_admin(user, override.organization_id)
    settings = _checked(override.organization, settings)
    with transaction.atomic():
        locked = _for_update().get(pk=override.pk)
        before = _words(locked)
        locked.sequence, locked.tolerance, locked.note = settings.sequence, settings.tolerance, settings.note
        locked.save()
        _audit(locked.organization, user, locked, name, before=before, after=_words(locked))
    return locked


def remove(override: PartnerOverride, user, *, name: str) -> None:
    """The customer follows the organisation's default sequence and its tolerance again."""
    _ensure_admin(user, override.organization_id)
    with transaction.atomic():
        locked = _for_update().filter(pk=override.pk).first()
        if locked is None:
            raise Conflict("These settings were removed meanwhile.")
        before = _words(locked)
        locked.delete()
        _audit(override.organization, user, override, name, before=before, after=None)


#: How a customer without settings of its own is chased, in the words of `_words`.
DEFAULTS = {"how they are chased": "on the default sequence", "tolerance": "the sequence's own", "note": "—"}


def _audit(organization, user, override, name: str, *, before: dict | None, after: dict | None) -> None:
    """One event: everything a new override says, what an edit changed, or all a removal undid."""
    head = f"Customer {name} (number {override.partner_id} in Odoo)"
    if before is None:
        changed = {f"{head}: {what}": {"before": DEFAULTS[what], "after": value} for what, value in after.items()}
    elif after is None:
        changed = {f"{head}: {what}": {"before": value, "after": f"removed ({DEFAULTS[what]})"}
                   for what, value in before.items()}
    else:
        changed = {f"{head}: {what}": {"before": before[what], "after": value}
                   for what, value in after.items() if before[what] != value}
    changes.record(organization, user, changed, partner_id=override.partner_id)
