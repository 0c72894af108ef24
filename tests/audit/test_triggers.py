"""The database itself keeps the audit trail append-only, and edits made around it are found."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import DatabaseError, connection, transaction

from audit.hashing import event_hash
from audit.models import ActionEvent, ChainHead
from audit.services import append_event, verify_chain

from .tampering import TABLE, tamper

REPO = Path(settings.BASE_DIR)

#: Real commits: the rows are there for good, as they would be for anyone trying to change them.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def events(org):
    return [append_event(org, event_type="notified", data={"index": index}) for index in range(3)]


def refused(sql: str, params: tuple = ()) -> str:
    """Run `sql`, expect the database to refuse it, and return its message."""
    with pytest.raises(DatabaseError) as error, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
    return str(error.value)


@pytest.mark.parametrize("sql", [
    f"UPDATE {TABLE} SET data = '{{\"index\": 99}}' WHERE seq = 2",
    f"DELETE FROM {TABLE} WHERE seq = 3",
    f"TRUNCATE {TABLE} CASCADE",
])
def test_postgresql_refuses_changes_to_events(events, sql):
    assert "audit events are append-only" in refused(sql)
    assert [(e.seq, e.data) for e in ActionEvent.objects.order_by("seq")] == [(1, {"index": 0}), (2, {"index": 1}),
                                                                            (3, {"index": 2})]
    assert verify_chain(events[0].organization).ok


def test_the_orm_cannot_edit_or_delete_events_either(events):
    with pytest.raises(DatabaseError), transaction.atomic():
        ActionEvent.objects.filter(pk=events[0].pk).update(actor="someone else")
    with pytest.raises(DatabaseError), transaction.atomic():
        events[1].delete()
    assert ActionEvent.objects.count() == 3


def test_an_edited_event_is_named_by_verify(events, org):
    tamper(f"UPDATE {TABLE} SET data = %s WHERE id = %s", ('{"index": 99}', events[1].pk))
    report = verify_chain(org)
    assert not report.ok
    assert (report.broken_seq, report.broken_event_id, report.events_checked) == (2, events[1].pk, 1)
    assert "was edited" in report.reason
    assert f"BROKEN at event #2 (id {events[1].pk})" in str(report)


def test_an_edit_with_a_recomputed_hash_breaks_the_link_to_the_next_event(events, org):
    edited = ActionEvent.objects.get(pk=events[1].pk)
    forged = event_hash(organization_id=org.pk, seq=edited.seq, action_id=edited.action_id,
                        event_type=edited.event_type, actor=edited.actor, actor_type=edited.actor_type,
                        data={"index": 99}, created_at=edited.created_at, prev_hash=edited.prev_hash)
    tamper(f"UPDATE {TABLE} SET data = %s, hash = %s WHERE id = %s", ('{"index": 99}', forged, edited.pk))
    report = verify_chain(org)
    assert (report.broken_seq, report.broken_event_id) == (3, events[2].pk)
    assert "prev_hash does not match" in report.reason


def test_a_removed_event_in_the_middle_is_found(events, org):
    tamper(f"DELETE FROM {TABLE} WHERE id = %s", (events[1].pk,))
    report = verify_chain(org)
    assert (report.ok, report.broken_seq, report.broken_event_id) == (False, 3, events[2].pk)
    assert "expected seq 2" in report.reason


def test_a_removed_last_event_is_found_by_the_chain_head(events, org):
    tamper(f"DELETE FROM {TABLE} WHERE id = %s", (events[2].pk,))
    report = verify_chain(org)
    assert not report.ok and report.broken_seq is None and report.events_checked == 2
    assert "chain head says 3 events" in report.reason and "the table holds 2" in report.reason
    assert "BROKEN at chain head" in str(report)


def test_tampering_in_one_organisation_leaves_the_other_intact(events, org, other_org):
    append_event(other_org, event_type="notified")
    tamper(f"UPDATE {TABLE} SET actor = 'ai_coo' WHERE id = %s", (events[0].pk,))
    assert verify_chain(org).broken_seq == 1
    assert verify_chain(other_org).ok


def test_sqlite_refuses_update_and_delete(tmp_path):
    """The demo runs on SQLite: the migration installs the same refusal there."""
    database = tmp_path / "demo.sqlite3"
    env = {**os.environ, "DEBUG": "1", "DATABASE_URL": f"sqlite:///{database}", "DJANGO_SETTINGS_MODULE": "aiom.settings"}
    migrate = subprocess.run([sys.executable, "manage.py", "migrate", "--noinput"], cwd=REPO, env=env,
                             capture_output=True, text=True, timeout=300)
    assert migrate.returncode == 0, migrate.stderr

    db = sqlite3.connect(database)
    try:
        db.execute("INSERT INTO aiom_organization (slug, name, timezone, created_at) "
                   "VALUES ('acme', 'Acme', 'UTC', '2025-06-01 10:00:00')")
        db.execute(f"INSERT INTO {TABLE} (organization_id, seq, event_type, actor, actor_type, data, created_at, "
                   "prev_hash, hash) VALUES (1, 1, 'created', 'system', 'system', '{}', '2025-06-01 10:00:00', ?, ?)",
                   ("0" * 64, "a" * 64))
        db.commit()
        with pytest.raises(sqlite3.DatabaseError, match="audit events are append-only: UPDATE refused"):
            db.execute(f"UPDATE {TABLE} SET actor = 'someone else'")
        with pytest.raises(sqlite3.DatabaseError, match="audit events are append-only: DELETE refused"):
            db.execute(f"DELETE FROM {TABLE}")
        db.rollback()
        assert db.execute(f"SELECT seq, actor FROM {TABLE}").fetchall() == [(1, "system")]
    finally:
        db.close()


def test_chain_head_is_not_what_keeps_events(events, org):
    """The head is a cross-check, not the record: events stay when it is rewound."""
    ChainHead.objects.filter(organization=org).update(seq=0)
    assert ActionEvent.objects.filter(organization=org).count() == 3
    assert not verify_chain(org).ok
