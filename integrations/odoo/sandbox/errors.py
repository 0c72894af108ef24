"""Exceptions that mirror ``odoo.exceptions``.

The transports turn them into faults and HTTP statuses exactly as Odoo does, so they carry
the dotted name Odoo reports (``odoo.exceptions.MissingError``) and the JSON-2 status code.
Anything else raised inside a method (ValueError, TypeError, AttributeError) is reported
like an unexpected Python error: fault 1 with a traceback, or HTTP 500.
"""


class UserError(Exception):
    odoo_name = "odoo.exceptions.UserError"
    http_status = 422

    def __init__(self, message):
        super().__init__(message)
        self.message = message

    def __str__(self):
        return self.message


class ValidationError(UserError):
    odoo_name = "odoo.exceptions.ValidationError"


class MissingError(UserError):
    odoo_name = "odoo.exceptions.MissingError"
    http_status = 404


class AccessError(UserError):
    odoo_name = "odoo.exceptions.AccessError"
    http_status = 403


class AccessDenied(UserError):
    odoo_name = "odoo.exceptions.AccessDenied"
    http_status = 403

    def __init__(self, message="Access Denied"):
        super().__init__(message)


class DatabaseNotFound(Exception):
    """What psycopg2 reports when Odoo opens a registry for a database that does not exist."""

    odoo_name = "psycopg2.OperationalError"

    def __init__(self, db):
        super().__init__(f'connection to server failed: FATAL:  database "{db}" does not exist')
