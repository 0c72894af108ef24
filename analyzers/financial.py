"""Receivables aging, overdue invoices, DSO, cash position and runway, top debtors.

Only posted customer invoices with something left to pay count as receivables (drafts and
cancelled invoices may carry a residual in Odoo; they are not owed). The runway divides the
bank and cash balance by the average daily outflow of vendor bills paid in the last 90 days;
when either is unknown the metrics say so instead of guessing.
"""

from collections import Counter, defaultdict
from datetime import date, timedelta

from actions.content import neutralise
from aiom.timezones import known_timezones

from .base import PAGE_SIZE, AnalyzerResult, FindingData, many2one_id, many2one_name, money, odoo_date, read_by_ids
from .contacts import recipients_of
from .models import FindingKind, Severity
from .odoo_text import shown_name

#: (label, lowest days overdue, highest days overdue or None)
AGING_BUCKETS = [("current", None, 0), ("1-30", 1, 30), ("31-60", 31, 60), ("61-90", 61, 90), ("90+", 91, None)]
SEVERITY_BY_BUCKET = {"1-30": Severity.LOW, "31-60": Severity.MEDIUM, "61-90": Severity.HIGH, "90+": Severity.CRITICAL}
LOOKBACK_DAYS = 90
RUNWAY_LOW_DAYS = 60
TOP_DEBTORS = 5

INVOICE_FIELDS = ["name", "partner_id", "invoice_date", "invoice_date_due", "amount_total", "amount_residual",
                  "currency_id", "invoice_user_id", "payment_state"]
PARTNER_FIELDS = ["name", "email", "phone", "tz"]
OPEN_PAYMENT_STATES = ["not_paid", "partial"]
PAID_PAYMENT_STATES = ["paid", "in_payment"]


def partner_zone(value) -> str:
    """The customer's time zone as Odoo holds it (`tz`), when it is a real IANA name; "" for
    anything else (empty, unknown, or text typed where a zone belongs): the organisation's applies."""
    return value if isinstance(value, str) and len(value) <= 64 and value in known_timezones() else ""


def bucket_for(days_overdue: int) -> str:
    for label, low, high in AGING_BUCKETS:
        if (low is None or days_overdue >= low) and (high is None or days_overdue <= high):
            return label
    raise AssertionError("the buckets cover every integer")


def analyze(odoo, *, as_of: date, runway_low_days: int = RUNWAY_LOW_DAYS, page_size: int = PAGE_SIZE) -> AnalyzerResult:
    since = (as_of - timedelta(days=LOOKBACK_DAYS)).isoformat()
    receivables = _receivables(odoo, as_of, page_size)
    sales = _sum_amount(odoo, [("move_type", "=", "out_invoice"), ("state", "=", "posted"),
                               ("invoice_date", ">=", since), ("invoice_date", "<=", as_of.isoformat())], page_size)
    credit_notes = _sum_amount(odoo, [("move_type", "=", "out_refund"), ("state", "=", "posted"),
                                      ("payment_state", "in", OPEN_PAYMENT_STATES)], page_size, field="amount_residual")
    outflow = _sum_amount(odoo, [("move_type", "=", "in_invoice"), ("state", "=", "posted"),
                                 ("payment_state", "in", PAID_PAYMENT_STATES), ("invoice_date", ">=", since),
                                 ("invoice_date", "<=", as_of.isoformat())], page_size)
    cash = _cash_position(odoo)
    runway = _runway(cash, outflow)
    overdue = [invoice for invoice in receivables["invoices"] if invoice["days_overdue"] > 0]
    partners = read_by_ids(odoo, "res.partner", {invoice["partner_id"] for invoice in overdue if invoice["partner_id"]},
                           PARTNER_FIELDS, page_size=page_size)
    findings = [_overdue_finding(invoice, partners.get(invoice["partner_id"])) for invoice in overdue]
    if runway["days"] is not None and runway["days"] < runway_low_days:
        findings.append(_runway_finding(runway, cash, receivables, runway_low_days))
    metrics = {
        "as_of": as_of.isoformat(),
        "currency": receivables["currency"],
        "open_receivables": {"count": len(receivables["invoices"]), "residual": receivables["residual"]},
        "aging": receivables["aging"],
        "overdue": {"count": len(overdue), "residual": money(sum(i["residual"] for i in overdue))},
        "credit_notes_open": {"count": credit_notes["count"], "residual": credit_notes["total"]},
        "sales_last_90_days": sales["total"],
        "dso_days": round(receivables["residual"] / sales["total"] * LOOKBACK_DAYS, 1) if sales["total"] else None,
        "cash": cash,
        "vendor_bills_paid_last_90_days": outflow,
        "runway": runway,
        "top_debtors": receivables["top_debtors"],
    }
    if not sales["total"]:
        metrics["dso_note"] = "No customer invoices in the last 90 days: DSO cannot be computed."
    return AnalyzerResult(metrics=metrics, findings=findings)


def _receivables(odoo, as_of: date, page_size: int) -> dict:
    domain = [("move_type", "=", "out_invoice"), ("state", "=", "posted"),
              ("payment_state", "in", OPEN_PAYMENT_STATES), ("amount_residual", ">", 0)]
    invoices = []
    aging = {label: {"count": 0, "residual": 0.0} for label, *_ in AGING_BUCKETS}
    by_partner = defaultdict(lambda: {"residual": 0.0, "count": 0, "name": ""})
    currencies = Counter()
    for record in odoo.iter_search_read("account.move", domain, INVOICE_FIELDS, page_size=page_size):
        invoice = invoice_facts(record, as_of)
        aging[invoice["bucket"]]["count"] += 1
        aging[invoice["bucket"]]["residual"] += invoice["residual"]
        debtor = by_partner[invoice["partner_id"]]
        debtor["residual"] += invoice["residual"]
        debtor["count"] += 1
        debtor["name"] = invoice["partner_name"]
        currencies[invoice["currency"]] += 1
        invoices.append(invoice)
    for bucket in aging.values():
        bucket["residual"] = money(bucket["residual"])
    debtors = sorted(by_partner.items(), key=lambda item: (-item[1]["residual"], item[0] or 0))[:TOP_DEBTORS]
    return {
        "invoices": invoices,
        "residual": money(sum(invoice["residual"] for invoice in invoices)),
        "aging": aging,
        "currency": currencies.most_common(1)[0][0] if currencies else "",
        "top_debtors": [{"partner_id": partner_id, "name": neutralise(data["name"]).text or f"customer #{partner_id}",
                         "residual": money(data["residual"]), "invoices": data["count"]}
                        for partner_id, data in debtors],
    }


def invoice_facts(record: dict, as_of: date) -> dict:
    """One open invoice as the analyzers and the rules see it (dates, age, residual, salesperson)."""
    due = odoo_date(record["invoice_date_due"]) or odoo_date(record["invoice_date"]) or as_of
    days_overdue = (as_of - due).days
    return {
        "id": record["id"], "name": record["name"], "partner_id": many2one_id(record["partner_id"]),
        "partner_name": many2one_name(record["partner_id"]), "due": due.isoformat(),
        "days_overdue": days_overdue, "bucket": bucket_for(days_overdue), "residual": money(record["amount_residual"]),
        "total": money(record["amount_total"]), "currency": many2one_name(record["currency_id"]),
        "payment_state": record["payment_state"],
        "salesperson_id": many2one_id(record["invoice_user_id"]),
        "salesperson": many2one_name(record["invoice_user_id"]),
    }


def invoice_finding(odoo, invoice_id: int, *, as_of: date) -> FindingData | None:
    """The finding for one invoice read now, as an analysis would make it; None when it is not an
    open, posted customer invoice (paid, cancelled, a draft)."""
    rows = odoo.search_read("account.move", [("id", "=", invoice_id), ("move_type", "=", "out_invoice"),
                                             ("state", "=", "posted"), ("payment_state", "in", OPEN_PAYMENT_STATES),
                                             ("amount_residual", ">", 0)], INVOICE_FIELDS, limit=1)
    if not rows:
        return None
    invoice = invoice_facts(rows[0], as_of)
    partners = odoo.read("res.partner", [invoice["partner_id"]], PARTNER_FIELDS) if invoice["partner_id"] else []
    return _overdue_finding(invoice, partners[0] if partners else None)


def _sum_amount(odoo, domain: list, page_size: int, *, field: str = "amount_total") -> dict:
    total, count = 0.0, 0
    for record in odoo.iter_search_read("account.move", domain, [field], page_size=page_size):
        total += record[field] or 0.0
        count += 1
    return {"count": count, "total": money(total)}


def _cash_position(odoo) -> dict:
    accounts = odoo.search_read("account.account", [("account_type", "=", "asset_cash")],
                                ["code", "name", "current_balance"], order="code asc")
    return {
        "balance": money(sum(account["current_balance"] or 0.0 for account in accounts)),
        "accounts": [{"code": account["code"], "name": account["name"], "balance": money(account["current_balance"])}
                     for account in accounts],
    }


def _runway(cash: dict, outflow: dict) -> dict:
    """Days of cash left at the recent spending rate, or None with the reason."""
    monthly = money(outflow["total"] / LOOKBACK_DAYS * 30)
    if not cash["accounts"]:
        return {"days": None, "avg_monthly_outflow": monthly,
                "note": "No bank or cash accounts found in Odoo: the runway cannot be estimated."}
    if outflow["total"] <= 0:
        return {"days": None, "avg_monthly_outflow": 0.0,
                "note": "No vendor bills were paid in the last 90 days: the runway cannot be estimated."}
    days = max(0.0, cash["balance"]) / (outflow["total"] / LOOKBACK_DAYS)
    return {"days": round(days, 1), "avg_monthly_outflow": monthly, "note": ""}


def _overdue_finding(invoice: dict, partner: dict | None) -> FindingData:
    """The raw partner name and email stay in the facts; the title names only the invoice, and
    what the partner's fields hold that AIOM will not use is noted beside them."""
    partner = partner or {}
    email = partner.get("email") or ""
    facts = {**invoice, "partner_email": email, "partner_email_problem": recipients_of(email)[1] or "",
             "partner_phone": partner.get("phone") or "", "partner_tz": partner_zone(partner.get("tz")),
             "partner_name": partner.get("name") or invoice["partner_name"]}
    shown_name(facts, facts["partner_name"], field="partner name", model="res.partner",
               record_id=invoice["partner_id"], fallback=f"customer #{invoice['partner_id']}")
    return FindingData(
        kind=FindingKind.INVOICE_OVERDUE,
        severity=SEVERITY_BY_BUCKET[invoice["bucket"]],
        title=f"Invoice {invoice['name']} is {invoice['days_overdue']} days overdue "
              f"({invoice['residual']:,.2f} {invoice['currency']})",
        fingerprint=f"invoice_overdue:account.move:{invoice['id']}",
        target_model="account.move",
        target_id=invoice["id"],
        partner_id=invoice["partner_id"],
        amount=invoice["residual"],
        currency=invoice["currency"],
        facts=facts,
    )


def _runway_finding(runway: dict, cash: dict, receivables: dict, threshold: int) -> FindingData:
    days = runway["days"]
    return FindingData(
        kind=FindingKind.CASH_RUNWAY_LOW,
        severity=Severity.CRITICAL if days < threshold / 2 else Severity.HIGH,
        title=f"Cash runway is about {days:.0f} days (below {threshold})",
        fingerprint="cash_runway_low",
        amount=cash["balance"],
        currency=receivables["currency"],
        facts={"runway_days": days, "threshold_days": threshold, "cash_balance": cash["balance"],
               "avg_monthly_outflow": runway["avg_monthly_outflow"], "open_receivables": receivables["residual"],
               "overdue_90_plus": receivables["aging"]["90+"]["residual"]},
    )
