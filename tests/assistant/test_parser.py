"""The assistant's command parser: what each wording means, which ambiguous wordings read which
way, and which inputs are refused. Plain functions, no database: the parser reads text only."""

from datetime import date, datetime
from decimal import Decimal

import pytest

from assistant.parser import EXAMPLES, TOOLS, Command, NotUnderstood, normalised, parse

TODAY = date(2026, 3, 4)  # a Wednesday


def task(title, due=None, assignee=None, kind=None, ref=None):
    return ("create_task", {"title": title, "due": due, "assignee": assignee, "target_kind": kind, "target_ref": ref})


def expense(amount, currency, description, on=None, employee=None):
    return ("expense", {"amount": Decimal(amount), "currency": currency, "description": description, "date": on, "employee": employee})


def remind(partner, ref):
    return ("remind", {"partner": partner, "invoice_ref": ref})


def email(partner, topic):
    return ("draft_email", {"partner": partner, "topic": topic})


def note(kind, ref, body):
    return ("note", {"target_kind": kind, "target_ref": ref, "body": body})


def call(partner, on=None):
    return ("call", {"partner": partner, "on": on})


def summary(kind, ref):
    return ("summarize", {"target_kind": kind, "target_ref": ref})


HEALTH = ("health_check", {})
D = date

UNDERSTOOD = [
    # create_task: the forms of the command
    ("create task: Call Acme", task("Call Acme")),
    ("Create Task: Call Acme due 15/12/2026", task("Call Acme", D(2026, 12, 15))),
    ("create task Call Acme due tomorrow", task("Call Acme", D(2026, 3, 5))),
    ("new task: Call Acme", task("Call Acme")),
    ("add task: Call Acme", task("Call Acme")),
    ("please create task: Call Acme.", task("Call Acme")),
    ("  create   task :   Call    Acme   ", task("Call Acme")),
    ("create task: Call Acme\tdue friday", task("Call Acme", D(2026, 3, 6))),
    ("create task: chase payment for Bob due 15 Dec on invoice INV/2026/00012",
     task("chase payment", D(2026, 12, 15), "Bob", "invoice", "INV/2026/00012")),
    ("create task: chase payment on invoice INV/2026/00012 due tomorrow for Bob",
     task("chase payment", D(2026, 3, 5), "Bob", "invoice", "INV/2026/00012")),
    ("create task: plan kickoff on project Apollo", task("plan kickoff", kind="project", ref="Apollo")),
    ("create task: check stock for @alice.b", task("check stock", assignee="@alice.b")),
    ("create task: check stock for Anne-Marie O'Neil", task("check stock", assignee="Anne-Marie O'Neil")),
    ("create task: 🎉 plan the party", task("🎉 plan the party")),
    ("create task: thank the 👨‍👩‍👧 team", task("thank the 👨‍👩‍👧 team")),
    # create_task: the ambiguity rules
    ("create task: call for pricing due friday", task("call", D(2026, 3, 6), "pricing")),
    ('create task: "call for pricing" due friday', task("call for pricing", D(2026, 3, 6))),
    ("create task: “call for pricing” for Bob", task("call for pricing", assignee="Bob")),
    ("create task: call for pricing for Bob", task("call for pricing", assignee="Bob")),
    ("create task: prepare slides for the board", task("prepare slides for the board")),
    ("create task: buy gifts for our best customers", task("buy gifts for our best customers")),
    ("create task: buy gifts for Anna Maria de Souza", task("buy gifts for Anna Maria de Souza")),
    ("create task: call Bob for tomorrow", task("call Bob for tomorrow")),
    ("create task: call Acme for Bob on Monday", task("call Acme for Bob on Monday")),
    ("create task: send quote on deal Office Chairs for Acme",
     task("send quote", assignee="Acme", kind="deal", ref="Office Chairs")),
    ('create task: send quote on deal "Office Chairs for Acme"',
     task("send quote", kind="deal", ref="Office Chairs for Acme")),
    ("create task: send quote on deal Chairs for the whole Acme team",
     task("send quote", kind="deal", ref="Chairs for the whole Acme team")),
    ("create task: review due diligence", task("review due diligence")),
    ("create task: pay due bill due friday", task("pay due bill", D(2026, 3, 6))),
    ("create task: due tomorrow", task("due tomorrow")),
    ("create task: for Bob", task("for Bob")),
    ("create task: work on project Apollo on deal Big Sale", task("work on project Apollo", kind="deal", ref="Big Sale")),
    ('create task: "Big" deal review', task('"Big" deal review')),
    # remind
    ("remind Acme Corp about INV/2026/00012", remind("Acme Corp", "INV/2026/00012")),
    ("remind Acme Corp about invoice INV/2026/00012.", remind("Acme Corp", "INV/2026/00012")),
    ("Remind Ben & Jerry's about the invoice INV/2026/00007", remind("Ben & Jerry's", "INV/2026/00007")),
    ("remind About Time Ltd about INV/2026/00001", remind("About Time Ltd", "INV/2026/00001")),
    ("remind Société Générale about INV/2026/00003", remind("Société Générale", "INV/2026/00003")),
    ("remind J.P. Morgan about INV/2026/00004", remind("J.P. Morgan", "INV/2026/00004")),
    ("remind شركة النور about INV/2026/00005", remind("شركة النور", "INV/2026/00005")),
    ("remind Cafe\u0301 Noir about INV/2026/00006", remind("Caf\u00e9 Noir", "INV/2026/00006")),
    ("remind\u00a0Acme about INV/2026/00008", remind("Acme", "INV/2026/00008")),
    # draft_email
    ("draft email to Acme Corp about the delayed delivery", email("Acme Corp", "the delayed delivery")),
    ("draft an email to L'Oréal about Q3 pricing", email("L'Oréal", "Q3 pricing")),
    ("email Müller-Lüdenscheid GmbH about the delay about shipping", email("Müller-Lüdenscheid GmbH", "the delay about shipping")),
    ("email to Acme about renewal", email("Acme", "renewal")),
    # note
    ("note on deal Office Chairs: called them", note("deal", "Office Chairs", "called them")),
    ("note on deal Office Chairs for Acme: called them: twice.", note("deal", "Office Chairs for Acme", "called them: twice.")),
    ('note on deal "Q3: renewal": sent the draft', note("deal", "Q3: renewal", "sent the draft")),
    ("add note to invoice INV/2026/00012: paid by phone", note("invoice", "INV/2026/00012", "paid by phone")),
    ("add a note on task Call Acme : done", note("task", "Call Acme", "done")),
    ("note on deal Chairs: first line\r\nsecond line\rthird", note("deal", "Chairs", "first line\nsecond line\nthird")),
    ("note on deal Chairs:\n  spoke to Ann  \n\n  she agrees  ", note("deal", "Chairs", "spoke to Ann\n\nshe agrees")),
    ("note on deal Chairs: a\u2028b", note("deal", "Chairs", "a\nb")),
    # call
    ("call Acme Corp", call("Acme Corp")),
    ("call Acme Corp on friday", call("Acme Corp", D(2026, 3, 6))),
    ("schedule call with Acme on 15 Dec", call("Acme", D(2026, 12, 15))),
    ("schedule a call with Acme tomorrow", call("Acme", D(2026, 3, 5))),
    ("call Acme in 2 weeks", call("Acme", D(2026, 3, 18))),
    ("call Bob on Mars Ltd", call("Bob on Mars Ltd")),
    ("call Next Door Ltd", call("Next Door Ltd")),
    # summarize
    ("summarize deal Office Chairs", summary("deal", "Office Chairs")),
    ("summarise invoice INV/2026/00012", summary("invoice", "INV/2026/00012")),
    ("summary of task Call Acme", summary("task", "Call Acme")),
    ("summarize the deal Office Chairs", summary("deal", "Office Chairs")),
    ("summarize customer Acme", summary("partner", "Acme")),
    ("summarize INV/2026/00012", summary("invoice", "INV/2026/00012")),
    ("summarize partner Acme Inc.", summary("partner", "Acme Inc")),
    ('summarize partner "Acme Inc."', summary("partner", "Acme Inc.")),
    # expense: amounts and currencies
    ("expense 42.50 EUR for lunch", expense("42.50", "EUR", "lunch")),
    ("expense 42,50 eur for lunch", expense("42.50", "EUR", "lunch")),
    ("expense 1,234.50 USD for hotel", expense("1234.50", "USD", "hotel")),
    ("expense 1.234,50 EUR for hotel", expense("1234.50", "EUR", "hotel")),
    ("expense 1,234 USD for hotel", expense("1234.00", "USD", "hotel")),
    ("expense €42.50 for lunch", expense("42.50", "EUR", "lunch")),
    ("expense 42.50 € for lunch", expense("42.50", "EUR", "lunch")),
    ("expense $12 for parking", expense("12.00", "USD", "parking")),
    ("expense £7.5 for coffee", expense("7.50", "GBP", "coffee")),
    ("expense EUR 42.50 for lunch", expense("42.50", "EUR", "lunch")),
    ("expense 42 chf for train", expense("42.00", "CHF", "train")),
    # expense: the employee and date rules
    ("expense 42.50 EUR for lunch with Acme on 2026-03-02", expense("42.50", "EUR", "lunch with Acme", D(2026, 3, 2))),
    ("expense 42 EUR for taxi for Bob", expense("42.00", "EUR", "taxi", employee="Bob")),
    ("expense 42 EUR for Bob", expense("42.00", "EUR", "Bob")),
    ("expense 42 EUR for taxi on friday for Bob", expense("42.00", "EUR", "taxi", D(2026, 3, 6), "Bob")),
    ("expense 42 EUR for taxi for Bob on friday", expense("42.00", "EUR", "taxi", D(2026, 3, 6), "Bob")),
    ("expense 30 EUR for dinner for two", expense("30.00", "EUR", "dinner", employee="two")),
    ('expense 30 EUR for "dinner for two"', expense("30.00", "EUR", "dinner for two")),
    ("expense 30 EUR for dinner for the whole team", expense("30.00", "EUR", "dinner for the whole team")),
    ("expense 30 EUR for lunch on the terrace", expense("30.00", "EUR", "lunch on the terrace")),
    # health_check
    ("health check", HEALTH),
    ("Check health", HEALTH),
    ("system health", HEALTH),
    ("STATUS.", HEALTH),
    ("please, status", HEALTH),
]


@pytest.mark.parametrize(("text", "expected"), UNDERSTOOD, ids=[row[0][:50] for row in UNDERSTOOD])
def test_understood(text, expected):
    command = parse(text, today=TODAY)
    assert (command.tool, command.args) == expected
    assert command.tool in TOOLS


# Every date form, read through "call Acme on <date>" from Wednesday 4 March 2026.
DATES = [
    ("2026-12-15", D(2026, 12, 15)),
    ("2026-1-5", D(2026, 1, 5)),
    ("15/12/2026", D(2026, 12, 15)),
    ("15.12.2026", D(2026, 12, 15)),
    ("15/12", D(2026, 12, 15)),
    ("15 Dec", D(2026, 12, 15)),
    ("Dec 15", D(2026, 12, 15)),
    ("15 December 2026", D(2026, 12, 15)),
    ("December 15, 2027", D(2027, 12, 15)),
    ("3rd April", D(2026, 4, 3)),
    ("4 Mar", D(2026, 3, 4)),  # today: not yet past
    ("1 March", D(2027, 3, 1)),  # already past: next year
    ("today", D(2026, 3, 4)),
    ("Tomorrow", D(2026, 3, 5)),
    ("friday", D(2026, 3, 6)),
    ("next friday", D(2026, 3, 6)),
    ("fri", D(2026, 3, 6)),
    ("thursday", D(2026, 3, 5)),
    ("wednesday", D(2026, 3, 11)),  # today is Wednesday: the next one
    ("next monday", D(2026, 3, 9)),
    ("in 3 days", D(2026, 3, 7)),
    ("in 1 day", D(2026, 3, 5)),
    ("in 2 weeks", D(2026, 3, 18)),
    ("in a week", D(2026, 3, 11)),
    ("next week", D(2026, 3, 9)),
]


@pytest.mark.parametrize(("words", "expected"), DATES)
def test_date_forms(words, expected):
    assert parse(f"call Acme on {words}", today=TODAY).args["on"] == expected


@pytest.mark.parametrize(
    ("today", "words", "expected"),
    [
        (D(2026, 3, 6), "friday", D(2026, 3, 13)),  # on a Friday, "friday" is a week away
        (D(2026, 3, 6), "next week", D(2026, 3, 9)),
        (D(2026, 3, 8), "next week", D(2026, 3, 9)),  # Sunday: Monday is tomorrow
        (D(2026, 12, 31), "tomorrow", D(2027, 1, 1)),
        (D(2027, 3, 10), "29 Feb", D(2028, 2, 29)),
    ],
)
def test_dates_depend_on_today(today, words, expected):
    assert parse(f"create task: pay due {words}", today=today).args["due"] == expected


REFUSED = [
    # (text, words the message must hold)
    ("create task: send quote due 31/02/2026", "31/02/2026"),
    ("call Acme on 2026-13-01", "2026-13-01"),
    ("call Acme on 32 Dec", "32 Dec"),
    ("call Acme on 29 Feb", "29 Feb"),  # 2026 and 2027 have none
    ("call Acme on in 5000 days", "too far"),
    ("expense 42 EUR for taxi on 31/02/2026", "31/02/2026"),
    ("create task:", "title"),
    ("create task: ...", "title"),
    ("create task: " + "x" * 201, "200"),
    ("remind Acme", "invoice"),
    ("remind Acme about invoice", "which invoice"),
    ("remind Acme 🚀 about INV/2026/00001", "partner"),
    ("remind Robert'); DROP TABLE partners;-- about INV/1", "partner"),
    ("draft email to Acme", "about"),
    ("note on deal Office Chairs called them", "colon"),
    ("note on deal Office Chairs:", "note"),
    ("note on partner Acme: called", "colon"),
    ("note on deal Office\nChairs: called", "line breaks"),
    ("call", "who to call"),
    ("summarize something", "summarise"),
    ("expense 42 for lunch", "currency"),
    ("expense 42 EUR lunch", "what it was for"),
    ("expense 0 EUR for lunch", "more than zero"),
    ("expense -5 EUR for lunch", "could not read"),
    ("expense 42.555 EUR for lunch", "two decimals"),
    ("expense 1.234 EUR for lunch", "two decimals"),
    ("expense 1000000000 EUR for lunch", "too large"),
    # hostile input
    ("", "type a command"),
    ("   \n\t  ", "type a command"),
    ("please", "type a command"),
    ("x" * 10_000, "too long"),
    ("note on deal X: " + "b" * 985, "too long"),
    ("remind \u202eemcA about INV/2026/00001", "U+202E"),
    ("create task: call\u200bAcme", "U+200B"),
    ("create task: call Acme\x00", "U+0000"),
    ("status\x1b[2J", "U+001B"),
    ("create task: bad \ud800 text", "U+D800"),
    ("create task: call\nAcme", "one line"),
    ("create task: call Acme\u2028due friday", "one line"),
]


@pytest.mark.parametrize(("text", "words"), REFUSED, ids=[repr(row[0][:40]) for row in REFUSED])
def test_refused(text, words):
    with pytest.raises(NotUnderstood) as caught:
        parse(text, today=TODAY)
    assert words.lower() in caught.value.message.lower()
    assert caught.value.suggestions


def test_a_thousand_characters_is_the_limit():
    text = "note on deal X: " + "b" * 984
    assert len(text) == 1000
    assert parse(text, today=TODAY).args["body"] == "b" * 984


def test_the_longest_title_is_taken():
    assert parse("create task: " + "x" * 200, today=TODAY).args["title"] == "x" * 200


@pytest.mark.parametrize("text", ["hello", "delete everything", "status of deal Chairs", "tasks", "🎉"])
def test_unknown_commands_list_what_is_understood(text):
    with pytest.raises(NotUnderstood) as caught:
        parse(text, today=TODAY)
    assert caught.value.message.startswith("I did not understand")
    assert caught.value.suggestions == list(EXAMPLES.values())


def test_a_started_command_suggests_its_own_example():
    with pytest.raises(NotUnderstood) as caught:
        parse("remind Acme", today=TODAY)
    assert caught.value.suggestions == [EXAMPLES["remind"]]
    assert isinstance(caught.value, ValueError)


def test_empty_text_lists_every_example():
    with pytest.raises(NotUnderstood) as caught:
        parse("  ", today=TODAY)
    assert caught.value.suggestions == list(EXAMPLES.values())


@pytest.mark.parametrize(("tool", "example"), EXAMPLES.items())
def test_every_example_means_its_tool(tool, example):
    assert parse(example, today=TODAY).tool == tool


def test_every_tool_has_an_example():
    assert set(TOOLS) == set(EXAMPLES) == {
        "create_task", "remind", "draft_email", "note", "call", "summarize", "expense", "health_check",
    }


def test_the_command_keeps_the_input_with_spaces_collapsed():
    command = parse("  Please   create task:  Call   Acme  ", today=TODAY)
    assert command == Command("create_task", command.args, "Please create task: Call Acme")


SAME = [
    ("Create task: Call Acme due 2026-12-15", "create task:  call acme  due 15/12/2026"),
    ('create task: "Call Acme"', "new task: call ACME"),
    ("call Acme on friday", "Schedule call with ACME on 2026-03-06"),
    ("expense 42.5 EUR for Lunch", "expense €42.50 for lunch"),
    ("expense 1,234.50 usd for hotel", "expense $1234.5 for Hotel"),
    ("remind Acme about INV/2026/00012", "remind acme about invoice inv/2026/00012."),
    ("remind Cafe\u0301 Noir about INV/1", "remind CAF\u00c9 noir about INV/1"),
    ("note on deal Chairs: called\nthem", "add note to deal chairs: Called them"),
    ("please health check.", "status"),
]


@pytest.mark.parametrize(("first", "second"), SAME)
def test_same_meaning_normalises_equal(first, second):
    assert normalised(parse(first, today=TODAY)) == normalised(parse(second, today=TODAY))


DIFFERENT = [
    ("create task: Call Acme due 2026-12-15", "create task: Call Acme due 2026-12-16"),
    ("create task: Call Acme", "create task: Call for Acme"),
    ("create task: Call Acme", "create task: Call Acme due today"),
    ("remind Acme about INV/2026/00012", "remind Acme about INV/2026/00013"),
    ("expense 42.50 EUR for lunch", "expense 42.50 USD for lunch"),
    ("expense 42.50 EUR for lunch", "expense 42.51 EUR for lunch"),
    ("note on deal Chairs: called", "note on invoice Chairs: called"),
    ("summarize deal Acme", "summarize partner Acme"),
    ("call Acme", "call Acme tomorrow"),
]


@pytest.mark.parametrize(("first", "second"), DIFFERENT)
def test_different_meaning_normalises_apart(first, second):
    assert normalised(parse(first, today=TODAY)) != normalised(parse(second, today=TODAY))


def test_normalised_is_plain_text_with_iso_dates():
    key = normalised(parse("Create task: Call  Acme due 15 Dec for Bob", today=TODAY))
    assert key == (
        '["create_task",{"assignee":"bob","due":"2026-12-15","target_kind":null,"target_ref":null,"title":"call acme"}]'
    )


def test_today_must_be_a_day_not_a_moment():
    with pytest.raises(TypeError):
        parse("call Acme tomorrow", today=datetime(2026, 3, 4, 23, 30))
