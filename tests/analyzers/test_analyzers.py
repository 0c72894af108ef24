"""Each analyzer against the demo company: the numbers are demo.FACTS, computed by hand."""

import pytest

from analyzers import financial, operations, sales
from integrations.odoo.sandbox.demo import FACTS

from .demo_day import TODAY


def test_financial_ages_open_receivables_into_buckets(odoo):
    metrics = financial.analyze(odoo, as_of=TODAY).metrics

    assert metrics["open_receivables"] == {"count": FACTS["open_receivables_count"],
                                           "residual": FACTS["open_receivables_residual"]}
    by_days = FACTS["overdue_by_days"]
    counts = FACTS["overdue_count_by_days"]
    assert metrics["aging"] == {
        "current": {"count": FACTS["not_yet_due_count"], "residual": FACTS["not_yet_due_residual"]},
        "1-30": {"count": counts[5] + counts[15] + counts[20], "residual": by_days[5] + by_days[15] + by_days[20]},
        "31-60": {"count": counts[45], "residual": by_days[45]},
        "61-90": {"count": counts[75], "residual": by_days[75]},
        "90+": {"count": counts[120], "residual": by_days[120]},
    }
    assert metrics["overdue"] == {"count": FACTS["overdue_count"], "residual": FACTS["overdue_residual"]}
    assert metrics["credit_notes_open"]["residual"] == FACTS["credit_notes_open_residual"]
    assert metrics["currency"] == "EUR"


def test_financial_cash_position_and_runway(odoo):
    metrics = financial.analyze(odoo, as_of=TODAY).metrics

    cash = FACTS["bank_balance"] + FACTS["cash_balance"]
    outflow = FACTS["vendor_bills_paid_last_90_days_total"]
    assert metrics["cash"]["balance"] == cash
    assert metrics["vendor_bills_paid_last_90_days"] == {"count": FACTS["vendor_bills_paid_last_90_days_count"],
                                                         "total": outflow}
    assert metrics["runway"]["days"] == pytest.approx(cash / (outflow / 90), abs=0.1)
    assert metrics["runway"]["avg_monthly_outflow"] == pytest.approx(outflow / 3, abs=0.01)


def test_financial_top_debtor_is_the_largest_open_balance(odoo):
    metrics = financial.analyze(odoo, as_of=TODAY).metrics

    top = metrics["top_debtors"][0]
    assert (top["name"], top["residual"]) == ("Kinetic Labs GmbH", FACTS["overdue_by_days"][120])
    assert len(metrics["top_debtors"]) == financial.TOP_DEBTORS
    assert metrics["dso_days"] > 0


def test_financial_findings_one_per_overdue_invoice_with_partner_contacts(odoo):
    findings = financial.analyze(odoo, as_of=TODAY).findings

    overdue = [f for f in findings if f.kind == "invoice_overdue"]
    assert len(overdue) == FACTS["overdue_count"]
    assert sum(f.amount for f in overdue) == pytest.approx(FACTS["overdue_residual"])
    assert sorted({f.facts["days_overdue"] for f in overdue}) == sorted(FACTS["overdue_by_days"])
    assert {f.severity for f in overdue if f.facts["days_overdue"] == 120} == {"critical"}
    assert all(f.target_model == "account.move" and f.target_id and f.partner_id for f in overdue)
    assert not [f for f in findings if f.kind == "cash_runway_low"], "the demo company has about a year of cash"


def test_low_cash_raises_a_runway_finding(odoo, sandbox):
    store = sandbox.store
    for account in store.tables["account.account"].values():
        if account["account_type"] == "asset_cash":
            store.update("account.account", account["id"], {"current_balance": 1000.0})

    result = financial.analyze(odoo, as_of=TODAY)

    runway = [f for f in result.findings if f.kind == "cash_runway_low"]
    assert len(runway) == 1
    assert runway[0].severity == "critical"
    assert runway[0].facts["runway_days"] == pytest.approx(2000 / (FACTS["vendor_bills_paid_last_90_days_total"] / 90),
                                                           abs=0.1)


def test_runway_says_why_it_cannot_be_computed(odoo, sandbox):
    store = sandbox.store
    for move in list(store.tables["account.move"].values()):
        if move["move_type"] == "in_invoice":
            store.delete("account.move", move["id"])

    runway = financial.analyze(odoo, as_of=TODAY).metrics["runway"]

    assert runway["days"] is None
    assert "No vendor bills were paid in the last 90 days" in runway["note"]


def test_sales_pipeline_and_stalled_deals(odoo):
    result = sales.analyze(odoo, as_of=TODAY, stalled_after_days=21)
    metrics = result.metrics

    assert metrics["open_opportunities"] == FACTS["opportunities_open"]
    assert metrics["pipeline_expected_revenue"] == FACTS["pipeline_expected_revenue"]
    assert sum(stage["expected_revenue"] for stage in metrics["pipeline_by_stage"].values()) == \
        FACTS["pipeline_expected_revenue"]
    assert "Won" not in metrics["pipeline_by_stage"]
    assert metrics["won"] == {"count": FACTS["opportunities_won"], "expected_revenue": FACTS["won_expected_revenue"]}
    assert metrics["stalled"] == FACTS["opportunities_stalled_21_days"]
    assert metrics["past_deadline"] == FACTS["opportunities_past_deadline"]
    stalled = {f.target_id for f in result.findings if f.facts["days_in_stage"] >= 21}
    late = {f.target_id for f in result.findings if f.facts["days_past_deadline"] > 0}
    assert (len(stalled), len(late)) == (FACTS["opportunities_stalled_21_days"], FACTS["opportunities_past_deadline"])
    assert {f.target_id for f in result.findings} == stalled | late
    assert all(f.kind == "deal_stalled" and f.facts["stage_id"] for f in result.findings)


def test_operations_overdue_open_tasks(odoo):
    result = operations.analyze(odoo, as_of=TODAY)

    assert result.metrics["overdue_tasks"] == FACTS["tasks_overdue_open"]
    assert len(result.findings) == FACTS["tasks_overdue_open"]
    assert sum(result.metrics["overdue_by_project"].values()) == FACTS["tasks_overdue_open"]
    assert sum(result.metrics["overdue_by_user"].values()) == FACTS["tasks_overdue_open"]
    assert all(f.facts["state"] not in operations.CLOSED_TASK_STATES for f in result.findings)
    assert all(f.facts["days_overdue"] > 0 for f in result.findings)


def test_staff_project_prefers_an_internal_project(odoo):
    assert operations.staff_project(odoo)["name"] == "Internal Operations"
