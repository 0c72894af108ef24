import csv
import io

from django.db import connection
from django.urls import reverse

from audit.models import ActionEvent, EventType
from audit.services import SYSTEM, Actor, append_event


def _events(org, other_org):
    append_event(org, event_type=EventType.POLICY_CHANGED, actor=Actor("user:1 alice", "human"),
                 data={"changes": {"emails_per_hour": {"before": 100, "after": 20}}})
    append_event(org, event_type=EventType.EXPIRED, actor=Actor('=HYPERLINK("http://evil.example")', "human"),
                 data={"reason": "nobody decided"})
    append_event(other_org, event_type=EventType.EXPIRED, actor=SYSTEM, data={"reason": "globex secret"})


def test_timeline_shows_only_this_organisation(client, approver, org, other_org):
    _events(org, other_org)
    client.force_login(approver)
    page = client.get(reverse("dashboard:audit")).content.decode()
    assert "emails_per_hour: 100 → 20" in page
    assert "globex secret" not in page
    assert "2 events" in page


def test_filter_by_event_type(client, approver, org, other_org):
    _events(org, other_org)
    client.force_login(approver)
    page = client.get(reverse("dashboard:audit"), {"event_type": "expired"}).content.decode()
    assert "nobody decided" in page and "emails_per_hour" not in page


def test_csv_export_has_every_event_in_order_and_defuses_formulas(client, approver, org, other_org):
    _events(org, other_org)
    client.force_login(approver)
    response = client.get(reverse("dashboard:audit-export"))
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [row["seq"] for row in rows] == ["1", "2"]
    assert rows[1]["actor"] == '\'=HYPERLINK("http://evil.example")'
    assert rows[0]["data"] == '{"changes": {"emails_per_hour": {"after": 20, "before": 100}}}'
    assert all("globex" not in row["data"] for row in rows)


def test_verify_reports_intact_and_broken_chains(client, approver, org, other_org):
    _events(org, other_org)
    client.force_login(approver)
    assert "Chain verified: 2 events" in client.get(reverse("dashboard:audit"), {"verify": 1}).content.decode()
    event = ActionEvent.objects.get(organization=org, seq=1)
    with connection.cursor() as cursor:
        # What a database owner could do around the triggers: the chain must still tell.
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("UPDATE audit_actionevent SET actor = 'user:1 mallory' WHERE id = %s", [event.pk])
        cursor.execute("SET LOCAL session_replication_role = origin")
    page = client.get(reverse("dashboard:audit"), {"verify": 1}).content.decode()
    assert "BROKEN at event #1" in page


def test_audit_pages_need_login(client, db):
    assert client.get(reverse("dashboard:audit")).status_code == 302
    assert client.get(reverse("dashboard:audit-export")).status_code == 302
