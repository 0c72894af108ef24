"""What rules know of partners (country, contact tags) comes from Odoo: read in one batched call
per model, stored per organisation, refreshed by every analysis, and a failed read never stops
the analysis."""

import uuid
from datetime import datetime, timezone

from actions.policy.evaluate import judge
from actions.policy.facts import refresh_partner_facts
from actions.policy.models import PartnerFacts, PolicyRule
from actions.protocol import parse_protocol
from analyzers.models import AnalysisStatus
from analyzers.services import run_analysis

from ..protocols import protocol_for

KINETIC, NORDIC, EMMA, GONE = 18, 12, 37, 999_999  # Germany, VIP + Slow payer; no country; Belgium, VIP; deleted


def facts_of(org) -> dict:
    return {row.partner_id: (row.country_code, row.tags) for row in PartnerFacts.objects.filter(organization=org)}


def test_countries_and_tags_are_read_in_one_call_per_model(connected_org, odoo, other_org):
    odoo.search_count("res.partner", [])  # logged in
    calls = odoo.calls
    written = refresh_partner_facts(connected_org, odoo, [KINETIC, NORDIC, EMMA, GONE, None, KINETIC])

    assert odoo.calls - calls == 3  # partners, countries, tags
    assert written == 3
    assert facts_of(connected_org) == {KINETIC: ("DE", ["slow payer", "vip"]), NORDIC: ("", []), EMMA: ("BE", ["vip"])}
    assert facts_of(other_org) == {}


def test_a_second_refresh_updates_the_same_rows(connected_org, odoo, sandbox):
    refresh_partner_facts(connected_org, odoo, [KINETIC])
    netherlands = next(row["id"] for row in sandbox.store.tables["res.country"].values() if row["code"] == "NL")
    odoo.write("res.partner", [KINETIC], {"country_id": netherlands, "category_id": [(6, 0, [])]})

    assert refresh_partner_facts(connected_org, odoo, [KINETIC]) == 1
    assert facts_of(connected_org) == {KINETIC: ("NL", [])}
    assert refresh_partner_facts(connected_org, odoo, []) == 0


def test_rules_read_the_refreshed_facts(connected_org, odoo):
    PolicyRule.objects.create(organization=connected_org, key=uuid.uuid4(), name="German customers", mode="enforce",
                              definition={"when": {"partner_countries": ["DE"]},
                                          "then": {"effect": "require_approval"}})
    protocol = parse_protocol(protocol_for(operation={"type": "send_email", "inputs": {
        **protocol_for()["operation"]["inputs"], "partner_id": EMMA}}, external_effects=[
        {**protocol_for()["external_effects"][0], "recipient_partner_id": EMMA}]))
    refresh_partner_facts(connected_org, odoo, [EMMA])
    assert judge(connected_org, protocol, at=datetime.now(timezone.utc)).effect is None  # Belgian

    unknown = parse_protocol(protocol_for())  # partner 7: no analysis has read it
    assert judge(connected_org, unknown, at=datetime.now(timezone.utc)).effect == "require_approval"


def test_an_analysis_refreshes_the_partners_it_read(connected_org, sandbox):
    analysis = run_analysis(connected_org)

    assert analysis.status == AnalysisStatus.SUCCEEDED
    partners = set(analysis.findings.exclude(partner_id=None).values_list("partner_id", flat=True))
    assert partners and set(facts_of(connected_org)) == partners
    store = sandbox.store.tables
    for partner_id, (country, tags) in facts_of(connected_org).items():
        row = store["res.partner"][partner_id]
        assert country == (store["res.country"][row["country_id"]]["code"] if row.get("country_id") else "")
        assert tags == sorted(store["res.partner.category"][tag]["name"].lower() for tag in row.get("category_id") or [])


def test_an_analysis_goes_on_when_the_facts_cannot_be_read(connected_org, sandbox, monkeypatch, caplog):
    monkeypatch.delitem(sandbox.store.models, "res.partner.category")  # this Odoo has no contact tags

    analysis = run_analysis(connected_org)

    assert analysis.status == AnalysisStatus.SUCCEEDED and analysis.findings.exists()
    assert facts_of(connected_org) == {}
    assert "partner facts" in caplog.text
