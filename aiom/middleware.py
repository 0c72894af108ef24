"""A database outage answers 503 with a page that says so, instead of a bare server error.

Every decision AIOM takes in a request (an approval, a rejection, an edit) is one transaction,
so when PostgreSQL cannot be reached PostgreSQL has kept nothing of it: the person can simply
try again once it is back, and a one-click approval token is still unused.
"""

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30


class DatabaseUnavailableMiddleware:
    """Turns `OperationalError` / `InterfaceError` from a view into `503 Service Unavailable`
    with `Retry-After`. The page is rendered without the request: context processors and the
    session would query the database again."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.error("database unavailable during %s %s (%s: %s)", request.method, request.path,
                     exception.__class__.__name__, str(exception).strip().partition("\n")[0])
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        response._has_been_logged = True  # logged above, with the cause; Django would log it again without
        return response
