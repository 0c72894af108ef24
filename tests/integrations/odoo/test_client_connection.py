"""Per-organisation Odoo connections: which configuration an organisation uses, the clients made
from it, the admin that never shows the secret, the "Test connection" action, and seed_demo."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from aiom.models import Organization
from integrations.models import OdooConnection
from integrations.odoo.config import OdooConfig
from integrations.odoo.connections import client_for, config_for, shared_client_for
from integrations.odoo.errors import OdooError

SECRET = "s3cret-odoo-key-7f1c"


@pytest.fixture
def connection(org):
    return OdooConnection.objects.create(organization=org, url="https://acme.example.com", database="acme",
                                         username="bot@acme.example.com", secret=SECRET, protocol="json2")


@pytest.fixture
def superuser_client(client, db):
    user = get_user_model().objects.create_superuser("root", "root@example.com", "pw-root")
    client.force_login(user)
    return client


def use_settings_odoo(settings):
    settings.ODOO_URL, settings.ODOO_DB, settings.ODOO_USERNAME = "http://odoo.internal:8069/", "main", "api"
    settings.ODOO_PASSWORD, settings.ODOO_API_KEY, settings.ODOO_PROTOCOL = "pw", "key-wins", "xmlrpc"


def test_organization_config_comes_from_its_connection_not_the_settings(connection, settings):
    use_settings_odoo(settings)

    config = config_for(connection.organization)

    assert (config.url, config.db, config.username, config.secret, config.protocol) == (
        "https://acme.example.com", "acme", "bot@acme.example.com", SECRET, "json2")
    assert SECRET not in repr(config) + repr(connection) + str(connection)


def test_organization_without_connection_falls_back_to_settings(org, connection, other_org, settings):
    use_settings_odoo(settings)

    config = config_for(other_org)

    assert (config.url, config.db, config.secret) == ("http://odoo.internal:8069", "main", "key-wins")


def test_shared_clients_are_reused_until_the_connection_changes(connection):
    organization = connection.organization
    first = shared_client_for(organization)

    assert shared_client_for(organization) is first
    fresh = client_for(organization)
    assert fresh is not first and fresh.config == first.config
    fresh.close()

    connection.secret = "rotated-key"
    connection.save()
    renewed = shared_client_for(organization)
    assert renewed is not first and renewed.config.secret == "rotated-key"


@pytest.mark.parametrize("changes, message", [
    ({"url": ""}, "not an http"),
    ({"url": "ftp://odoo"}, "not an http"),
    ({"url": "https://admin:pw@odoo.example.com"}, "not in the URL"),
    ({"protocol": "jsonrpc"}, "Unknown Odoo protocol"),
    ({"secret": ""}, "needs a database, a login and a password or API key"),
])
def test_incomplete_configuration_is_refused_with_a_clear_message(changes, message):
    values = {"url": "https://odoo.example.com", "db": "main", "username": "api", "secret": "k", "protocol": "xmlrpc"}

    with pytest.raises(OdooError, match=message):
        OdooConfig(**values | changes)


def test_admin_change_page_never_shows_the_secret(superuser_client, connection):
    page = superuser_client.get(reverse("admin:integrations_odooconnection_change", args=[connection.pk]))

    assert page.status_code == 200
    assert b"bot@acme.example.com" in page.content
    assert SECRET.encode() not in page.content
    assert b"Leave blank to keep the current secret." in page.content


def test_admin_keeps_the_secret_when_left_blank_and_replaces_it_when_given(superuser_client, connection):
    url = reverse("admin:integrations_odooconnection_change", args=[connection.pk])
    form = {"organization": connection.organization.pk, "url": "https://odoo2.example.com", "database": "acme",
            "username": "bot@acme.example.com", "protocol": "xmlrpc", "secret": "", "timeout": "30"}

    assert superuser_client.post(url, form).status_code == 302
    connection.refresh_from_db()
    assert (connection.url, connection.secret) == ("https://odoo2.example.com", SECRET)

    assert superuser_client.post(url, form | {"secret": "new-key"}).status_code == 302
    connection.refresh_from_db()
    assert connection.secret == "new-key"


def test_admin_requires_a_secret_for_a_new_connection(superuser_client, org):
    form = {"organization": org.pk, "url": "https://odoo.example.com", "database": "acme", "username": "bot",
            "protocol": "xmlrpc", "secret": "", "timeout": "30"}

    page = superuser_client.post(reverse("admin:integrations_odooconnection_add"), form)

    assert page.status_code == 200
    assert b"Enter the Odoo password or API key." in page.content
    assert not OdooConnection.objects.exists()


@pytest.mark.parametrize("protocol", ["xmlrpc", "json2"])
def test_admin_test_connection_records_the_version(superuser_client, org, odoo_sandbox, protocol):
    good = OdooConnection.objects.create(organization=org, url=odoo_sandbox.url, database=odoo_sandbox.db,
                                         username=odoo_sandbox.login, secret=odoo_sandbox.api_key, protocol=protocol)
    other = Organization.objects.create(slug="wrong", name="Wrong Key")
    bad = OdooConnection.objects.create(organization=other, url=odoo_sandbox.url, database=odoo_sandbox.db,
                                        username=odoo_sandbox.login, secret="not-it", protocol=protocol)

    page = superuser_client.post(reverse("admin:integrations_odooconnection_changelist"),
                                 {"action": "test_connection", "_selected_action": [good.pk, bad.pk]}, follow=True)

    good.refresh_from_db()
    bad.refresh_from_db()
    assert good.server_version and good.last_error == "" and good.last_checked_at
    assert bad.server_version == "" and "login refused" in bad.last_error and bad.last_checked_at
    assert f"Odoo {good.server_version}, logged in as user".encode() in page.content
    assert b"not-it" not in page.content


def test_seed_demo_points_the_demo_organisation_at_the_sandbox_idempotently(db):
    for url in ("http://127.0.0.1:8069", "http://127.0.0.1:8070"):
        call_command("seed_demo", "--odoo-url", url, "--force", stdout=io.StringIO())

    connection = OdooConnection.objects.get()
    assert connection.organization.slug == "demo"
    assert (connection.url, connection.database, connection.username, connection.secret, connection.protocol) == (
        "http://127.0.0.1:8070", "aiom-demo", "admin", "aiom-demo-key", "xmlrpc")
