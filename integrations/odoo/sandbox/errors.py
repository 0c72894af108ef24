"""Exceptions that mirror ``odoo.exceptions`` (and the few of ``odoo.http``, werkzeug and
PostgreSQL that RPC clients see).

The transports turn them into faults and HTTP statuses exactly as Odoo does, so they carry
the dotted name Odoo reports (``odoo.exceptions.MissingError``) and the JSON-2 status code.
Anything else raised inside a method (ValueError, TypeError, AttributeError) is reported
like an unexpected Python error: fault 1 with a traceback, or HTTP 500 (see faults.py).
"""

from http import HTTPStatus


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


class SessionExpiredException(Exception):
    """``odoo.http.SessionExpiredException``: a web-client route that needs a login got none."""

    odoo_name = "odoo.http.SessionExpiredException"

    def __init__(self, message="Session expired"):
        super().__init__(message)


class InvalidTextRepresentation(Exception):
    """What PostgreSQL answers when a record id is not an integer (``WHERE id IN ('abc')``)."""

    odoo_name = "psycopg2.errors.InvalidTextRepresentation"

    def __init__(self, value):
        super().__init__(f'invalid input syntax for type integer: "{value}"')


class HTTPError(Exception):
    """A werkzeug HTTP exception (NotFound, BadRequest, ...) as Odoo's dispatchers report it."""

    def __init__(self, status, description):
        super().__init__(description)
        self.status = HTTPStatus(status)
        self.description = description
        self.odoo_name = f"werkzeug.exceptions.{self.status.phrase.replace(' ', '')}"

    def __str__(self):
        return f"{self.status.value} {self.status.phrase}: {self.description}"
