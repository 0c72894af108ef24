"""The demo data holds exactly the documented facts, found with the queries an analyzer would use."""

from datetime import date, timedelta

import pytest

from integrations.odoo.sandbox.demo import FACTS, INJECTION_NOTE, PAYMENT_TRAP_EMAIL, PAYMENT_TRAP_NAME, XSS_NAME
from integrations.odoo.sandbox.server import build_sandbox

TODAY = date.today()


def days_ago(days):
    return (TODAY - timedelta(days=days)).isoformat()


def total(records, field):
    return round(sum(record[field] for record in records), 2)


class TestPartners:
    def _customers(self, odoo):
        users = odoo.call("res.users", "search_read", [], fields=["partner_id"], context={"active_test": False})
        vendors = odoo.call("account.move", "search_read", [["move_type", "=", "in_invoice"]], fields=["partner_id"])
        company = odoo.call("ir.model.data", "search_read", [["module", "=", "base"], ["name", "=", "main_partner"]], fields=["res_id"])[0]["res_id"]
        excluded = {user["partner_id"][0] for user in users} | {bill["partner_id"][0] for bill in vendors} | {company}
        return odoo.call("res.partner", "search_read", [["id", "not in", sorted(excluded)]], fields=["email", "phone", "tz"])

    def test_customer_counts(self, odoo):
        customers = self._customers(odoo)
        assert len(customers) == FACTS["customers"]
        assert sum(1 for c in customers if not c["email"]) == FACTS["customers_without_email"]
        assert sum(1 for c in customers if not c["phone"]) == FACTS["customers_without_phone"]
        assert all(c["tz"] for c in customers)
        assert all(c["phone"].startswith("+") and c["phone"][1:].isdigit() for c in customers if c["phone"])

    def test_hostile_content_is_present_verbatim(self, odoo):
        assert odoo.call("res.partner", "search_count", [["name", "=", XSS_NAME]]) == 1
        assert "<script>alert(1)</script>" in XSS_NAME
        [noted] = odoo.call("res.partner", "search_read", [["comment", "ilike", "ignore previous instructions"]], fields=["comment"])
        assert noted["comment"] == INJECTION_NOTE and "ceo@evil.example" in noted["comment"]

    def test_payment_trap_is_present_verbatim_with_one_invoice_overdue(self, odoo):
        [trap] = odoo.call("res.partner", "search_read", [["name", "=", PAYMENT_TRAP_NAME]], fields=["email", "phone"])
        assert "IBAN BE71 0961 2345 6769" in PAYMENT_TRAP_NAME and "northwind-pay.example/invoice" in PAYMENT_TRAP_NAME
        assert trap["email"] == PAYMENT_TRAP_EMAIL and PAYMENT_TRAP_EMAIL.startswith('"billing@')
        [invoice] = odoo.call("account.move", "search_read", [["partner_id", "=", trap["id"]]], fields=["invoice_date_due", "amount_residual", "state"])
        assert (TODAY - date.fromisoformat(invoice["invoice_date_due"])).days == 15
        assert (invoice["state"], invoice["amount_residual"]) == ("posted", FACTS["overdue_by_days"][15])

    def test_active_users(self, odoo):
        assert odoo.call("res.users", "search_count", []) == FACTS["users_active"]


class TestInvoices:
    def _open_customer_invoices(self, odoo, *extra):
        domain = [["move_type", "=", "out_invoice"], ["state", "=", "posted"], ["amount_residual", ">", 0], *extra]
        return odoo.call("account.move", "search_read", domain, fields=["amount_residual", "invoice_date_due"])

    def test_invoice_states(self, odoo):
        count = lambda *domain: odoo.call("account.move", "search_count", [["move_type", "=", "out_invoice"], *domain])  # noqa: E731
        assert count() == FACTS["customer_invoices"]
        assert count(["state", "=", "posted"]) == FACTS["customer_invoices_posted"]
        assert count(["state", "=", "draft"]) == FACTS["customer_invoices_draft"]
        assert count(["state", "=", "cancel"]) == FACTS["customer_invoices_cancelled"]

    def test_open_and_overdue_receivables(self, odoo):
        open_invoices = self._open_customer_invoices(odoo)
        assert len(open_invoices) == FACTS["open_receivables_count"]
        assert total(open_invoices, "amount_residual") == FACTS["open_receivables_residual"]
        overdue = self._open_customer_invoices(odoo, ["invoice_date_due", "<", TODAY.isoformat()])
        assert len(overdue) == FACTS["overdue_count"]
        assert total(overdue, "amount_residual") == FACTS["overdue_residual"]
        not_due = self._open_customer_invoices(odoo, ["invoice_date_due", ">=", TODAY.isoformat()])
        assert (len(not_due), total(not_due, "amount_residual")) == (FACTS["not_yet_due_count"], FACTS["not_yet_due_residual"])

    def test_overdue_by_exact_days(self, odoo):
        by_days, counts = {}, {}
        for invoice in self._open_customer_invoices(odoo, ["invoice_date_due", "<", TODAY.isoformat()]):
            days = (TODAY - date.fromisoformat(invoice["invoice_date_due"])).days
            by_days[days] = round(by_days.get(days, 0) + invoice["amount_residual"], 2)
            counts[days] = counts.get(days, 0) + 1
        assert by_days == FACTS["overdue_by_days"]
        assert counts == FACTS["overdue_count_by_days"]

    def test_credit_notes(self, odoo):
        refunds = odoo.call("account.move", "search_read", [["move_type", "=", "out_refund"]], fields=["amount_residual", "state"])
        assert len(refunds) == FACTS["credit_notes"]
        assert total(refunds, "amount_residual") == FACTS["credit_notes_open_residual"]

    def test_vendor_bills_paid_in_last_90_days(self, odoo):
        domain = [["move_type", "=", "in_invoice"], ["state", "=", "posted"], ["payment_state", "=", "paid"], ["invoice_date", ">=", days_ago(90)]]
        bills = odoo.call("account.move", "search_read", domain, fields=["amount_total"])
        assert (len(bills), total(bills, "amount_total")) == (FACTS["vendor_bills_paid_last_90_days_count"], FACTS["vendor_bills_paid_last_90_days_total"])

    def test_bank_and_cash_balances(self, odoo):
        balances = {}
        for journal in odoo.call("account.journal", "search_read", [["type", "in", ["bank", "cash"]]], fields=["type", "default_account_id"]):
            [account] = odoo.call("account.account", "read", [journal["default_account_id"][0]], fields=["current_balance", "account_type"])
            assert account["account_type"] == "asset_cash"
            balances[journal["type"]] = account["current_balance"]
        assert balances == {"bank": FACTS["bank_balance"], "cash": FACTS["cash_balance"]}

    def test_invoice_names_follow_odoo_numbering(self, odoo):
        names = [move["name"] for move in odoo.call("account.move", "search_read", [["move_type", "=", "out_invoice"]], fields=["name", "state"]) if move["state"] != "draft"]
        assert len(names) == FACTS["customer_invoices"] - FACTS["customer_invoices_draft"]
        assert all(name.startswith("INV/") and len(name.split("/")[2]) == 5 for name in names)
        assert len(set(names)) == len(names)


class TestCrmAndProjects:
    def test_pipeline(self, odoo):
        opportunities = [["type", "=", "opportunity"]]
        assert odoo.call("crm.lead", "search_count", opportunities, context={"active_test": False}) == FACTS["opportunities"]
        open_leads = odoo.call("crm.lead", "search_read", [*opportunities, ["stage_id.is_won", "=", False]], fields=["expected_revenue", "date_last_stage_update", "date_deadline"])
        assert len(open_leads) == FACTS["opportunities_open"]
        assert total(open_leads, "expected_revenue") == FACTS["pipeline_expected_revenue"]
        assert sum(1 for lead in open_leads if lead["date_last_stage_update"] < days_ago(20)) == FACTS["opportunities_stalled_21_days"]
        assert sum(1 for lead in open_leads if lead["date_deadline"] and lead["date_deadline"] < TODAY.isoformat()) == FACTS["opportunities_past_deadline"]
        won = odoo.call("crm.lead", "search_read", [*opportunities, ["stage_id.is_won", "=", True]], fields=["expected_revenue", "probability"])
        assert (len(won), total(won, "expected_revenue")) == (FACTS["opportunities_won"], FACTS["won_expected_revenue"])
        assert {lead["probability"] for lead in won} == {100.0}
        assert odoo.call("crm.lead", "search_count", [*opportunities, ["active", "=", False]]) == FACTS["opportunities_lost"]

    def test_projects_and_tasks(self, odoo, odoo_sandbox):
        now = odoo_sandbox.store.now()
        assert odoo.call("project.project", "search_count", []) == FACTS["projects"]
        assert odoo.call("project.task", "search_count", []) == FACTS["tasks_active"]
        overdue = [["date_deadline", "<", now], ["state", "not in", ["1_done", "1_canceled"]]]
        assert odoo.call("project.task", "search_count", overdue) == FACTS["tasks_overdue_open"]
        assert odoo.call("project.task", "search_count", [["state", "=", "1_done"]]) == FACTS["tasks_done"]
        assert odoo.call("project.task", "search_count", [["state", "=", "1_canceled"]]) == FACTS["tasks_cancelled"]
        [subtask] = odoo.call("project.task", "search_read", [["name", "=", "Fix image links"]], fields=["parent_id", "project_id"])
        assert subtask["parent_id"][1] == "Migrate blog posts" and subtask["project_id"][1] == "Website Relaunch"

    def test_activities(self, odoo):
        activities = odoo.call("mail.activity", "search_read", [], fields=["date_deadline", "res_model", "activity_type_id"])
        assert len(activities) == FACTS["activities"]
        assert sum(1 for activity in activities if activity["date_deadline"] < TODAY.isoformat()) == FACTS["activities_overdue"]
        deadlines = [activity["date_deadline"] for activity in activities]
        assert deadlines == sorted(deadlines)


class TestSeeding:
    def _content(self, store):
        return {model: {i: {k: v for k, v in row.items() if k not in ("create_date", "write_date")} for i, row in rows.items()} for model, rows in store.tables.items()}

    def test_same_today_gives_identical_data(self):
        first = build_sandbox(today=date(2025, 3, 14)).store
        second = build_sandbox(today=date(2025, 3, 14)).store
        assert self._content(first) == self._content(second)

    def test_dates_follow_today(self):
        store = build_sandbox(today=date(2025, 3, 14)).store
        dues = {row["invoice_date_due"] for row in store.tables["account.move"].values()}
        assert "2024-11-14" in dues  # the invoice 120 days overdue

    def test_size_sets_the_number_of_customer_invoices(self):
        store = build_sandbox(size=500).store
        assert sum(1 for row in store.tables["account.move"].values() if row["move_type"] == "out_invoice") == 500

    def test_size_below_the_scenarios_is_refused(self):
        with pytest.raises(ValueError, match="size must be at least"):
            build_sandbox(size=5)

    def test_hundred_thousand_invoices_hold_a_realistic_open_ledger(self):
        store = build_sandbox(size=100_000).store
        out_invoices = [row for row in store.tables["account.move"].values() if row["move_type"] == "out_invoice"]
        assert len(out_invoices) == 100_000
        assert sum(1 for row in out_invoices if row["payment_state"] == "not_paid" and row["state"] == "posted") > 9_000

    def test_empty_seed_has_only_installed_data(self, odoo_empty):
        assert odoo_empty.call("account.move", "search_count", []) == 0
        assert odoo_empty.call("crm.stage", "search_count", []) == 4
        assert odoo_empty.call("mail.activity.type", "search_count", []) == 5
        assert odoo_empty.call("res.users", "search_count", []) == 1
