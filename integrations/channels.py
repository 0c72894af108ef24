"""What the outbound channels accept, in one place: the protocol, the contact rules, the SMS
gateway and the approval SMS all read these limits from here."""

import re

#: E.164: a plus, a country code that does not start with 0, at most 15 digits in all. Seven is
#: the shortest complete international number in use.
E164 = re.compile(r"\+[1-9][0-9]{6,14}")
E164_PATTERN = f"^{E164.pattern}$"
#: Four concatenated segments; the gateway refuses longer texts.
SMS_MAX_CHARS = 640
#: Recipients of one email, to and cc together.
EMAIL_MAX_RECIPIENTS = 10


def is_e164(number: str) -> bool:
    return isinstance(number, str) and E164.fullmatch(number) is not None
