"""The one error contract for calls to outside systems (Odoo, email, SMS, Claude).

A caller needs three answers from such an error, whatever the system: what to tell a person
(`message`, never a credential), whether the same call could succeed later (`permanent`), and
whether the call may have taken effect although no answer came back (`maybe_done`: a timeout
after the request left, a connection lost mid-send). The executor decides retries and
"outcome unknown" from these alone, so every client raises a subclass of `ExternalError`.
"""


class ExternalError(Exception):
    #: The default for the class; an instance may say otherwise.
    permanent = True

    def __init__(self, message: str, *, permanent: bool | None = None, maybe_done: bool = False):
        super().__init__(message)
        self.message = message
        if permanent is not None:
            self.permanent = permanent
        self.maybe_done = maybe_done

    @property
    def transient(self) -> bool:
        return not self.permanent
