"""The Odoo password or API key is encrypted in the database: a dump does not reveal it, AIOM
still logs in with it, keys can be rotated, and a lost key gives a clear message instead of
a wrong login."""

import pytest
from cryptography.fernet import Fernet
from django.core.checks import run_checks
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from integrations.models import OdooConnection
from integrations.odoo.services import connection_check, connection_ensure

SECRET = "odoo-api-key-7c1f9e"
OLD_KEY, NEW_KEY, OTHER_KEY = (Fernet.generate_key().decode() for _ in range(3))


def stored(pk) -> str:
    """What the database itself holds (what a dump or a backup shows)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM integrations_odooconnection WHERE id = %s", [pk])
        return cursor.fetchone()[0]


@pytest.fixture
def odoo_connection(org):
    return connection_ensure(organization=org, url="https://acme.odoo.example", database="acme", username="bot",
                             secret=SECRET, protocol="xmlrpc")


def test_the_secret_is_stored_encrypted_and_read_back_for_the_login(odoo_connection):
    raw = stored(odoo_connection.pk)
    assert SECRET not in raw and raw.startswith("gAAAAA")  # a Fernet token
    assert OdooConnection.objects.get(pk=odoo_connection.pk).config().secret == SECRET


def test_encrypting_the_same_secret_twice_gives_different_tokens(org, other_org):
    first = connection_ensure(organization=org, url="https://a.example", database="a", username="bot",
                              secret=SECRET, protocol="xmlrpc")
    second = connection_ensure(organization=other_org, url="https://b.example", database="b", username="bot",
                               secret=SECRET, protocol="xmlrpc")
    assert stored(first.pk) != stored(second.pk)


def test_a_new_key_is_rotated_in_without_losing_a_secret(org, settings):
    settings.AIOM_ENCRYPTION_KEYS = [OLD_KEY]
    saved = connection_ensure(organization=org, url="https://acme.odoo.example", database="acme", username="bot",
                              secret=SECRET, protocol="xmlrpc")
    settings.AIOM_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]  # the new key first, the old one still opens
    assert OdooConnection.objects.get(pk=saved.pk).secret == SECRET

    call_command("rotate_encryption_key", stdout=open("/dev/null", "w"))

    settings.AIOM_ENCRYPTION_KEYS = [NEW_KEY]  # the old key dropped
    assert OdooConnection.objects.get(pk=saved.pk).secret == SECRET
    assert Fernet(NEW_KEY).decrypt(stored(saved.pk).encode()).decode() == SECRET


def test_a_lost_key_says_so_instead_of_trying_a_wrong_login(odoo_connection, settings, caplog):
    settings.AIOM_ENCRYPTION_KEYS = [OTHER_KEY]
    reloaded = OdooConnection.objects.get(pk=odoo_connection.pk)

    health = connection_check(connection=reloaded)

    assert health["ok"] is False and "cannot be decrypted" in health["error"]
    assert "enter it again in the admin" in health["error"]
    assert "cannot be decrypted with the configured keys" in caplog.text
    assert SECRET not in caplog.text
    with pytest.raises(CommandError, match="1 secret"):
        call_command("rotate_encryption_key", stdout=open("/dev/null", "w"))


def test_the_new_key_command_prints_a_usable_key(capsys):
    call_command("rotate_encryption_key", "--new-key")
    key = capsys.readouterr().out.strip()
    assert Fernet(key).decrypt(Fernet(key).encrypt(b"x")) == b"x"


def test_a_malformed_key_is_a_configuration_error(settings):
    settings.AIOM_ENCRYPTION_KEYS = [NEW_KEY, "not-a-key"]
    errors = [error for error in run_checks() if error.id == "aiom.E010"]
    assert len(errors) == 1 and "key 2 is not a Fernet key" in errors[0].msg


@pytest.mark.django_db(transaction=True)
def test_the_migration_encrypts_secrets_stored_in_plain_text(org):
    executor = MigrationExecutor(connection)
    executor.migrate([("integrations", "0002_outboxmessage")])
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO integrations_odooconnection (organization_id, url, database, username, protocol, "
                       "secret, timeout, server_version, last_error) VALUES (%s, 'https://acme.odoo.example', 'acme', "
                       "'bot', 'xmlrpc', %s, 30, '', '') RETURNING id", [org.pk, SECRET])
        pk = cursor.fetchone()[0]

    executor = MigrationExecutor(connection)
    executor.migrate([("integrations", "0003_encrypt_odoo_secret")])

    assert SECRET not in stored(pk)
    assert OdooConnection.objects.get(pk=pk).secret == SECRET
