"""Execution runs against real services: the Odoo sandbox over sockets (`connected_org`,
`odoo`, `overdue_invoice` from tests/fixtures/odoo.py), aiosmtpd (`smtp`, tests/fixtures/mail.py),
and the database."""
