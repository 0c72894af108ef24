"""Pipeline by stage, won business, and stalled opportunities.

An open opportunity is stalled when its stage has not changed for `stalled_after_days` or its
expected closing date has passed. Lost opportunities are archived in Odoo, so the default
active filter leaves them out; won ones sit in a stage marked `is_won`.
"""

from datetime import date

from .base import (PAGE_SIZE, AnalyzerResult, FindingData, many2one_id, many2one_name, money, odoo_date,
                   odoo_datetime, read_by_ids)
from .contacts import recipients_of
from .models import FindingKind, Severity
from .odoo_text import shown_name

STALLED_AFTER_DAYS = 14
LEAD_FIELDS = ["name", "partner_id", "stage_id", "user_id", "expected_revenue", "probability", "date_deadline",
               "date_last_stage_update", "email_from", "phone"]
PARTNER_FIELDS = ["name", "email", "phone"]


def analyze(odoo, *, as_of: date, stalled_after_days: int = STALLED_AFTER_DAYS,
            page_size: int = PAGE_SIZE) -> AnalyzerResult:
    stages = odoo.search_read("crm.stage", [], ["name", "sequence", "is_won"], order="sequence asc, id asc")
    won_ids = [stage["id"] for stage in stages if stage["is_won"]]
    pipeline = {stage["name"]: {"count": 0, "expected_revenue": 0.0} for stage in stages if not stage["is_won"]}
    opportunity = [("type", "=", "opportunity")]
    open_leads = []
    for lead in odoo.iter_search_read("crm.lead", [*opportunity, ("stage_id", "not in", won_ids)], LEAD_FIELDS,
                                      page_size=page_size):
        stage = pipeline.setdefault(many2one_name(lead["stage_id"]) or "(no stage)",
                                    {"count": 0, "expected_revenue": 0.0})
        stage["count"] += 1
        stage["expected_revenue"] += lead["expected_revenue"] or 0.0
        open_leads.append(lead)
    won = {"count": 0, "expected_revenue": 0.0}
    for lead in odoo.iter_search_read("crm.lead", [*opportunity, ("stage_id", "in", won_ids)], ["expected_revenue"],
                                      page_size=page_size):
        won["count"] += 1
        won["expected_revenue"] += lead["expected_revenue"] or 0.0
    stalled = [finding for lead in open_leads
               if (finding := _stalled_finding(lead, as_of, stalled_after_days)) is not None]
    _add_partner_contacts(odoo, stalled, page_size)
    for stage in pipeline.values():
        stage["expected_revenue"] = money(stage["expected_revenue"])
    metrics = {
        "stalled_after_days": stalled_after_days,
        "open_opportunities": len(open_leads),
        "pipeline_expected_revenue": money(sum(lead["expected_revenue"] or 0.0 for lead in open_leads)),
        "pipeline_by_stage": pipeline,
        "won": {"count": won["count"], "expected_revenue": money(won["expected_revenue"])},
        "stalled": sum(1 for finding in stalled if finding.facts["days_in_stage"] >= stalled_after_days),
        "past_deadline": sum(1 for finding in stalled if finding.facts["days_past_deadline"] > 0),
        "stalled_or_past_deadline": len(stalled),
    }
    return AnalyzerResult(metrics=metrics, findings=stalled)


def _stalled_finding(lead: dict, as_of: date, stalled_after_days: int) -> FindingData | None:
    changed = odoo_datetime(lead["date_last_stage_update"])
    days_in_stage = (as_of - changed.date()).days if changed else 0
    deadline = odoo_date(lead["date_deadline"])
    days_past_deadline = max(0, (as_of - deadline).days) if deadline else 0
    if days_in_stage < stalled_after_days and days_past_deadline == 0:
        return None
    reasons = []
    if days_in_stage >= stalled_after_days:
        reasons.append(f"no stage change for {days_in_stage} days")
    if days_past_deadline:
        reasons.append(f"{days_past_deadline} days past its expected closing date")
    revenue = money(lead["expected_revenue"])
    lead_email = lead["email_from"] or ""
    facts = {
        "lead_id": lead["id"], "name": lead["name"], "stage_id": many2one_id(lead["stage_id"]),
        "stage": many2one_name(lead["stage_id"]), "salesperson_id": many2one_id(lead["user_id"]),
        "salesperson": many2one_name(lead["user_id"]), "expected_revenue": revenue,
        "probability": lead["probability"], "days_in_stage": days_in_stage,
        "deadline": deadline.isoformat() if deadline else None, "days_past_deadline": days_past_deadline,
        "partner_name": many2one_name(lead["partner_id"]), "lead_email": lead_email,
        "lead_email_problem": recipients_of(lead_email)[1] or "", "lead_phone": lead["phone"] or "",
    }
    name = shown_name(facts, lead["name"], field="deal name", model="crm.lead", record_id=lead["id"],
                      fallback=f"deal #{lead['id']}")
    return FindingData(
        kind=FindingKind.DEAL_STALLED,
        severity=Severity.HIGH if len(reasons) == 2 else Severity.MEDIUM,
        title=f"Deal “{name}” is stalled: {' and '.join(reasons)}",
        fingerprint=f"deal_stalled:crm.lead:{lead['id']}",
        target_model="crm.lead",
        target_id=lead["id"],
        partner_id=many2one_id(lead["partner_id"]),
        amount=revenue,
        facts=facts,
    )


def _add_partner_contacts(odoo, findings: list[FindingData], page_size: int) -> None:
    partners = read_by_ids(odoo, "res.partner", {f.partner_id for f in findings if f.partner_id}, PARTNER_FIELDS,
                           page_size=page_size)
    for finding in findings:
        partner = partners.get(finding.partner_id) or {}
        facts = finding.facts
        facts["partner_email"] = partner.get("email") or ""
        facts["partner_email_problem"] = recipients_of(facts["partner_email"])[1] or ""
        facts["partner_phone"] = partner.get("phone") or ""
        facts["partner_name"] = partner.get("name") or facts["partner_name"]
        if finding.partner_id:
            shown_name(facts, facts["partner_name"], field="partner name", model="res.partner",
                       record_id=finding.partner_id, fallback=f"customer #{finding.partner_id}")
