"""What a freshly installed Odoo 17 database (base, mail, crm, account, project, hr, hr_expense) holds.

Both the empty and the demo sandbox start from this: the company, the admin user (uid 2, as
in Odoo), EUR, the models in ``ir.model``, the standard message subtypes, activity types and
CRM stages with their external ids, the journals a chart of accounts creates, and six countries
(``base.be`` … of Odoo's ~250: BE, DE, NL, FR, GB, US). Employees,
expense categories and expenses start empty: the admin's employee (``hr.employee_admin``, which
Odoo's hr data creates on install) is part of the demo data instead.
"""

from . import rules_followers
from .schema_calendar import COUNTRIES

MODULE_OF_PREFIX = {"crm": "crm", "account": "account", "project": "project", "mail": "mail", "hr": "hr", "product": "product",
                    "calendar": "calendar"}
MODULE_OF_MODEL = {"hr.expense": "hr_expense"}  # where the prefix names another module

ACTIVITY_TYPES = [
    # xml id, name, category, default summary
    ("mail_activity_data_email", "Email", "default", ""),
    ("mail_activity_data_call", "Call", "phonecall", ""),
    ("mail_activity_data_meeting", "Meeting", "meeting", ""),
    ("mail_activity_data_todo", "To-Do", "default", ""),
    ("mail_activity_data_upload_document", "Upload Document", "upload_file", ""),
]
# addons/mail/data/mail_activity_data.xml: icons and delays (days) of the standard types
ACTIVITY_TYPE_DATA = {"mail_activity_data_email": ("fa-envelope", 0), "mail_activity_data_call": ("fa-phone", 2),
                      "mail_activity_data_meeting": ("fa-users", 0), "mail_activity_data_todo": ("fa-tasks", 5),
                      "mail_activity_data_upload_document": ("fa-upload", 5)}
SUBTYPES = [("mt_comment", "Discussions", False), ("mt_note", "Note", True), ("mt_activities", "Activities", True)]
CRM_STAGES = [("stage_lead1", "New", 1, False), ("stage_lead2", "Qualified", 2, False), ("stage_lead3", "Proposition", 3, False), ("stage_lead4", "Won", 70, True)]
ACCOUNTS = [
    # key, code, name, type
    ("receivable", "400000", "Trade Receivables", "asset_receivable"),
    ("payable", "440000", "Trade Payables", "liability_payable"),
    ("bank", "550001", "Bank", "asset_cash"),
    ("cash", "570000", "Cash", "asset_cash"),
    ("income", "700000", "Sales of Services", "income"),
    ("expense", "610000", "Services and Goods", "expense"),
]
JOURNALS = [
    # key, name, code, type, default account key, sequence
    ("sale", "Customer Invoices", "INV", "sale", "income", 5),
    ("purchase", "Vendor Bills", "BILL", "purchase", "expense", 6),
    ("bank", "Bank", "BNK1", "bank", "bank", 7),
    ("cash", "Cash", "CSH1", "cash", "cash", 8),
    ("general", "Miscellaneous Operations", "MISC", "general", None, 9),
]


def seed_base(store, *, company_name, admin_login):
    """Insert the installed-database records; return the ids later seeding refers to."""
    ids = {}
    xmlid = _xmlid_writer(store)
    for model, spec in store.models.items():
        model_id = store.insert("ir.model", {"model": model, "name": spec.description})
        module = MODULE_OF_MODEL.get(model) or MODULE_OF_PREFIX.get(model.split(".")[0], "base")
        xmlid(module, f"model_{model.replace('.', '_')}", "ir.model", model_id)

    ids["company_partner"] = store.insert("res.partner", {"name": company_name, "is_company": True, "email": "info@lumenworks.example", "tz": "Europe/Brussels"})
    odoobot_partner = store.insert("res.partner", {"name": "OdooBot", "email": "odoobot@example.com", "active": False})
    admin_partner = store.insert("res.partner", {"name": "Mitchell Admin", "email": "admin@lumenworks.example", "tz": "Europe/Brussels", "parent_id": ids["company_partner"]})
    store.insert("res.users", {"name": "OdooBot", "login": "__system__", "partner_id": odoobot_partner, "active": False})
    ids["admin"] = store.insert("res.users", {"name": "Mitchell Admin", "login": admin_login, "email": "admin@lumenworks.example", "partner_id": admin_partner, "tz": "Europe/Brussels", "lang": "en_US"})
    xmlid("base", "main_partner", "res.partner", ids["company_partner"])
    xmlid("base", "user_admin", "res.users", ids["admin"])

    ids["countries"] = {}
    for key, name, code in COUNTRIES:
        ids["countries"][code] = store.insert("res.country", {"name": name, "code": code})
        xmlid("base", key, "res.country", ids["countries"][code])
    ids["eur"] = store.insert("res.currency", {"name": "EUR", "symbol": "€", "active": True})
    xmlid("base", "EUR", "res.currency", ids["eur"])
    xmlid("base", "USD", "res.currency", store.insert("res.currency", {"name": "USD", "symbol": "$", "active": False}))

    for name, label, internal in SUBTYPES:
        xmlid("mail", name, "mail.message.subtype", store.insert("mail.message.subtype", {"name": label, "internal": internal}))
    rules_followers.seed(store, xmlid, company_name=company_name, company_partner=ids["company_partner"], currency=ids["eur"])
    ids["activity_types"] = {}
    for sequence, (name, label, category, summary) in enumerate(ACTIVITY_TYPES, start=1):
        icon, delay = ACTIVITY_TYPE_DATA[name]
        type_id = store.insert("mail.activity.type", {"name": label, "category": category, "summary": summary or False, "sequence": sequence,
                                                      "icon": icon, "delay_count": delay, "delay_unit": "days",
                                                      "delay_from": "previous_activity", "active": True})
        ids["activity_types"][label] = type_id
        xmlid("mail", name, "mail.activity.type", type_id)

    ids["team"] = store.insert("crm.team", {"name": "Sales", "sequence": 10, "user_id": ids["admin"], "active": True})
    xmlid("sales_team", "team_sales_department", "crm.team", ids["team"])
    ids["stages"] = {}
    for name, label, sequence, is_won in CRM_STAGES:
        stage_id = store.insert("crm.stage", {"name": label, "sequence": sequence, "is_won": is_won, "fold": False})
        ids["stages"][label] = stage_id
        xmlid("crm", name, "crm.stage", stage_id)

    ids["accounts"] = {key: store.insert("account.account", {"code": code, "name": name, "account_type": kind}) for key, code, name, kind in ACCOUNTS}
    ids["journals"] = {
        key: store.insert(
            "account.journal",
            {"name": name, "code": code, "type": kind, "sequence": sequence, "default_account_id": ids["accounts"][account] if account else False, "active": True},
        )
        for key, name, code, kind, account, sequence in JOURNALS
    }
    return ids


def _xmlid_writer(store):
    def xmlid(module, name, model, res_id):
        store.insert("ir.model.data", {"module": module, "name": name, "model": model, "res_id": res_id})

    return xmlid
