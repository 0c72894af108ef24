"""Demo invoice PDFs: six overdue invoices carry their PDF as Odoo 17 stores it, so a follow-up
level can attach them; every other invoice has none.

Each PDF is a small valid one-page document written here (no PDF library): the invoice's
number, customer, dates and amounts. It is stored as the attachment of the invoice's binary
field ``invoice_pdf_report_file`` (so ``account.move.invoice_pdf_report_id`` finds it), named
as Odoo names invoice PDFs (``INV_2026_00012.pdf``), with its checksum and size derived as on
create (schema_files.py).
"""

import base64

from .schema_files import INVOICE_PDF_FIELD, prepare_attachment

#: Customers (demo.py keys) whose oldest open invoice has a PDF.
WITH_PDF = ("dubois", "brightline", "nordic", "helios", "emma", "westpoint")


def build(builder):
    """Add the PDFs to the store ``builder`` (a ``demo.DemoBuilder``) fills."""
    store = builder.store
    for key in WITH_PDF:
        invoice = _oldest_open_invoice(store, builder.partners[key])
        if invoice is None:
            continue
        partner = store.row("res.partner", invoice["partner_id"]) or {}
        content = invoice_pdf([
            f"Invoice {invoice['name']}",
            f"Customer: {partner.get('name') or ''}",
            f"Invoice date: {invoice['invoice_date']}    Due date: {invoice['invoice_date_due']}",
            f"Total: {invoice['amount_total']:,.2f} EUR    Amount due: {invoice['amount_residual']:,.2f} EUR",
        ])
        store.insert("ir.attachment", prepare_attachment({
            "name": f"{invoice['name'].replace(' ', '_').replace('/', '_')}.pdf", "type": "binary",
            "res_model": "account.move", "res_id": invoice["id"], "res_field": INVOICE_PDF_FIELD,
            "mimetype": "application/pdf", "datas": base64.b64encode(content).decode("ascii"),
        }, creating=True))


def _oldest_open_invoice(store, partner_id):
    rows = [row for row in store.tables["account.move"].values()
            if row.get("partner_id") == partner_id and row.get("move_type") == "out_invoice"
            and row.get("state") == "posted" and row.get("payment_state") in ("not_paid", "partial")]
    return min(rows, key=lambda row: row["id"]) if rows else None


def invoice_pdf(lines: list[str]) -> bytes:
    """A one-page A4 PDF 1.4 showing ``lines`` in Helvetica: catalog, pages, page, font and one
    content stream, with a cross-reference table of exact byte offsets."""
    text = "".join(f"({_pdf_string(line)}) Tj T* " for line in lines)
    stream = f"BT /F1 12 Tf 16 TL 72 770 Td {text}ET".encode("latin-1")
    bodies = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(bodies, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(bodies) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(bodies) + 1, xref)
    return bytes(out)


def _pdf_string(text: str) -> str:
    """Text for a PDF literal string: Latin-1 only, with backslashes and parentheses escaped."""
    text = text.encode("latin-1", "replace").decode("latin-1")
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
