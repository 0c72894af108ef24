"""ir.attachment and the invoice PDF as the sandbox serves them over XML-RPC: content-derived
fields as Odoo 17 computes them, and the demo invoices' PDFs."""

import base64
import hashlib
import re
import xmlrpc.client

import pytest

from integrations.odoo.sandbox.demo_files import WITH_PDF, invoice_pdf


def _pdfs(odoo):
    return odoo.call("ir.attachment", "search_read", [("res_model", "=", "account.move")],
                     fields=["name", "res_id", "res_field", "mimetype", "file_size", "checksum", "datas"])


def _is_one_page_pdf(content: bytes) -> bool:
    """Header, trailer, and a cross-reference table whose every offset starts its object."""
    if not (content.startswith(b"%PDF-1.4\n") and content.endswith(b"%%EOF\n")):
        return False
    start = int(re.search(rb"startxref\n(\d+)\n", content).group(1))
    table = content[start:].split(b"trailer")[0].splitlines()
    offsets = [int(line[:10]) for line in table[3:]]
    return (table[0] == b"xref" and len(offsets) == 5 and b"/Count 1" in content
            and all(content[offset:].startswith(b"%d 0 obj" % number) for number, offset in enumerate(offsets, 1)))


def test_demo_invoices_carry_their_pdf_as_odoo_17_stores_it(odoo):
    pdfs = _pdfs(odoo)
    assert len(pdfs) == len(WITH_PDF)
    for pdf in pdfs:
        content = base64.b64decode(pdf["datas"])
        assert _is_one_page_pdf(content)
        assert pdf["checksum"] == hashlib.sha1(content).hexdigest() and pdf["file_size"] == len(content) < 1000
        assert (pdf["mimetype"], pdf["res_field"]) == ("application/pdf", "invoice_pdf_report_file")
        [invoice] = odoo.call("account.move", "read", [pdf["res_id"]], fields=["name", "invoice_pdf_report_id"])
        assert invoice["invoice_pdf_report_id"] == [pdf["id"], pdf["name"]]
        assert pdf["name"] == invoice["name"].replace("/", "_") + ".pdf"
        assert invoice["name"].encode() in content
    without = odoo.call("account.move", "search_read", [("id", "not in", [pdf["res_id"] for pdf in pdfs])],
                        fields=["invoice_pdf_report_id"], limit=1)
    assert without[0]["invoice_pdf_report_id"] is False


def test_checksum_size_and_type_follow_the_content_whatever_the_caller_says(odoo):
    first, second = b"%PDF-1.4\nfirst\n%%EOF\n", b"second version"
    attachment_id = odoo.call("ir.attachment", "create", {
        "name": "Quote 7.pdf", "res_model": "res.partner", "res_id": 1, "checksum": "0" * 40, "file_size": 1,
        "datas": base64.b64encode(first).decode()})
    read = lambda: odoo.call("ir.attachment", "read", [attachment_id], fields=["checksum", "file_size", "mimetype"])[0]
    assert read() | {"id": 0} == {"id": 0, "checksum": hashlib.sha1(first).hexdigest(), "file_size": len(first),
                                  "mimetype": "application/pdf"}  # guessed from the name
    odoo.call("ir.attachment", "write", [attachment_id], {"checksum": "1" * 40, "file_size": 99})
    assert read()["checksum"] == hashlib.sha1(first).hexdigest()  # Odoo drops them on write
    odoo.call("ir.attachment", "write", [attachment_id], {"datas": base64.b64encode(second).decode()})
    assert read() | {"id": 0} == {"id": 0, "checksum": hashlib.sha1(second).hexdigest(), "file_size": len(second),
                                  "mimetype": "application/octet-stream"}  # guessed from the bytes
    empty = odoo.call("ir.attachment", "create", {"name": "note"})
    assert odoo.call("ir.attachment", "read", [empty], fields=["checksum", "file_size", "mimetype"])[0] | {"id": 0} == {
        "id": 0, "checksum": False, "file_size": 0, "mimetype": "application/octet-stream"}


def test_content_that_is_not_base64_is_a_server_error_as_in_odoo(odoo):
    with pytest.raises(xmlrpc.client.Fault) as fault:
        odoo.call("ir.attachment", "create", {"name": "x.pdf", "datas": "not base64!"})
    assert fault.value.faultCode == 1 and "base64" in fault.value.faultString


def test_the_invoice_pdf_is_small_and_names_its_lines():
    content = invoice_pdf(["Invoice INV/2026/00001", "Customer: Dubois (& Fils)", "Due: 1 200,00 \u20ac"])
    assert _is_one_page_pdf(content) and len(content) < 1000
    assert b"(Customer: Dubois \\(& Fils\\)) Tj" in content and b"?" in content  # outside Latin-1: replaced
