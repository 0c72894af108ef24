"""An analysis as readable text (the `analyze` command prints it)."""

from collections import Counter

from .models import Alert, Analysis, FindingKind


def analysis_text(analysis: Analysis) -> str:
    lines = [f"Analysis #{analysis.pk} of {analysis.organization} as of {analysis.as_of}: {analysis.status} "
             f"in {(analysis.duration_ms or 0) / 1000:.1f} s, {analysis.odoo_calls} Odoo calls"]
    if analysis.error:
        lines.append(f"  Error: {analysis.error}")
    if analysis.summary:
        lines.append(f"  {analysis.summary}")
    metrics = analysis.metrics
    if "financial" in metrics:
        money = metrics["financial"]
        lines.append("Receivables aging: " + ", ".join(
            f"{label} {bucket['residual']:,.2f} ({bucket['count']})" for label, bucket in money["aging"].items()))
        lines.append(f"DSO: {money['dso_days'] if money['dso_days'] is not None else money.get('dso_note')}")
        runway = money["runway"]
        lines.append(f"Cash {money['cash']['balance']:,.2f}; average monthly outflow {runway['avg_monthly_outflow']:,.2f}; "
                     + (f"runway {runway['days']:.0f} days" if runway["days"] is not None else runway["note"]))
        lines.append("Top debtors: " + ", ".join(f"{d['name']} {d['residual']:,.2f}" for d in money["top_debtors"]))
    if "sales" in metrics:
        pipeline = metrics["sales"]["pipeline_by_stage"]
        lines.append("Pipeline: " + ", ".join(f"{stage} {data['expected_revenue']:,.2f} ({data['count']})"
                                             for stage, data in pipeline.items()))
    if "operations" in metrics:
        lines.append("Overdue tasks by assignee: " + (", ".join(
            f"{user} {count}" for user, count in metrics["operations"]["overdue_by_user"].items()) or "none"))
    counts = Counter(analysis.findings.values_list("kind", flat=True))
    lines.append("Findings: " + (", ".join(f"{FindingKind(kind).label} {count}" for kind, count in sorted(counts.items()))
                                 or "none"))
    for label, key in (("Proposed", "proposed"), ("Already open", "existing"), ("Withdrawn", "cancelled"),
                       ("Skipped / notes", "skipped")):
        entries = analysis.proposals.get(key, [])
        lines.append(f"{label}: {len(entries)}")
        lines += [f"  - {entry['title']}" + (f" [{entry['status']}]" if entry.get("status") else "")
                  + (f" — {entry['reason']}" if entry.get("reason") and key != "existing" else "")
                  for entry in entries]
    usage = analysis.llm_usage
    if usage.get("drafts"):
        lines.append(f"Claude: {usage['drafts']} drafts, {usage['input_tokens']} in / {usage['output_tokens']} out "
                     f"tokens, {usage['latency_ms']:.0f} ms, {len(usage['fallbacks'])} fallbacks to the rules")
    open_alerts = Alert.objects.filter(organization=analysis.organization, resolved_at__isnull=True)
    lines.append("Open alerts: " + (", ".join(f"[{a.severity}] {a.title}" for a in open_alerts) or "none"))
    return "\n".join(lines)
