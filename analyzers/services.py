"""Running an analysis: read Odoo, record findings and metrics, keep alerts current, propose
actions, withdraw the ones whose finding cleared, and write the plan.

A run never overlaps another run of the same organisation: starting one locks the
organisation row and checks for a running analysis, and a partial unique constraint backs
that up in the database. If Odoo cannot be read, the analysis is recorded as failed with the
reason, an alert is raised, and nothing is proposed or withdrawn (a half-read Odoo must not
look like "everything was paid").
"""

import logging
import time
from collections.abc import Callable
from datetime import date, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from actions import guardrails
from actions.policy.facts import refresh_partner_facts
from aiom.errors import Conflict
from aiom.models import Organization
from aiom.text import one_line
from integrations.odoo.connections import client_for
from integrations.odoo.errors import OdooError

from . import financial, operations, plans, recommender, sales
from .alerts import raise_alert, resolve_alert, resolve_alerts_except
from .models import Analysis, AnalysisStatus, Finding, FindingKind, Severity
from .odoo_text import SUSPICIOUS_RECORDS, in_words

logger = logging.getLogger(__name__)

#: A run still marked running after this long died with its worker; it no longer blocks.
ABANDONED_AFTER = timedelta(minutes=30)
ODOO_ALERT = "odoo_unreachable"
RUNWAY_ALERT = "cash_runway_low"
AGED_RECEIVABLES_ALERT = "receivables_over_90_days"
#: One alert per Odoo record whose text had to be cleaned: f"suspicious_text:{model}:{id}".
SUSPICIOUS_TEXT_ALERT = "suspicious_text:"


class AnalysisAlreadyRunning(Conflict):
    """Another analysis of this organisation is in progress."""


def run_analysis(organization, *, as_of: date | None = None, progress: Callable[[str], None] | None = None) -> Analysis:
    """Analyse `organization`'s Odoo as of `as_of` (default: today in its time zone)."""
    progress = progress or (lambda message: None)
    as_of = as_of or timezone.localdate(timezone=ZoneInfo(organization.timezone))
    analysis = _start(organization, as_of)
    started = time.monotonic()
    odoo = None
    try:
        odoo = client_for(organization)
        results, staff_project = _read_odoo(odoo, as_of, progress)
        _refresh_partner_facts(organization, odoo, results, progress)
    except OdooError as error:
        return _fail_unreachable(analysis, odoo, started, error)
    except Exception as error:
        _finish(analysis, started, odoo, status=AnalysisStatus.FAILED, error=f"{type(error).__name__}: {error}")
        raise
    finally:
        if odoo is not None:
            odoo.close()
    try:
        return _act_on(analysis, results, staff_project, started, odoo.calls, progress)
    except Exception as error:
        _finish(analysis, started, odoo, status=AnalysisStatus.FAILED, error=f"{type(error).__name__}: {error}")
        raise


def _start(organization, as_of: date) -> Analysis:
    now = timezone.now()
    try:
        with transaction.atomic():
            Organization.objects.select_for_update(no_key=True).get(pk=organization.pk)
            Analysis.objects.filter(organization=organization, status=AnalysisStatus.RUNNING,
                                    started_at__lt=now - ABANDONED_AFTER).update(
                status=AnalysisStatus.FAILED, finished_at=now, error="Abandoned: the run stopped without finishing.")
            running = Analysis.objects.filter(organization=organization, status=AnalysisStatus.RUNNING).first()
            if running is None:
                return Analysis.objects.create(organization=organization, as_of=as_of)
    except IntegrityError:
        running = Analysis.objects.filter(organization=organization, status=AnalysisStatus.RUNNING).first()
    raise AnalysisAlreadyRunning(
        f"An analysis of {organization} is already running"
        + (f" (started {running.started_at:%Y-%m-%d %H:%M} UTC)." if running else "."))


def _read_odoo(odoo, as_of: date, progress) -> tuple[dict, dict | None]:
    results = {}
    analyzers = (("financial", partial(financial.analyze, runway_low_days=settings.AIOM_RUNWAY_LOW_DAYS)),
                 ("sales", partial(sales.analyze, stalled_after_days=settings.AIOM_DEAL_STALLED_DAYS)),
                 ("operations", operations.analyze))
    for name, analyzer in analyzers:
        step_started = time.monotonic()
        results[name] = analyzer(odoo, as_of=as_of)
        progress(f"{name}: {len(results[name].findings)} findings in {time.monotonic() - step_started:.1f} s "
                 f"({odoo.calls} Odoo calls so far)")
    return results, operations.staff_project(odoo)


def _refresh_partner_facts(organization, odoo, results: dict, progress) -> None:
    """Keep what policy rules ask of the partners this run read (country, tags) current, in one
    batched read. A failure only leaves those facts as they were (rules then decide strictly):
    it is logged and the analysis goes on."""
    partners = {finding.partner_id for result in results.values() for finding in result.findings if finding.partner_id}
    try:
        with transaction.atomic():
            written = refresh_partner_facts(organization, odoo, partners)
    except Exception:
        logger.exception("partner facts of %s could not be refreshed", organization)
        return
    progress(f"partner facts: {written} partners refreshed")


def _act_on(analysis: Analysis, results: dict, staff_project, started: float, odoo_calls: int, progress) -> Analysis:
    organization = analysis.organization
    now = timezone.now()
    findings = Finding.objects.bulk_create(
        [Finding(analysis=analysis, organization=organization, **vars(finding))
         for result in results.values() for finding in result.findings], batch_size=1000)
    fingerprints = {finding.fingerprint for finding in findings}
    (Finding.objects.filter(organization=organization, resolved_at__isnull=True).exclude(analysis=analysis)
     .exclude(fingerprint__in=fingerprints).update(resolved_at=now))
    progress(f"saved {len(findings)} findings")

    _update_alerts(organization, results["financial"].metrics, findings)
    cancelled = recommender.withdraw_cleared(organization, fingerprints, as_of=analysis.as_of)
    ctx = recommender.Context(organization=organization, policy=guardrails.policy_for(organization),
                              as_of=analysis.as_of, now=now, staff_project=staff_project, analysis_id=analysis.pk)
    proposals = recommender.propose_for_findings(findings, ctx)
    proposals.cancelled = cancelled
    progress(f"proposed {len(proposals.proposed)} actions, {len(proposals.existing)} already open, "
             f"{len(cancelled)} withdrawn")

    plans.build_plan(analysis, findings, proposals, now=now)
    analysis.metrics = {name: result.metrics for name, result in results.items()}
    analysis.metrics["staff_project"] = staff_project
    analysis.summary = _summary(analysis.metrics, findings)
    analysis.proposals = proposals.as_dict()
    analysis.llm_usage = proposals.usage.as_dict()
    analysis.odoo_calls = odoo_calls
    resolve_alert(organization, key=ODOO_ALERT)
    return _finish(analysis, started, None, status=AnalysisStatus.SUCCEEDED)


def _fail_unreachable(analysis: Analysis, odoo, started: float, error: OdooError) -> Analysis:
    reason = f"Odoo could not be read: {error.message}"
    logger.warning("analysis %s of %s failed: %s", analysis.pk, analysis.organization, reason)
    raise_alert(analysis.organization, key=ODOO_ALERT, severity=Severity.HIGH, title="Odoo could not be read",
                message=f"{reason} No actions were proposed or withdrawn. "
                        + ("Check the Odoo connection (URL, database, login and key)." if error.permanent
                           else "AIOM will try again at the next scheduled analysis."))
    return _finish(analysis, started, odoo, status=AnalysisStatus.FAILED, error=reason)


def _finish(analysis: Analysis, started: float, odoo, *, status: str, error: str = "") -> Analysis:
    analysis.status = status
    analysis.error = error
    analysis.finished_at = timezone.now()
    analysis.duration_ms = round((time.monotonic() - started) * 1000)
    if odoo is not None:
        analysis.odoo_calls = odoo.calls
    analysis.save()
    return analysis


def _update_alerts(organization, financial_metrics: dict, findings: list[Finding]) -> None:
    runway = next((f for f in findings if f.kind == FindingKind.CASH_RUNWAY_LOW), None)
    if runway is not None:
        raise_alert(organization, key=RUNWAY_ALERT, severity=runway.severity, title=runway.title,
                    message=f"Cash {runway.facts['cash_balance']:,.2f} at an average monthly outflow of "
                            f"{runway.facts['avg_monthly_outflow']:,.2f}.")
    else:
        resolve_alert(organization, key=RUNWAY_ALERT)
    aged = financial_metrics["aging"]["90+"]
    if aged["count"]:
        raise_alert(organization, key=AGED_RECEIVABLES_ALERT, severity=Severity.HIGH,
                    title=f"{aged['count']} invoice{'' if aged['count'] == 1 else 's'} more than 90 days overdue",
                    message=f"{aged['residual']:,.2f} {financial_metrics['currency']} is more than 90 days overdue.")
    else:
        resolve_alert(organization, key=AGED_RECEIVABLES_ALERT)
    _update_suspicious_text_alerts(organization, findings)


def _update_suspicious_text_alerts(organization, findings: list[Finding]) -> None:
    """A name written into Odoo by a customer may carry planted payment details or links: say so
    once per record, and stop saying so once no finding shows it any more."""
    records = {}
    for finding in findings:
        for record in finding.facts.get(SUSPICIOUS_RECORDS) or []:
            if record.get("id"):
                records.setdefault(f"{SUSPICIOUS_TEXT_ALERT}{record['model']}:{record['id']}"[:64], record)
    for key, record in records.items():
        removed = in_words(record["removed"])
        raise_alert(organization, key=key, severity=Severity.MEDIUM,
                    title=one_line(f"Suspicious text in {record['field']}: {record['name']}", 255),
                    message=f"The {record['field']} of {record['name']} in Odoo (record {record['model']} "
                            f"#{record['id']}) holds {removed}. AIOM took this out and leaves it out of every "
                            "message and title it writes. Someone may have planted it to redirect a payment or "
                            "a reply: check the record in Odoo.")
    resolve_alerts_except(organization, prefix=SUSPICIOUS_TEXT_ALERT, keep=records)


def _summary(metrics: dict, findings: list[Finding]) -> str:
    money, sales_metrics, ops = metrics["financial"], metrics["sales"], metrics["operations"]
    runway = money["runway"]
    runway_text = f"runway about {runway['days']:.0f} days" if runway["days"] is not None else runway["note"]
    currency = money["currency"]
    return (
        f"Receivables {money['open_receivables']['residual']:,.2f} {currency} open, "
        f"{money['overdue']['residual']:,.2f} overdue on {money['overdue']['count']} invoices; "
        f"cash {money['cash']['balance']:,.2f}, {runway_text}. "
        f"Pipeline {sales_metrics['pipeline_expected_revenue']:,.2f} on {sales_metrics['open_opportunities']} "
        f"open deals, {sales_metrics['stalled_or_past_deadline']} stalled. "
        f"{ops['overdue_tasks']} overdue tasks. {len(findings)} findings."
    )
