"""Choosing the target: a half-configured real Odoo is refused by name, never silently replaced
by the sandbox."""

import pytest

from .conftest import REQUIRED, real_odoo_settings


def test_half_the_settings_name_the_missing_ones(monkeypatch):
    for name in REQUIRED:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ODOO_TEST_URL", "https://staging.example.com")
    monkeypatch.setenv("ODOO_TEST_DB", "staging")

    with pytest.raises(pytest.UsageError, match="Set ODOO_TEST_LOGIN, ODOO_TEST_SECRET too"):
        real_odoo_settings()


def test_all_settings_choose_the_real_odoo_over_xmlrpc_by_default(monkeypatch):
    for name, value in zip(REQUIRED, ["https://staging.example.com", "staging", "bot@example.com", "key"]):
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("ODOO_TEST_PROTOCOL", raising=False)

    assert real_odoo_settings() == {"url": "https://staging.example.com", "db": "staging",
                                    "username": "bot@example.com", "secret": "key", "protocol": "xmlrpc"}
