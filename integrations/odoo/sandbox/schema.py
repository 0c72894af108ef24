"""The models and fields the sandbox serves: the subset of Odoo 17 that AIOM reads and writes.

Field names, types, selections and default orders follow Odoo 17 so that a client tested here
behaves the same against a real server. Fields that Odoo computes are marked ``compute`` (the
store derives them); ``related`` fields follow a dotted path and are read-only here. The mail
models, and the chatter and activity fields of every ``mail_thread`` model, are in schema_mail.py.
"""

import sys
from dataclasses import dataclass

from .schema_calendar import calendar_models, extend as extend_for_calendar
from .schema_files import file_models
from .schema_followers import extend as extend_for_followers, follower_models
from .schema_hr import hr_models
from .schema_mail import mail_models, mixin_fields

RELATIONAL = ("many2one", "one2many", "many2many")
X2MANY = ("one2many", "many2many")
NUMERIC = ("integer", "float", "monetary", "many2one_reference")


@dataclass(frozen=True)
class Field:
    type: str
    string: str
    relation: str | None = None
    inverse_name: str | None = None
    selection: tuple = ()
    required: bool = False
    default: object = None
    related: str | None = None
    compute: bool = False
    readonly: bool = False  # stored but computed by Odoo (e.g. hr.expense.state): fields_get says readonly
    searchable: bool = True  # False: computed without a search method (fields_get, and SEARCHES drops the leaf)
    writable: bool = False  # computed with an inverse (``readonly=False``): written by rules_followers.py
    name: str = ""

    @property
    def stored(self):
        return not (self.related or self.compute or self.type == "one2many")

    def describe(self):
        """The dictionary ``fields_get`` returns for this field."""
        info = {
            "type": self.type,
            "string": self.string,
            "required": self.required,
            "readonly": (bool(self.related or self.compute or self.readonly) and not self.writable) or self.name == "id",
            "store": self.stored,
            "searchable": self.searchable,
            "sortable": self.stored and self.type not in X2MANY,
        }
        if self.relation:
            info["relation"] = self.relation
        if self.inverse_name:
            info["relation_field"] = self.inverse_name
        if self.type == "selection":
            info["selection"] = [list(option) for option in self.selection]
        if self.related:
            info["related"] = self.related
        return info


@dataclass(frozen=True)
class Model:
    name: str
    description: str
    fields: dict
    order: str = "id"
    rec_name: str | None = "name"
    name_search_fields: tuple = ()
    mail_thread: bool = False

    @property
    def has_active(self):
        return "active" in self.fields

    def field(self, name):
        """The field called ``name``; Odoo's own message when there is none."""
        try:
            return self.fields[name]
        except KeyError:
            raise ValueError(f"Invalid field {name!r} on model {self.name!r}") from None


def char(string, **kw):
    return Field("char", string, **kw)


def text(string, **kw):
    return Field("text", string, **kw)


def html(string, **kw):
    return Field("html", string, **kw)


def integer(string, **kw):
    return Field("integer", string, **kw)


def floating(string, **kw):
    return Field("float", string, **kw)


def monetary(string, **kw):
    return Field("monetary", string, **kw)


def boolean(string, **kw):
    return Field("boolean", string, **kw)


def date(string, **kw):
    return Field("date", string, **kw)


def datetime(string, **kw):
    return Field("datetime", string, **kw)


def selection(string, options, **kw):
    return Field("selection", string, selection=tuple(options), **kw)


def many2one(relation, string, **kw):
    return Field("many2one", string, relation=relation, **kw)


def one2many(relation, inverse_name, string, **kw):
    return Field("one2many", string, relation=relation, inverse_name=inverse_name, **kw)


def many2many(relation, string, **kw):
    return Field("many2many", string, relation=relation, **kw)


def active():
    return boolean("Active", default=True)


def _model(model_name, description, /, *, order="id", rec_name="name", name_search_fields=(), mail_thread=False, **fields):
    common = {
        "id": integer("ID"),
        "display_name": char("Display Name", compute=True),
        "create_date": datetime("Created on"),
        "write_date": datetime("Last Updated on"),
    }
    mixins = mixin_fields(sys.modules[__name__]) if mail_thread else {}  # mail.thread + mail.activity.mixin
    named = {fname: _named(fdef, fname) for fname, fdef in {**common, **fields, **mixins}.items()}
    return Model(
        name=model_name,
        description=description,
        fields=named,
        order=order,
        rec_name=rec_name,
        name_search_fields=name_search_fields or ((rec_name,) if rec_name else ()),
        mail_thread=mail_thread,
    )


def _named(fdef, fname):
    return Field(**{**fdef.__dict__, "name": fname})


MOVE_TYPES = [
    ("entry", "Journal Entry"),
    ("out_invoice", "Customer Invoice"),
    ("out_refund", "Customer Credit Note"),
    ("in_invoice", "Vendor Bill"),
    ("in_refund", "Vendor Credit Note"),
    ("out_receipt", "Sales Receipt"),
    ("in_receipt", "Purchase Receipt"),
]
PAYMENT_STATES = [
    ("not_paid", "Not Paid"),
    ("in_payment", "In Payment"),
    ("paid", "Paid"),
    ("partial", "Partially Paid"),
    ("reversed", "Reversed"),
    ("invoicing_legacy", "Invoicing App Legacy"),
]
TASK_STATES = [
    ("01_in_progress", "In Progress"),
    ("02_changes_requested", "Changes Requested"),
    ("03_approved", "Approved"),
    ("1_done", "Done"),
    ("1_canceled", "Canceled"),
    ("04_waiting_normal", "Waiting"),
]
ACCOUNT_TYPES = [
    ("asset_receivable", "Receivable"),
    ("asset_cash", "Bank and Cash"),
    ("asset_current", "Current Assets"),
    ("liability_payable", "Payable"),
    ("income", "Income"),
    ("expense", "Expenses"),
]

MODELS = {
    model.name: model
    for model in [
        _model(
            "res.partner",
            "Contact",
            order="complete_name ASC, id DESC",
            rec_name="complete_name",
            name_search_fields=("complete_name", "email"),
            mail_thread=True,
            name=char("Name"),
            complete_name=char("Complete Name", compute=True),
            email=char("Email"),
            phone=char("Phone"),
            mobile=char("Mobile"),
            tz=char("Timezone"),
            lang=char("Language", default="en_US"),
            is_company=boolean("Is a Company", default=False),
            parent_id=many2one("res.partner", "Related Company"),
            child_ids=one2many("res.partner", "parent_id", "Contact"),
            comment=html("Notes"),
            city=char("City"),
            active=active(),
        ),
        _model(
            "res.users",
            "User",
            order="name, login",
            name=char("Name", required=True),
            login=char("Login", required=True),
            email=char("Email"),
            partner_id=many2one("res.partner", "Related Partner"),
            tz=char("Timezone"),
            lang=char("Language", default="en_US"),
            active=active(),
        ),
        _model("res.currency", "Currency", order="active desc, name", name=char("Currency", required=True), symbol=char("Symbol"), active=active()),
        _model(
            "account.account",
            "Account",
            order="code, id",
            name=char("Account Name", required=True),
            code=char("Code"),
            account_type=selection("Type", ACCOUNT_TYPES, required=True),
            current_balance=monetary("Current Balance"),
        ),
        _model(
            "account.journal",
            "Journal",
            order="sequence, type, code",
            name=char("Journal Name", required=True),
            code=char("Short Code"),
            type=selection("Type", [("sale", "Sales"), ("purchase", "Purchase"), ("cash", "Cash"), ("bank", "Bank"), ("general", "Miscellaneous")], required=True),
            sequence=integer("Sequence", default=10),
            default_account_id=many2one("account.account", "Default Account"),
            currency_id=many2one("res.currency", "Currency"),
            active=active(),
        ),
        _model(
            "account.move",
            "Journal Entry",
            order="date desc, name desc, invoice_date desc, id desc",
            mail_thread=True,
            name=char("Number"),
            ref=char("Reference"),
            date=date("Date"),
            move_type=selection("Type", MOVE_TYPES, required=True, default="entry"),
            state=selection("Status", [("draft", "Draft"), ("posted", "Posted"), ("cancel", "Cancelled")], required=True, default="draft"),
            payment_state=selection("Payment Status", PAYMENT_STATES, default="not_paid"),
            partner_id=many2one("res.partner", "Partner"),
            journal_id=many2one("account.journal", "Journal"),
            invoice_date=date("Invoice/Bill Date"),
            invoice_date_due=date("Due Date"),
            amount_untaxed=monetary("Untaxed Amount"),
            amount_total=monetary("Total"),
            amount_residual=monetary("Amount Due"),
            currency_id=many2one("res.currency", "Currency"),
            invoice_user_id=many2one("res.users", "Salesperson"),
            posted_before=boolean("Posted Before", default=False, readonly=True),
            invoice_pdf_report_id=many2one("ir.attachment", "PDF Attachment", compute=True),  # 17.0+, schema_files.py
        ),
        _model(
            "crm.stage",
            "CRM Stages",
            order="sequence, name, id",
            name=char("Stage Name", required=True),
            sequence=integer("Sequence", default=1),
            is_won=boolean("Is Won Stage?", default=False),
            fold=boolean("Folded in Pipeline", default=False),
            team_id=many2one("crm.team", "Sales Team"),
        ),
        _model("crm.team", "Sales Team", order="sequence ASC, create_date DESC, id DESC", name=char("Sales Team", required=True), sequence=integer("Sequence", default=10), user_id=many2one("res.users", "Team Leader"), active=active()),
        _model(
            "crm.lead",
            "Lead/Opportunity",
            order="priority desc, id desc",
            mail_thread=True,
            name=char("Opportunity", required=True),
            type=selection("Type", [("lead", "Lead"), ("opportunity", "Opportunity")], required=True, default="lead"),
            partner_id=many2one("res.partner", "Customer"),
            stage_id=many2one("crm.stage", "Stage"),
            team_id=many2one("crm.team", "Sales Team"),
            user_id=many2one("res.users", "Salesperson"),
            priority=selection("Priority", [("0", "Low"), ("1", "Medium"), ("2", "High"), ("3", "Very High")], default="0"),
            probability=floating("Probability", default=10.0),
            expected_revenue=monetary("Expected Revenue"),
            date_deadline=date("Expected Closing"),
            date_last_stage_update=datetime("Last Stage Update"),
            date_closed=datetime("Closed Date"),
            email_from=char("Email"),
            phone=char("Phone"),
            description=html("Notes"),
            active=active(),
        ),
        _model("project.project", "Project", order="sequence, name, id", mail_thread=True, name=char("Name", required=True), sequence=integer("Sequence", default=10), user_id=many2one("res.users", "Project Manager"), partner_id=many2one("res.partner", "Customer"), task_ids=one2many("project.task", "project_id", "Tasks"), active=active()),
        _model("project.task.type", "Task Stage", order="sequence, id", name=char("Name", required=True), sequence=integer("Sequence", default=1), fold=boolean("Folded in Kanban", default=False), project_ids=many2many("project.project", "Projects"), active=active()),
        _model(
            "project.task",
            "Task",
            order="priority desc, sequence, date_deadline asc, id desc",
            mail_thread=True,
            name=char("Title", required=True),
            project_id=many2one("project.project", "Project"),
            user_ids=many2many("res.users", "Assignees"),
            partner_id=many2one("res.partner", "Customer"),
            date_deadline=datetime("Deadline"),
            priority=selection("Priority", [("0", "Low"), ("1", "High")], default="0"),
            sequence=integer("Sequence", default=10),
            stage_id=many2one("project.task.type", "Stage"),
            state=selection("State", TASK_STATES, required=True, default="01_in_progress"),
            parent_id=many2one("project.task", "Parent Task"),
            child_ids=one2many("project.task", "parent_id", "Sub-tasks"),
            description=html("Description"),
            active=active(),
        ),
        _model("ir.model", "Models", order="model", name=char("Model Description", required=True), model=char("Model", required=True)),
        _model(
            "ir.model.data",
            "Model Data",
            order="module, model, name",
            rec_name="complete_name",
            name=char("External Identifier", required=True),
            complete_name=char("Complete ID", compute=True),
            module=char("Module", required=True),
            model=char("Model Name", required=True),
            res_id=Field("many2one_reference", "Record ID"),
        ),
        *mail_models(sys.modules[__name__]).values(),  # mail.message.subtype, mail.message, mail.activity.type, mail.activity
    ]
}

MODELS.update(hr_models(sys.modules[__name__]))  # hr.employee, product.product, hr.expense
MODELS.update(file_models(sys.modules[__name__]))  # ir.attachment
MODELS.update(calendar_models(sys.modules[__name__]))  # res.country, res.partner.category, calendar.*, mail.mail
extend_for_calendar(sys.modules[__name__], MODELS)  # res.partner country_id/category_id, mail.activity.calendar_event_id
MODELS.update(follower_models(sys.modules[__name__]))  # mail.followers, mail.tracking.value, ir.model.fields, res.company
extend_for_followers(sys.modules[__name__], MODELS)  # res.partner type, company_id, mail.message.tracking_value_ids
MAIL_THREAD_MODELS = tuple(name for name, model in MODELS.items() if model.mail_thread)
ARCHIVABLE_MODELS = tuple(name for name, model in MODELS.items() if model.has_active)
PARENT_FIELD = "parent_id"
#: (model, field) or field -> ``search(store, model, operator, value)`` returning the domain Odoo's
#: search method would (filled by rules_mail.py, read by domain.py), as COMPUTED is for values.
SEARCHES = {}


def default_value(fdef):
    value = fdef.default
    return value() if callable(value) else value


def absent_value(fdef):
    """What a row that never stored ``fdef`` reads as: its constant default, else empty."""
    if fdef.default is not None and not callable(fdef.default):
        return fdef.default
    return empty_value(fdef)


def empty_value(fdef):
    """What Odoo stores for a field nobody set."""
    if fdef.type in X2MANY:
        return []
    if fdef.type in ("integer", "many2one_reference"):
        return 0
    if fdef.type in NUMERIC:
        return 0.0
    return False
