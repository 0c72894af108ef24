"""The action plan of one run: what was found, what AI will do once approved, what staff
must do (owner, due date, sub-tasks), a dated timeline, and when to look again."""

from datetime import datetime, timedelta

from actions.models import Action
from actions.types import SafeOperation

from .models import ActionPlan, FindingKind

REVIEW_EVERY = timedelta(hours=1)
AI_OPERATIONS = {SafeOperation.SEND_EMAIL, SafeOperation.SEND_SMS, SafeOperation.LOG_ODOO_ACTIVITY,
                 SafeOperation.CREATE_INTERNAL_NOTE, SafeOperation.SCHEDULE_FOLLOW_UP}


def build_plan(analysis, findings, report, *, now: datetime) -> ActionPlan:
    action_ids = [entry["action_id"] for entry in report.proposed + report.existing if entry.get("action_id")]
    actions = list(Action.objects.filter(pk__in=action_ids).order_by("created_at"))
    by_fingerprint = {finding.fingerprint: finding for finding in findings}
    staff_tasks, timeline = [], []
    for action in actions:
        protocol = action.protocol
        inputs = protocol["operation"]["inputs"]
        if action.safe_operation == SafeOperation.CREATE_ODOO_TASK:
            staff_tasks.append({
                "title": inputs["name"], "action_id": str(action.pk), "due": inputs.get("date_deadline"),
                "owner": _owner(by_fingerprint.get(protocol["metadata"].get("finding_fingerprint"))), "subtasks": [subtask["name"] for subtask in inputs.get("subtasks", [])],
            })
            timeline.append({"date": inputs.get("date_deadline"), "owner": "staff", "step": inputs["name"]})
        elif action.safe_operation in AI_OPERATIONS:
            timeline.append({"date": analysis.as_of.isoformat(), "owner": "ai",
                             "step": f"After approval: {action.title}"})
    for finding in findings:
        if finding.kind == FindingKind.INVOICE_OVERDUE and finding.facts.get("days_overdue", 0) <= 30:
            due = (analysis.as_of + timedelta(days=7)).isoformat()
            timeline.append({"date": due, "owner": "customer", "step": f"Expected payment of {finding.facts['name']}"})
    timeline.sort(key=lambda step: (step["date"] or "9999", {"ai": 0, "staff": 1, "customer": 2}[step["owner"]]))
    return ActionPlan.objects.create(
        analysis=analysis, summary=_summary(findings, report), action_ids=[str(a.pk) for a in actions],
        staff_tasks=staff_tasks, timeline=timeline, next_review_at=now + REVIEW_EVERY)


def _owner(finding) -> str:
    """The salesperson behind the finding (collection tasks are theirs), else nobody yet."""
    return (finding.facts.get("salesperson") if finding else "") or "unassigned"


def _summary(findings, report) -> str:
    counts = {}
    for finding in findings:
        counts[finding.kind] = counts.get(finding.kind, 0) + 1
    found = ", ".join(f"{count} {FindingKind(kind).label.lower()}" for kind, count in sorted(counts.items())) \
        or "nothing that needs action"
    return (f"Found {found}. Proposed {len(report.proposed)} new action(s); {len(report.existing)} already open; "
            f"{len(report.cancelled)} withdrawn because their finding cleared; {len(report.skipped)} note(s).")
