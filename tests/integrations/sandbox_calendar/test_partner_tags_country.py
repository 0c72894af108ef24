"""Partner tags (res.partner.category) and countries on the Odoo sandbox, as Odoo 17's base
module serves them (odoo/addons/base/models/res_partner.py, res_country.py)."""

import pytest

from integrations.odoo.errors import OdooValidationError


def partner_id(odoo, name):
    [found] = odoo.search("res.partner", [("name", "=", name)])
    return found


def tag(odoo, name):
    [found] = odoo.search("res.partner.category", [("name", "=", name)])
    return found


def test_demo_customers_carry_tags_and_countries(odoo):
    kinetic = partner_id(odoo, "Kinetic Labs GmbH")
    [partner] = odoo.read("res.partner", [kinetic], ["category_id", "country_id"])
    assert sorted(partner["category_id"]) == sorted([tag(odoo, "VIP"), tag(odoo, "Slow payer")])
    assert partner["country_id"][1] == "Germany"
    countries = {p["country_id"][1] for p in odoo.search_read("res.partner", [("country_id", "!=", False)], ["country_id"])}
    assert {"Belgium", "Germany", "Netherlands"} <= countries
    assert odoo.search_count("res.partner", [("country_id.code", "=", "BE"), ("category_id.name", "=", "VIP")]) >= 1
    [slow] = odoo.read("res.partner.category", [tag(odoo, "Slow payer")], ["display_name", "parent_id"])
    assert slow["display_name"] == "Payment / Slow payer"


def test_category_id_takes_odoos_command_tuples(odoo):
    brightline, vip, reseller = partner_id(odoo, "Brightline Logistics NV"), tag(odoo, "VIP"), tag(odoo, "Reseller")
    odoo.write("res.partner", [brightline], {"category_id": [(4, vip)]})
    assert sorted(odoo.read("res.partner", [brightline], ["category_id"])[0]["category_id"]) == sorted([reseller, vip])
    odoo.write("res.partner", [brightline], {"category_id": [(3, reseller)]})
    assert odoo.read("res.partner", [brightline], ["category_id"])[0]["category_id"] == [vip]
    odoo.write("res.partner", [brightline], {"category_id": [(6, 0, [reseller])]})
    assert odoo.read("res.partner", [brightline], ["category_id"])[0]["category_id"] == [reseller]
    assert odoo.search("res.partner", [("category_id", "in", [vip]), ("id", "=", brightline)]) == []


def test_a_new_partner_with_a_country_and_a_new_tag_reads_back(odoo):
    [nl] = odoo.search("res.country", [("code", "=", "NL")])
    tag_id = odoo.create("res.partner.category", {"name": "Trade fair 2025", "color": 4})
    new = odoo.create("res.partner", {"name": "Delta Works BV", "country_id": nl, "category_id": [(6, 0, [tag_id])]})
    [partner] = odoo.read("res.partner", [new], ["country_id", "category_id"])
    assert partner == {"id": new, "country_id": [nl, "Netherlands"], "category_id": [tag_id]}
    fields = odoo.execute("res.partner", "fields_get", ["country_id", "category_id"], attributes=["type", "string", "relation"])
    assert fields == {"country_id": {"type": "many2one", "string": "Country", "relation": "res.country"},
                      "category_id": {"type": "many2many", "string": "Tags", "relation": "res.partner.category"}}


def test_countries_are_unique_upper_case_codes_and_tags_cannot_loop(odoo):
    assert odoo.search_read("res.country", [("code", "=", "GB")], ["name"])[0]["name"] == "United Kingdom"
    with pytest.raises(OdooValidationError, match="The code of the country must be unique!"):
        odoo.create("res.country", {"name": "Belgique", "code": "be"})
    with pytest.raises(OdooValidationError, match="You can not create recursive tags."):
        odoo.write("res.partner.category", [tag(odoo, "Payment")], {"parent_id": tag(odoo, "Slow payer")})
