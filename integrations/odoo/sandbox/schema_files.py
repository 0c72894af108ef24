"""Files attached to records (``ir.attachment``) and an invoice's PDF, as Odoo 17 serves them.

Merged into ``schema.MODELS``; the rules below are called from rules.py. Sources (odoo/odoo,
17.0): odoo/addons/base/models/ir_attachment.py and addons/account/models/account_move.py.

- ``datas`` is Odoo's base64 view of the file (``compute='_compute_datas'``, with an inverse
  that stores the bytes). The sandbox keeps the base64 text itself in the row.
- ``checksum`` (sha1 of the raw bytes, ``_compute_checksum``) and ``file_size`` are readonly:
  ``create`` and ``write`` drop given values and derive them from ``datas``
  (``_get_datas_related_values``); a create without content leaves them empty.
- ``mimetype`` is computed on create, and on a write of ``datas`` or ``mimetype``
  (``_check_contents`` → ``_compute_mimetype``): the given value (lowercased), else a guess
  from the name, else from the bytes, else ``application/octet-stream``.
- ``account.move.invoice_pdf_report_id`` (17.0+) is computed, not stored: the attachment of
  the binary field ``invoice_pdf_report_file`` (``res_field``), found by
  ``_compute_linked_attachment_id``. Odoo 16 has no such field; its report PDFs are plain
  attachments of the invoice (``res_field`` empty).
- Not served: url attachments' fetching, ``raw``, ``store_fname``, ``index_content``, the
  ``bin_size`` context, access rules, and the implicit ``res_field = False`` that Odoo's
  ``_search`` adds to a domain naming neither ``id`` nor ``res_field``.
"""

import base64
import binascii
import hashlib
import mimetypes

#: The binary field of account.move whose attachment is the invoice's PDF (Odoo 17+).
INVOICE_PDF_FIELD = "invoice_pdf_report_file"
_CONTENT_DERIVED = ("checksum", "file_size")


def file_models(schema):
    """The models keyed by name; ``schema`` is schema.py, passed in as for ``schema_hr``."""
    _model, char, integer, selection = schema._model, schema.char, schema.integer, schema.selection
    attachment = _model(
        "ir.attachment",
        "Attachment",
        order="id desc",
        name=char("Name", required=True),
        res_model=char("Resource Model"),
        res_field=char("Resource Field"),
        res_id=schema.Field("many2one_reference", "Resource ID"),
        type=selection("Type", [("url", "URL"), ("binary", "File")], required=True, default="binary"),
        datas=schema.Field("binary", "File Content (base64)"),
        mimetype=char("Mime Type", readonly=True),
        checksum=char("Checksum/SHA1", readonly=True),
        file_size=integer("File Size", readonly=True),
    )
    return {attachment.name: attachment}


def prepare_attachment(vals, *, creating):
    """``vals`` of an ``ir.attachment`` create or write with what Odoo derives from the content."""
    vals = dict(vals)
    for fname in _CONTENT_DERIVED:
        vals.pop(fname, None)
    raw = _decoded(vals["datas"]) if "datas" in vals else None
    if creating or "datas" in vals or "mimetype" in vals:
        vals["mimetype"] = _mimetype(vals, raw)
    if raw is not None and (raw or not creating):
        vals["checksum"] = hashlib.sha1(raw).hexdigest()
        vals["file_size"] = len(raw)
    return vals


def invoice_pdf_report(store, model, row):
    """``invoice_pdf_report_id``: the id of the invoice's report PDF, else False."""
    for attachment in store.tables["ir.attachment"].values():
        if (attachment.get("res_model"), attachment.get("res_id"), attachment.get("res_field")) == (
                model, row["id"], INVOICE_PDF_FIELD):
            return attachment["id"]
    return False


def _decoded(datas) -> bytes:
    """base64.b64decode as Odoo calls it; malformed text raises, as in Odoo (a server error)."""
    if not datas:
        return b""
    try:
        return base64.b64decode(datas)
    except binascii.Error as exc:
        raise ValueError(f"Invalid base64 content for ir.attachment.datas: {exc}") from None


def _mimetype(vals, raw):
    if vals.get("mimetype"):
        return str(vals["mimetype"]).lower()
    guessed = mimetypes.guess_type(str(vals["name"]))[0] if vals.get("name") else None
    if not guessed and raw:
        guessed = "application/pdf" if raw.startswith(b"%PDF-") else None
    return guessed.lower() if guessed else "application/octet-stream"
