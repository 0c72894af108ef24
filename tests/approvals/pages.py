"""Reading what a person sees: the decision form on a confirmation page, links in an email."""

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

from django.urls import reverse


class _DecisionFormParser(HTMLParser):
    """Collects the fields of the form that posts to the approval-link decision URL."""

    def __init__(self):
        super().__init__()
        self.fields: dict[str, str] = {}
        self.found = False
        self._inside = False
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("action") == reverse("approval-link-decide"):
            self.found = self._inside = True
        elif self._inside and tag == "input" and attrs.get("name"):
            self.fields[attrs["name"]] = attrs.get("value") or ""
        elif self._inside and tag == "textarea":
            self._textarea = attrs["name"]
            self.fields[self._textarea] = ""

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self._inside = False


def decision_form(html: str) -> dict[str, str]:
    parser = _DecisionFormParser()
    parser.feed(html)
    assert parser.found, "the page has no decision form"
    return parser.fields


def submit(client, token: str, **changes):
    """Open the link, then press the button on the page (with `changes` typed into the form)."""
    page = client.get(reverse("approval-link", args=[token]))
    assert page.status_code == 200, page.status_code
    return client.post(reverse("approval-link-decide"), {**decision_form(page.content.decode()), **changes})


def link_path(text: str, label: str) -> str:
    """The path of the `label: <url>` link in a plain-text email or SMS."""
    match = re.search(rf"{label}: (\S+)", text)
    assert match, f"no {label} link in:\n{text}"
    return urlsplit(match.group(1)).path


def token_of(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[1]
