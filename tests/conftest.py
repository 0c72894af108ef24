"""Shared fixtures: three users (approver, viewer, outsider) in two organisations. The fixtures
for the Odoo sandbox, the mail servers, the Celery workers and the browser come from tests/fixtures."""

import pytest
from django.contrib.auth import get_user_model

from aiom.models import Membership, Organization, Role

pytest_plugins = ["tests.fixtures.odoo", "tests.fixtures.mail", "tests.fixtures.workers", "tests.fixtures.claude",
                  "tests.fixtures.browser"]


def _organization(**fields):
    """An organisation whose approved messages go out at once: the send delay and its Undo are
    tested on their own (tests/actions/test_undo.py), every other test expects approval → send."""
    from actions.models import GuardrailPolicy

    organization = Organization.objects.create(**fields)
    GuardrailPolicy.objects.create(organization=organization, send_delay_seconds=0)
    return organization


@pytest.fixture
def org(db):
    return _organization(slug="acme", name="Acme Ltd", timezone="Europe/Brussels")


@pytest.fixture
def other_org(db):
    return _organization(slug="globex", name="Globex", timezone="America/New_York")


def _member(org, username, role):
    user = get_user_model().objects.create_user(username=username, password="pw-" + username, email=f"{username}@example.com")
    Membership.objects.create(user=user, organization=org, role=role)
    return user


@pytest.fixture
def approver(org):
    return _member(org, "alice", Role.APPROVER)


@pytest.fixture
def second_approver(org):
    return _member(org, "bob", Role.APPROVER)


@pytest.fixture
def admin_member(org):
    return _member(org, "ada", Role.ADMIN)


@pytest.fixture
def viewer(org):
    return _member(org, "victor", Role.VIEWER)


@pytest.fixture
def outsider(other_org):
    return _member(other_org, "oscar", Role.APPROVER)


@pytest.fixture(scope="session", autouse=True)
def _flush_as_database_owner():
    """Transactional tests empty every table between tests; the audit table refuses that from
    the application (triggers), so the test teardown flushes as the database owner would, with
    triggers off for that one transaction (`session_replication_role = replica`)."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    original = DatabaseOperations.execute_sql_flush

    def execute_sql_flush(self, sql_list):
        return original(self, ["SET LOCAL session_replication_role = replica", *sql_list])

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(DatabaseOperations, "execute_sql_flush", execute_sql_flush)
        yield
