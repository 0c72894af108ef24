"""The part of an action's card that follows from its revision alone, worked out once.

A revision's protocol never changes (a new one gets a new hash), so what the card says about it
(the diff, the message, the checks, the notes its author wrote) is computed once, drawn once as
HTML (templates/dashboard/partials/card_revision.html) and kept in Django's cache (per process
by default, shared when CACHE_URL is set). Whatever depends on the viewer or on live state — who
may decide, decisions so far, other apps' notes, the guardrails' verdict and contact budget,
countdowns, the CSRF token — is not in here and is read on every page (`presentation.ActionCard`).
"""

import difflib
import hashlib
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.template.loader import get_template
from django.urls import reverse
from django.utils.safestring import SafeString

CARD_CACHE_SECONDS = 7 * 24 * 3600
#: The template that draws a revision's part of a card, one `part` at a time.
REVISION_TEMPLATE = "dashboard/partials/card_revision.html"
REVISION_PARTS = ("changes", "contacts", "provenance", "why", "checks")


@dataclass(frozen=True)
class CardContent:
    """What a card shows about one revision, ready for a template."""

    requested_by: str
    expected_effect: str
    reasoning: str
    changes: tuple
    contacts: tuple
    attachments: tuple
    recipient_domains: tuple
    approver_notes: tuple
    content_flags: tuple
    written_by_claude: bool
    rules_draft_diff: tuple
    edit_warnings: tuple
    checks: tuple
    #: A message to a known customer: the organisation's contact budget applies (if it has one).
    budgeted: bool
    #: {part: HTML} drawn from the fields above by REVISION_TEMPLATE (`revision_html`).
    html: dict = field(default_factory=dict)


def revision_html(content: CardContent) -> dict[str, SafeString]:
    """Each of REVISION_PARTS as the template draws it from `content` alone (escaped as any
    template output; no request, so no viewer and no CSRF token can get in)."""
    template = get_template(REVISION_TEMPLATE)
    return {part: template.render({"content": content, "part": part}) for part in REVISION_PARTS}


def _drawn(content) -> bool:
    """A cached value is used only when it is a card with every part drawn by the template."""
    return (isinstance(content, CardContent) and isinstance(content.html, dict)
            and all(isinstance(content.html.get(part), SafeString) for part in REVISION_PARTS))


def _fingerprint() -> str:
    """The wording's code, and the template that draws it: a new release (or, in DEBUG, an
    edited template) never shows a shared cache's old words."""
    sources = [Path(__file__).with_name(name).read_bytes() for name in ("presentation.py", "describe.py", "card_content.py")]
    sources.append(Path(get_template(REVISION_TEMPLATE).origin.name).read_bytes())
    return hashlib.sha256(b"\0".join(sources)).hexdigest()[:12]


_release_fingerprint = lru_cache(maxsize=1)(_fingerprint)


def _version() -> str:
    return _fingerprint() if settings.DEBUG else _release_fingerprint()


def rules_draft_diff(protocol) -> list[tuple[str, str]]:
    """(mark, line) from the rules' draft to the message as it stands: "-" only in the rules'
    draft, "+" only in this message, " " in both."""
    rules_text = protocol.metadata.get("rules_body")
    body = getattr(protocol.operation.inputs, "body", None)
    if not isinstance(rules_text, str) or body is None:
        return []
    return [(line[0], line[2:]) for line in difflib.ndiff(rules_text.splitlines(), body.splitlines())
            if not line.startswith("?")]


def card_cache_key(action, version: str = "") -> str:
    """One revision of one action of one organisation: nothing is shared across them."""
    return (f"aiom:card:{version or _version()}:{settings.LANGUAGE_CODE}:{action.organization_id}:{action.pk}:"
            f"{action.protocol_hash}")


def card_contents(actions, build) -> dict:
    """{action id: CardContent, with its HTML} for a page of actions: one cache read, and one
    write for the revisions not seen before (only those are parsed, by `build(protocol)`: the
    wording lives in presentation.py and describe.py, which call this, and drawn)."""
    version = _version()
    keys = {card_cache_key(action, version): action for action in actions}
    found = cache.get_many(list(keys))
    missing = {key: with_html(build(action.parsed)) for key, action in keys.items() if not _drawn(found.get(key))}
    if missing:
        cache.set_many(missing, CARD_CACHE_SECONDS)
    return {action.pk: missing.get(key) or found[key] for key, action in keys.items()}


def with_html(content: CardContent) -> CardContent:
    return replace(content, html=revision_html(content))


_PLACEHOLDER = "00000000-0000-0000-0000-000000000000"


@lru_cache(maxsize=None)
def _url_pattern(name: str) -> str:
    """The URL of `name` for a placeholder id, reversed once per process: reversing was most of
    what a card's links cost."""
    return reverse(name, args=[_PLACEHOLDER])


def action_url(name: str, pk) -> str:
    """reverse(name, args=[pk]) for the action urls that take one id."""
    return _url_pattern(name).replace(_PLACEHOLDER, str(pk))


_MODEL_PLACEHOLDER, _ID_PLACEHOLDER = "aiom-model-placeholder", 2**31 - 1


@lru_cache(maxsize=1)
def _record_pattern() -> str:
    return reverse("dashboard:record", args=[_MODEL_PLACEHOLDER, _ID_PLACEHOLDER])


def record_url(model: str, record_id: int) -> str:
    """reverse("dashboard:record", args=[model, record_id]) for an Odoo model name (letters,
    digits, dots and underscores, nothing a URL would have to escape)."""
    if not (model.isascii() and model.replace(".", "").replace("_", "").isalnum()):
        return reverse("dashboard:record", args=[model, record_id])
    return _record_pattern().replace(_MODEL_PLACEHOLDER, model).replace(str(_ID_PLACEHOLDER), str(int(record_id)))
