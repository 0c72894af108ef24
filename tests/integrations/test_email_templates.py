"""Email templates: what a customer reads, escaped where it must be and only there."""

import datetime

import pytest

from integrations.email import render_email

INVOICE = {
    "greeting": "Dear",
    "partner_name": "Smith & Sons",
    "opening": "This is a friendly reminder that the invoice below is still open.",
    "invoice_name": "INV/2024/0042",
    "amount_due": "1,250.50 EUR",
    "due_date": datetime.date(2024, 5, 31),
    "days_overdue": 12,
    "closing": "Kind regards,",
    "company_name": "Acme Ltd",
}


def test_friendly_invoice_reminder_reads_well_in_text_and_html():
    subject, text, html = render_email("emails/invoice_reminder", {**INVOICE, "tone": "friendly"})

    assert subject == "Reminder: invoice INV/2024/0042"
    assert text.startswith("Dear Smith & Sons,\n\nThis is a friendly reminder")
    assert "Amount due: 1,250.50 EUR\nDue date: 31 May 2024\nDays overdue: 12\n\nKind regards,\nAcme Ltd\n" in text
    assert "\n\n\n" not in text
    assert "Dear Smith &amp; Sons," in html
    assert "1,250.50 EUR" in html
    assert "Acme Ltd" in html


def test_firm_invoice_reminder_says_how_late_and_asks_for_payment():
    subject, text, _ = render_email("emails/invoice_reminder", {**INVOICE, "tone": "firm"})

    assert subject == "Overdue: invoice INV/2024/0042 is 12 days past due"
    assert "Days overdue: 12\n\nPlease pay the amount due within 7 days." in text
    assert "within 7 days" in text


def test_the_written_opening_replaces_the_default_wording_and_keeps_its_paragraphs():
    opening = "We spoke last week.\nThank you for your call.\n\nWe look forward to hearing from you."

    _, text, html = render_email("emails/invoice_reminder", {**INVOICE, "greeting": "Hello", "opening": opening})

    assert text.startswith("Hello Smith & Sons,\n\n" + opening + "\n\nInvoice: INV/2024/0042")
    assert "friendly reminder" not in text
    assert "<p>Hello Smith &amp; Sons,</p>" in html
    assert "<p>We spoke last week.<br>Thank you for your call.</p>" in html


@pytest.mark.parametrize("template", ["emails/invoice_reminder", "emails/deal_follow_up"])
def test_hostile_text_is_escaped_in_html_and_the_subject_stays_one_line(template):
    hostile = {
        "partner_name": '<script>alert("x")</script>',
        "deal_name": "Big deal\r\nBcc: x@evil.example",
        "invoice_name": "INV/1\nBcc: x@evil.example",
        "opening": "<img src=x onerror=alert(1)>",
    }
    subject, text, html = render_email(template, {**INVOICE, **hostile})

    assert "<script>" not in html and "<img" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "\n" not in subject and "\r" not in subject
    assert "<img src=x onerror=alert(1)>" in text  # plain text is not HTML: shown as written


def test_hostile_partner_name_is_escaped_in_the_default_wording():
    _, _, html = render_email("emails/deal_follow_up", {"greeting": "Dear", "partner_name": "<script>alert(1)</script>",
                                                         "company_name": "Acme"})

    assert "<script>" not in html
    assert "Dear &lt;script&gt;alert(1)&lt;/script&gt;," in html


def test_deal_follow_up_names_the_deal_and_signs_with_the_salesperson():
    subject, text, html = render_email("emails/deal_follow_up", {
        "greeting": "Dear", "partner_name": "Bob", "opening": "I wanted to follow up on our recent conversation.",
        "deal_name": "Warehouse shelving", "salesperson": "Ann Seller", "closing": "Kind regards,",
        "company_name": "Acme Ltd",
    })

    assert subject == "Following up on Warehouse shelving"
    assert text == (
        "Dear Bob,\n\nI wanted to follow up on our recent conversation.\n\nRegarding: Warehouse shelving\n"
        "Your contact: Ann Seller\n\nKind regards,\nAcme Ltd\n"
    )
    assert "Regarding: Warehouse shelving<br>Your contact: Ann Seller</p>" in html
    assert "Kind regards,<br>Acme Ltd" in html
    assert "http://" not in html and "https://" not in html  # no external assets
