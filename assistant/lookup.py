"""Names people type → Odoo records. Never a silent pick: one match is used, an exact name
among several wins, several others are offered as choices, none is a clear error.

`#12` names record 12 directly: the choices the assistant offers are commands with such ids,
so choosing one answers the question without guessing again.
"""

import re
from dataclasses import dataclass, field

from aiom.errors import ApplicationError

MAX_CHOICES = 6
_BY_ID = re.compile(r"^#(\d{1,9})$")


@dataclass(frozen=True)
class Match:
    model: str
    id: int
    label: str
    data: dict = field(default_factory=dict)


class NotFound(ApplicationError):
    status_code = 404


class Ambiguous(ApplicationError):
    """Several records fit `ref`: the person chooses. `options` are (replacement, label) pairs:
    the text that, put in place of `ref`, names that one record ("#12")."""

    status_code = 409

    def __init__(self, what: str, ref: str, options: list[tuple[str, str]]):
        super().__init__(f"Several {what} match “{ref}”. Which one?")
        self.what, self.ref, self.options = what, ref, options


@dataclass(frozen=True)
class Kind:
    model: str
    #: How people call one of them, and several of them.
    one: str
    many: str
    fields: tuple[str, ...]
    domain: tuple = ()
    #: The field a name is matched on.
    name_field: str = "name"

    def label(self, row: dict) -> str:
        label = str(row.get(self.name_field) or f"#{row['id']}")
        partner = row.get("partner_id")
        if partner and self.model != "res.partner":
            label += f" — {partner[1]}"
        if row.get("email") and self.model == "res.partner":
            label += f" ({row['email']})"
        return label


PARTNER = Kind("res.partner", "customer", "customers", ("name", "email", "phone", "lang"))
INVOICE = Kind("account.move", "invoice", "invoices",
               ("name", "partner_id", "state", "payment_state", "amount_residual", "invoice_date_due", "currency_id"),
               (("move_type", "=", "out_invoice"),))
DEAL = Kind("crm.lead", "deal", "deals", ("name", "partner_id", "stage_id", "user_id"))
TASK = Kind("project.task", "task", "tasks", ("name", "partner_id", "project_id"))
PROJECT = Kind("project.project", "project", "projects", ("name", "partner_id"))
USER = Kind("res.users", "user", "users", ("name", "login"))
EMPLOYEE = Kind("hr.employee", "employee", "employees", ("name", "user_id", "work_email"))
KINDS = {"partner": PARTNER, "invoice": INVOICE, "deal": DEAL, "task": TASK, "project": PROJECT}


def find(odoo, kind: Kind, ref: str, *, extra_domain: tuple = ()) -> Match:
    """The one record of `kind` that `ref` names."""
    ref = ref.strip()
    domain = [*kind.domain, *extra_domain]
    by_id = _BY_ID.match(ref)
    if by_id:
        rows = odoo.search_read(kind.model, [*domain, ("id", "=", int(by_id[1]))], list(kind.fields), limit=1)
    else:
        rows = odoo.search_read(kind.model, [*domain, (kind.name_field, "ilike", ref)], list(kind.fields),
                                limit=MAX_CHOICES + 1, order="id asc")
        exact = [row for row in rows if str(row.get(kind.name_field) or "").casefold() == ref.casefold()]
        if len(exact) == 1:
            rows = exact
        if len(rows) > 1 and kind is USER:
            rows = [row for row in rows if str(row.get("login", "")).casefold() == ref.casefold()] or rows
    if not rows:
        raise NotFound(f"I found no {kind.one} called “{ref}” in Odoo. Check the spelling, or type part of the name.")
    if len(rows) > 1:
        raise Ambiguous(kind.many, ref, [(f"#{row['id']}", kind.label(row)) for row in rows[:MAX_CHOICES]])
    row = rows[0]
    return Match(kind.model, row["id"], kind.label(row), row)


def suggestions(odoo, text: str, *, limit: int = 5) -> list[dict]:
    """Customers, invoices and deals whose names contain `text`, for the command box."""
    text = " ".join(text.split())[:60]
    if len(text) < 2:
        return []
    found = []
    for kind in (PARTNER, INVOICE, DEAL):
        for row in odoo.search_read(kind.model, [*kind.domain, (kind.name_field, "ilike", text)], ["name"],
                                    limit=limit, order="id asc"):
            found.append({"kind": kind.one, "id": row["id"], "name": str(row["name"] or "")[:120]})
    return found
