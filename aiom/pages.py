"""How a page answers what a service said: the one shape of every POST that calls a service.

A refusal of permission (`NotAllowed`) is a 403, as the page's own checks are; any other refusal
(`ApplicationError`) becomes an error message the person reads on the page they come back to.
What succeeded, the page says itself: it knows the words.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied

from .errors import ApplicationError, NotAllowed


def carry_out(request, call, *, then_said: str = "") -> tuple[bool, object]:
    """(True, what `call()` returned), or (False, None) once the refusal is shown; `then_said`
    follows the refusal ("Nothing was changed.")."""
    try:
        return True, call()
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from exc
    except ApplicationError as exc:
        messages.error(request, f"{exc.message} {then_said}".strip())
        return False, None
