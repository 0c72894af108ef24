"""The one application error family: services raise these, views turn them into clear 4xx."""


class ApplicationError(Exception):
    """A failure the user can understand and act on (as opposed to a bug)."""

    status_code = 400

    def __init__(self, message: str, extra: dict | None = None):
        super().__init__(message)
        self.message = message
        self.extra = extra or {}


class NotAllowed(ApplicationError):
    """The user may not do this (role, organisation)."""

    status_code = 403


class Conflict(ApplicationError):
    """The state changed under the request (already decided, superseded, stale)."""

    status_code = 409
