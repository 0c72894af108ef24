"""Followers, tracking values, fields and the company, as Odoo 17 serves them (odoo/odoo 17.0).

Merged into ``schema.MODELS``; the behaviour is in rules_followers.py.

- ``mail.followers`` (addons/mail/models/mail_followers.py): ``res_model``, ``res_id``,
  ``partner_id``, ``subtype_ids``; ``name``/``email``/``is_active`` are related to the partner;
  ``_rec_name = 'partner_id'``; ``unique(res_model, res_id, partner_id)``.
- ``mail.tracking.value`` (models/mail_tracking_value.py): 17.0 links the field as ``field_id``
  (many2one ``ir.model.fields``; 16 had ``field``/``field_desc``/``field_type``) and keeps the
  values in typed columns (``old_value_char``, ``new_value_integer``, …); ``_order = 'id DESC'``.
  19 keeps these columns.
- ``ir.model.fields`` (odoo/addons/base/models/ir_model.py): ``name``, ``model``, ``model_id``,
  ``field_description``, ``ttype``, ``relation``; the sandbox lists every field it serves.
- ``res.company`` (odoo/addons/base/models/res_company.py): ``name``, ``email``, ``phone`` are
  related to ``partner_id`` in Odoo (stored copies here, see rules_followers.py), ``currency_id``
  required, ``country_id``. The company is id 1, as in every Odoo database (``base.main_company``).
- ``res.partner.type`` (base/models/res_partner.py): 17.0 has contact/invoice/delivery/other
  (16 also had ``private``, dropped in 17); default ``contact``. ``company_id`` on the served
  models: account.move, project.project and res.users (required, the company; users also have
  ``company_ids``), the others empty unless given.
- The mixin's follower fields (models/mail_thread.py): ``message_follower_ids``,
  ``message_partner_ids`` (inverse: subscribe/unsubscribe), ``message_is_follower`` (the caller).
"""

PARTNER_TYPES = [("contact", "Contact"), ("invoice", "Invoice Address"), ("delivery", "Delivery Address"),
                 ("other", "Other Address")]
MAIN_COMPANY = 1

#: Fields with ``tracking=`` in Odoo 17, by model, in tracking order (crm_lead.py,
#: account_move.py, project_task.py; mail/models/res_partner.py tracks email, phone, parent_id).
TRACKED = {
    "res.partner": ("email", "phone", "parent_id"),
    "crm.lead": ("partner_id", "type", "email_from", "phone", "stage_id", "user_id", "team_id", "expected_revenue", "active"),
    "account.move": ("name", "ref", "date", "state", "partner_id", "journal_id", "currency_id", "invoice_user_id"),
    "project.task": ("name", "project_id", "user_ids", "stage_id", "date_deadline", "state", "priority"),
}

#: Subtypes the sandbox adds (xml id, name, model, internal).
SUBTYPES = [
    ("crm", "mt_lead_stage", "Stage Changed", "crm.lead"),
    ("crm", "mt_lead_won", "Opportunity Won", "crm.lead"),
    ("crm", "mt_lead_lost", "Opportunity Lost", "crm.lead"),
    ("crm", "mt_lead_restored", "Opportunity Restored", "crm.lead"),
    ("project", "mt_task_new", "Task Created", "project.task"),
    ("project", "mt_task_stage", "Stage Changed", "project.task"),
    ("account", "mt_invoice_created", "Invoice Created", "account.move"),
    ("account", "mt_invoice_validated", "Validated", "account.move"),
]


def follower_models(schema):
    """The models keyed by name; ``schema`` is schema.py, passed in as for ``schema_hr``."""
    s = schema
    models = [
        s._model(
            "mail.followers",
            "Document Followers",
            rec_name="partner_id",
            res_model=s.char("Related Document Model Name", required=True),
            res_id=s.Field("many2one_reference", "Related Document ID"),
            partner_id=s.many2one("res.partner", "Related Partner"),
            subtype_ids=s.many2many("mail.message.subtype", "Subtype"),
            name=s.char("Name", related="partner_id.name"),
            email=s.char("Email", related="partner_id.email"),
            is_active=s.boolean("Is Active", related="partner_id.active"),
        ),
        s._model(
            "mail.tracking.value",
            "Mail Tracking Value",
            order="id DESC",
            rec_name="field_id",
            field_id=s.many2one("ir.model.fields", "Field", readonly=True),
            old_value_integer=s.integer("Old Value Integer", readonly=True),
            old_value_float=s.floating("Old Value Float", readonly=True),
            old_value_char=s.char("Old Value Char", readonly=True),
            old_value_text=s.text("Old Value Text", readonly=True),
            old_value_datetime=s.datetime("Old Value DateTime", readonly=True),
            new_value_integer=s.integer("New Value Integer", readonly=True),
            new_value_float=s.floating("New Value Float", readonly=True),
            new_value_char=s.char("New Value Char", readonly=True),
            new_value_text=s.text("New Value Text", readonly=True),
            new_value_datetime=s.datetime("New Value Datetime", readonly=True),
            currency_id=s.many2one("res.currency", "Currency", readonly=True),
            mail_message_id=s.many2one("mail.message", "Message ID", required=True),
        ),
        s._model(
            "ir.model.fields",
            "Fields",
            order="name",
            rec_name="field_description",
            name=s.char("Field Name", required=True),
            model=s.char("Model Name", required=True),
            model_id=s.many2one("ir.model", "Model", required=True),
            field_description=s.char("Field Label", required=True),
            ttype=s.char("Field Type", required=True),
            relation=s.char("Related Model"),
        ),
        s._model(
            "res.company",
            "Companies",
            order="sequence, name",
            name=s.char("Company Name", required=True),
            partner_id=s.many2one("res.partner", "Partner", required=True),
            currency_id=s.many2one("res.currency", "Currency", required=True),
            country_id=s.many2one("res.country", "Country"),
            email=s.char("Email"),
            phone=s.char("Phone"),
            sequence=s.integer("Sequence", default=10),
            fiscalyear_lock_date=s.date("Lock Date"),  # 17.0; 18+: hard_lock_date, sale_/purchase_lock_date
            period_lock_date=s.date("Journal Entries Lock Date"),
            tax_lock_date=s.date("Tax Return Lock Date"),
            active=s.active(),
        ),
    ]
    return {model.name: model for model in models}


def extra_fields(schema):
    """(model, field name) -> field added to models defined elsewhere."""
    s = schema
    company = s.many2one("res.company", "Company")
    return {
        ("res.partner", "type"): s.selection("Address Type", PARTNER_TYPES, default="contact"),
        ("res.partner", "company_id"): company,
        ("crm.lead", "company_id"): company,
        ("project.task", "company_id"): company,
        ("res.users", "company_id"): s.many2one("res.company", "Company", default=MAIN_COMPANY, required=True),
        ("res.users", "company_ids"): s.many2many("res.company", "Companies", default=(MAIN_COMPANY,)),
        ("project.project", "company_id"): s.many2one("res.company", "Company", default=MAIN_COMPANY, required=True),
        ("account.move", "company_id"): s.many2one("res.company", "Company", default=MAIN_COMPANY, required=True),
        ("mail.message", "tracking_value_ids"): s.one2many("mail.tracking.value", "mail_message_id", "Tracking values"),
    }


def extend(schema, models):
    for (model, fname), fdef in extra_fields(schema).items():
        models[model].fields[fname] = schema._named(fdef, fname)
