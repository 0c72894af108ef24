"""Which invoice PDFs a level's email carries, read from Odoo when the level is proposed.

An invoice's PDF is an `ir.attachment` of the invoice (`application/pdf`): in Odoo 17+ the
one behind `account.move.invoice_pdf_report_id` (the attachment of the binary field
`invoice_pdf_report_file`), before that the report's own attachment. One `search_read` covers
every invoice chased and never asks for the file itself (`datas`): only its name, size and
checksum, which the email's inputs carry and the executor compares with the bytes it reads at
send time. Odoo's `_search` hides attachments of binary fields unless the domain names
`res_field`, so the domain asks for both kinds.

What is not attached is said on the card: an invoice without a PDF in Odoo (the email still
goes), and PDFs past the limits (10 files, 10 MB together, the checks one action may carry).
File names are Odoo text anyone who uploads a file chooses: they are cleaned (`safe_pdf_name`).
"""

import re
import unicodedata
from dataclasses import dataclass, field

from actions.inputs import EMAIL_ATTACHMENTS_MAX_BYTES, EMAIL_MAX_ATTACHMENTS
from actions.predicates import RevalidationPlan
from actions.describe import file_size
from aiom.text import one_line

PDF = "application/pdf"
#: The binary field of account.move whose attachment is the invoice's PDF (Odoo 17+).
REPORT_FIELD = "invoice_pdf_report_file"
FIELDS = ["name", "mimetype", "file_size", "checksum", "res_id", "res_field"]
#: Several PDFs per invoice are common (re-printed, uploaded); more than this are not looked at.
READ_LIMIT = 500
NAME_LIMIT = 100
#: How many revalidation checks one action may carry (a PDF takes one).
PLAN_CHECKS = next(rule.max_length for rule in RevalidationPlan.model_fields["checks"].metadata
                   if hasattr(rule, "max_length"))
_SHA1 = re.compile(r"[0-9a-f]{40}")

NO_PDF = "no PDF in Odoo: not attached; the email still goes"
TOO_MANY = f"not attached: an email carries at most {EMAIL_MAX_ATTACHMENTS} PDFs"
TOO_LARGE = f"not attached: the PDFs would come to more than {EMAIL_ATTACHMENTS_MAX_BYTES // 2**20} MB together"
NO_ROOM = "not attached: the email already carries as many PDFs as can be checked again before it is sent"


@dataclass
class Plan:
    """`inputs`: the email's attachments; `checks`: one per PDF, its checksum unchanged;
    `sizes`: each attachment's size in bytes; `left_out`: in words, each invoice whose PDF is
    not attached and why (both for the card)."""

    inputs: list = field(default_factory=list)
    checks: list = field(default_factory=list)
    sizes: list = field(default_factory=list)
    left_out: list = field(default_factory=list)


def plan(odoo, invoices: list[dict], *, room: int) -> Plan:
    """The PDFs of `invoices` (oldest first) that one email may carry; `room` is how many more
    checks the action may take."""
    found = _pdfs_by_invoice(odoo, [invoice["id"] for invoice in invoices])
    result, total, names = Plan(), 0, set()
    for invoice in invoices:
        row, invoice_name = found.get(invoice["id"]), one_line(invoice["name"], NAME_LIMIT)
        if row is None:
            result.left_out.append(f"Invoice {invoice_name}: {NO_PDF}")
            continue
        name = _unique(safe_pdf_name(row["name"], invoice["name"]), names)
        size = row["file_size"]
        problem = (TOO_MANY if len(result.inputs) >= EMAIL_MAX_ATTACHMENTS else
                   NO_ROOM if len(result.checks) >= room else
                   TOO_LARGE if total + size > EMAIL_ATTACHMENTS_MAX_BYTES else "")
        if problem:
            result.left_out.append(f"Invoice {invoice_name}: {name} ({file_size(size)}) {problem}")
            continue
        names.add(name)
        total += size
        result.sizes.append(size)
        result.inputs.append({"attachment_id": row["id"], "name": name, "checksum": row["checksum"]})
        result.checks.append({"check_id": f"pdf-unchanged-{row['id']}", "predicate": {
            "type": "odoo_field_equals", "model": "ir.attachment", "id": row["id"], "field": "checksum",
            "expected": row["checksum"]}})
    return result


def _pdfs_by_invoice(odoo, invoice_ids: list[int]) -> dict[int, dict]:
    """Each invoice's PDF: the report's (Odoo 17+) before any other, else the newest."""
    rows = odoo.search_read("ir.attachment", [
        ("res_model", "=", "account.move"), ("res_id", "in", invoice_ids), ("mimetype", "=", PDF),
        "|", ("res_field", "=", False), ("res_field", "=", REPORT_FIELD)], FIELDS, order="id desc", limit=READ_LIMIT)
    chosen: dict[int, dict] = {}
    for row in rows:
        if not _usable(row, invoice_ids):
            continue
        current = chosen.get(row["res_id"])
        if current is None or (row.get("res_field") == REPORT_FIELD and current.get("res_field") != REPORT_FIELD):
            chosen[row["res_id"]] = row
    return chosen


def _usable(row: dict, invoice_ids: list[int]) -> bool:
    """What Odoo answered is checked as any input is: a PDF of one of these invoices, with a
    size and a sha1 checksum (an attachment without content has none)."""
    return (row.get("res_id") in invoice_ids and row.get("mimetype") == PDF and isinstance(row.get("checksum"), str)
            and bool(_SHA1.fullmatch(row["checksum"])) and isinstance(row.get("file_size"), int)
            and not isinstance(row["file_size"], bool) and row["file_size"] > 0)


def safe_pdf_name(raw, invoice_name: str) -> str:
    """A file name a mail client saves as it is: one line, no folder, no characters Windows
    refuses, at most 100 characters, ending in .pdf; the invoice's number when nothing is left."""
    text = unicodedata.normalize("NFKC", raw if isinstance(raw, str) else "")
    text = "".join(" " if unicodedata.category(char)[0] in "CZ" else char for char in text)
    text = re.sub(r'[\\/<>:"|?*]', "_", text)
    text = re.sub(r"\.{2,}", ".", re.sub(r"\s+", " ", text))
    stem = re.sub(r"\.pdf$", "", text.strip(), flags=re.IGNORECASE).strip(" ._")
    if not stem:
        stem = re.sub(r"[^A-Za-z0-9_-]+", "_", invoice_name).strip("_") or "invoice"
    return stem[:NAME_LIMIT - 4].rstrip(" .") + ".pdf"


def _unique(name: str, taken: set) -> str:
    """Two files of one email never share a name (a client would show one of them twice)."""
    stem, number = name[:-4], 2
    while name in taken:
        suffix = f" ({number})"
        name, number = f"{stem[:NAME_LIMIT - 4 - len(suffix)]}{suffix}.pdf", number + 1
    return name
