"""Follow-up levels that attach the invoices' PDFs from Odoo, and levels that leave the invoice
lines out: what the customer receives (SMTP, SMTP2GO's API), what the card says, and what stops
a PDF that changed, went missing or is too large."""

import base64
import hashlib

import pytest
from django.urls import reverse

from actions import services
from actions.models import Action, ActionStatus
from actions.protocol import ProtocolError, parse_protocol
from actions.types import ActionType
from analyzers import messages
from followups import engine
from followups.attachments import safe_pdf_name
from followups.defaults import ensure_defaults
from followups.models import Level
from integrations.email import Smtp2goApiBackend, send_email

from .conftest import EMMA
from .test_sequence_editor import _default, _form, _post

SMALL_PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def attaching(chasing_org):
    """The invoice sequence's levels attach the PDFs (the SMS and task levels have nothing to attach)."""
    ensure_defaults(chasing_org)
    Level.objects.filter(sequence__organization=chasing_org, sequence__kind="invoices").update(attach_invoices=True)
    return chasing_org


def _level(org) -> Action:
    [action] = Action.objects.filter(organization=org, source="follow_up", partner_id=EMMA)
    return action


def _emma_pdf(odoo) -> dict:
    [row] = odoo.search_read("ir.attachment", [("res_model", "=", "account.move"), ("res_id", "in", _emma_invoices(odoo)),
                                               ("res_field", "=", "invoice_pdf_report_file")],
                             ["name", "datas", "checksum", "file_size"])
    return row


def _emma_invoices(odoo) -> list[int]:
    return odoo.search("account.move", [("partner_id", "=", EMMA), ("move_type", "=", "out_invoice")])


def _add_pdf(odoo, invoice_id: int, content: bytes, name: str) -> int:
    return odoo.create("ir.attachment", {"name": name, "res_model": "account.move", "res_id": invoice_id,
                                         "mimetype": "application/pdf", "datas": base64.b64encode(content).decode()})


def _card(client, user, action) -> str:
    client.force_login(user)
    return client.get(reverse("dashboard:action", args=[action.pk])).content.decode()


def _approve_and_send(action, approver):
    services.approve(action, approver, protocol_hash=action.protocol_hash)
    return services.execute(action.pk)


def test_an_approved_level_arrives_with_the_invoice_pdf_byte_for_byte(attaching, odoo, approver, smtp, client):
    pdf = _emma_pdf(odoo)
    engine.tick(attaching, odoo)
    action = _level(attaching)
    [attached] = action.parsed.operation.inputs.attachments
    assert (attached.name, attached.checksum) == (pdf["name"], pdf["checksum"])
    page = _card(client, approver, action)
    assert "Attached to the email" in page and f"{pdf['name']} ({pdf['file_size']} bytes)" in page
    assert f"The PDF “{pdf['name']}” in Odoo is still the one approved" in page

    assert _approve_and_send(action, approver).status == ActionStatus.EXECUTED
    [mail] = smtp.received
    [part] = list(mail.message.iter_attachments())
    assert part.get_filename() == pdf["name"] and part.get_content_type() == "application/pdf"
    assert part.get_content() == base64.b64decode(pdf["datas"])
    assert "Invoice INV/" in mail.message.get_body(("plain",)).get_content()  # the invoice is still listed


def test_a_pdf_changed_in_odoo_after_approval_blocks_the_email(attaching, odoo, approver, smtp):
    engine.tick(attaching, odoo)
    action = _level(attaching)
    services.approve(action, approver, protocol_hash=action.protocol_hash)
    odoo.write("ir.attachment", [_emma_pdf(odoo)["id"]], {"datas": base64.b64encode(SMALL_PDF + b"% revised\n").decode()})

    outcome = services.execute(action.pk)

    assert outcome.status == ActionStatus.BLOCKED and smtp.received == []
    action.refresh_from_db()
    assert "content fingerprint changed" in action.status_reason


def test_bytes_that_no_longer_match_the_checksum_odoo_reports_are_not_sent(attaching, odoo, sandbox, approver, smtp):
    """Odoo answering a checksum its own bytes do not have: the executor's sha1 refuses the send."""
    engine.tick(attaching, odoo)
    action = _level(attaching)
    services.approve(action, approver, protocol_hash=action.protocol_hash)
    pdf_id = _emma_pdf(odoo)["id"]
    with sandbox.store.transaction():  # behind the server's back: its checksum stays the old one
        sandbox.store.update("ir.attachment", pdf_id, {"datas": base64.b64encode(SMALL_PDF).decode()})

    outcome = services.execute(action.pk)

    assert outcome.status == ActionStatus.FAILED and smtp.received == []
    action.refresh_from_db()
    assert "is not the one approved" in action.status_reason + action.error


def test_an_invoice_without_a_pdf_goes_without_and_the_card_says_so(attaching, odoo, add_invoice, approver, smtp,
                                                                      client):
    extra = add_invoice(EMMA, 6, 300.0)  # a new invoice: nothing printed in Odoo yet
    pdf = _emma_pdf(odoo)
    engine.tick(attaching, odoo)
    action = _level(attaching)
    assert [a.name for a in action.parsed.operation.inputs.attachments] == [pdf["name"]]
    page = _card(client, approver, action)
    assert f"Invoice {extra['name']}: no PDF in Odoo: not attached; the email still goes" in page

    assert _approve_and_send(action, approver).status == ActionStatus.EXECUTED
    [mail] = smtp.received
    assert [part.get_filename() for part in mail.message.iter_attachments()] == [pdf["name"]]


def test_a_hostile_file_name_from_odoo_is_cleaned_before_it_reaches_the_email(attaching, odoo, approver, smtp):
    odoo.write("ir.attachment", [_emma_pdf(odoo)["id"]], {"name": "../../etc/passwd\r\nBcc: x@y"})
    engine.tick(attaching, odoo)
    action = _level(attaching)
    [attached] = action.parsed.operation.inputs.attachments
    assert attached.name == "etc_passwd Bcc_ x@y.pdf"

    assert _approve_and_send(action, approver).status == ActionStatus.EXECUTED
    [mail] = smtp.received
    assert mail.rcpt_tos == ["emma.claes@mail.example"] and mail.message["Bcc"] is None
    assert [part.get_filename() for part in mail.message.iter_attachments()] == ["etc_passwd Bcc_ x@y.pdf"]


@pytest.mark.parametrize("raw, cleaned", [
    ("INV_2026_00012.pdf", "INV_2026_00012.pdf"),
    ("C:\\Users\\ap\\Invoice 12.PDF", "C__Users_ap_Invoice 12.pdf"),
    ("..", "INV_2026_00012.pdf"),
    ("", "INV_2026_00012.pdf"),
    (False, "INV_2026_00012.pdf"),
    ("report\u202etxt.exe", "report txt.exe.pdf"),  # a right-to-left override cannot disguise the name
    ("x" * 300 + ".pdf", "x" * 96 + ".pdf"),
])
def test_file_names_are_one_line_without_folders_and_end_in_pdf(raw, cleaned):
    assert safe_pdf_name(raw, "INV/2026/00012") == cleaned


def test_pdfs_past_the_size_limit_are_left_out_and_the_card_says_why(attaching, odoo, add_invoice, approver, client):
    big = add_invoice(EMMA, 2, 90.0)  # due after Emma's first invoice: its PDF comes second
    _add_pdf(odoo, big["id"], SMALL_PDF + b"0" * (10 * 2**20), "scan.pdf")
    engine.tick(attaching, odoo)
    action = _level(attaching)
    assert [a.name for a in action.parsed.operation.inputs.attachments] == [_emma_pdf(odoo)["name"]]
    page = _card(client, approver, action)
    assert (f"Invoice {big['name']}: scan.pdf (10.0 MB) not attached: the PDFs would come to more than 10 MB "
            "together") in page


def test_the_email_input_refuses_forged_attachments():
    document = _forged_email()
    assert parse_protocol(document).operation.inputs.attachments[0].name == "INV_1.pdf"
    good = {"attachment_id": 5, "name": "INV_1.pdf", "checksum": "a" * 40}
    for attachments, problem in [
        ([{**good, "name": "../INV_1.pdf"}], "path separators"),
        ([{**good, "name": "INV_1.pdf\r\nBcc: x@y"}], "line breaks"),
        ([{**good, "name": "INV_1.exe"}], "ending in .pdf"),
        ([{**good, "checksum": "not-a-sha1"}], "checksum"),
        ([good, good], "attached once"),
        ([{**good, "attachment_id": number} for number in range(1, 12)], "at most 10"),
    ]:
        document["operation"]["inputs"]["attachments"] = attachments
        with pytest.raises(ProtocolError) as refused:
            parse_protocol(document)
        assert problem in str(refused.value)


def test_the_smtp2go_api_carries_the_pdf_as_a_file_blob(http_server, settings):
    settings.DEFAULT_FROM_EMAIL = "Acme Finance <finance@acme.example>"
    http_server.answer(200, {"data": {"succeeded": 1, "failed": 0, "failures": [], "email_id": "1er8bV"}})
    send_email(to=["emma.claes@mail.example"], subject="Reminder: invoice INV/1", text_body="Invoice INV/1 is open.",
               message_id="<5f1d7c1e@aiom>", attachments=[("INV_1.pdf", SMALL_PDF, "application/pdf")],
               connection=Smtp2goApiBackend(api_key="api-key", api_url=f"{http_server.url}/v3/", timeout=2))
    [request] = http_server.requests
    [blob] = request.json()["attachments"]
    assert blob == {"filename": "INV_1.pdf", "fileblob": base64.b64encode(SMALL_PDF).decode(),
                    "mimetype": "application/pdf"}


def test_without_the_invoice_lines_a_level_states_the_count_and_the_total(chasing_org, odoo, add_invoice):
    ensure_defaults(chasing_org)
    Level.objects.filter(sequence__organization=chasing_org, sequence__kind="invoices").update(list_invoices=False)
    extra = add_invoice(EMMA, 6, 300.0)
    engine.tick(chasing_org, odoo)
    inputs = _level(chasing_org).parsed.operation.inputs
    assert inputs.subject == "Reminder: 2 open invoices (480.00 EUR)"
    assert "Total open: 480.00 EUR (2 invoices)" in inputs.body
    assert extra["name"] not in inputs.body and "Invoice INV/" not in inputs.body and inputs.attachments == []


def test_an_sms_without_the_invoice_lines_states_the_count_and_the_total():
    invoices = [{"id": 1, "name": "INV/1", "residual": 180.0, "due": "2026-01-05", "days_overdue": 5, "currency": "EUR"},
                {"id": 2, "name": "INV/2", "residual": 300.0, "due": "2026-01-06", "days_overdue": 4, "currency": "EUR"}]
    facts = {"partner_id": EMMA, "partner_name": "Emma Claes", "invoices": invoices}
    slots = messages.default_slots(ActionType.SEND_DUNNING_SMS, "friendly")
    listed, totalled = (messages.compose(ActionType.SEND_DUNNING_SMS, {**facts, "list_invoices": listing}, slots,
                                         organization_name="Acme", payment_instructions="", tone="friendly").body
                        for listing in (True, False))
    assert "oldest INV/1" in listed
    assert "2 invoices open, 480.00 EUR in all." in totalled and "INV/" not in totalled


def _forged_email() -> dict:
    """An email protocol as an API client could send it (valid as it stands)."""
    checksum = hashlib.sha1(SMALL_PDF).hexdigest()
    return {
        "action_id": "0b3b3c39-7a59-4d5f-9a4e-2f1f1d1f6d10", "action_type": "send_dunning_email",
        "safe_operation": "send_email", "risk_level": "medium", "title": "Reminder: Emma Claes",
        "operation": {"type": "send_email", "inputs": {
            "to": ["emma.claes@mail.example"], "subject": "Reminder: invoice INV/1", "body": "Invoice INV/1 is open.",
            "attachments": [{"attachment_id": 5, "name": "INV_1.pdf", "checksum": checksum}]}},
        "expected_effect": "Emma Claes pays the 180.00 EUR still open.",
        "reasoning": "Level 2 of the invoice sequence is due for this customer.",
        "external_effects": [{"effect_type": "email", "recipient": "emma.claes@mail.example",
                              "subject": "Reminder: invoice INV/1", "preview": "Invoice INV/1 is open."}],
        "affected_records": {"odoo_model": "res.partner", "odoo_ids": [EMMA], "description": "Emma Claes"},
        "idempotency_key": "followup:acme:test", "created_at": "2026-01-10T09:00:00+00:00",
        "expires_at": "2026-01-11T09:00:00+00:00", "created_by": "system", "source": "follow_up",
    }


def test_an_admin_ticks_attaching_the_pdfs_on_a_level_in_the_sequence_editor(client, admin_member, org):
    sequence = _default(org)
    client.force_login(admin_member)
    page = client.get(reverse("dashboard:sequence", args=[sequence.pk])).content.decode()
    assert 'name="levels-1-attach_invoices"' in page and "Attach the invoices&#x27; PDFs (email)" in page

    response = _post(client, sequence, _form(sequence, changes={1: {"attach_invoices": "on"}}))

    assert "Sequence saved" in " ".join(str(message) for message in response.context["messages"])
    assert [level.attach_invoices for level in sequence.levels.order_by("position")][:3] == [False, True, False]
