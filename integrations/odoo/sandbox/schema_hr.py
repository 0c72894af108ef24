"""Employees, expense categories and expenses, as Odoo 17's hr, product and hr_expense serve them.

Merged into ``schema.MODELS``. Sources (odoo/odoo, 17.0):

- ``hr.employee``: addons/hr/models/hr_employee.py and hr_employee_base.py. ``name``,
  ``user_id`` and ``active`` are stored related fields on ``resource.resource`` (whose name is
  required, hence ``required`` here); ``work_email`` is computed from ``work_contact_id`` with an
  inverse that writes the contact (see rules.py). Odoo also requires ``company_id``; the sandbox
  has a single company and no ``res.company`` model, so company fields are left out everywhere.
- ``product.product``: in Odoo most of these fields live on ``product.template`` (``_inherits``);
  the sandbox serves a flat ``product.product`` with the fields an expense client reads.
  ``can_be_expensed`` comes from addons/hr_expense/models/product_template.py. ``detailed_type``
  is 17's user-facing type and ``type`` derives from it (both exist in 16-17; 18 drops
  ``detailed_type``, keeps ``type`` with ``consu``/``service``/``combo`` and adds
  ``is_storable``). Neither has a schema default: rules.py fills them like ``_sanitize_vals``.
- ``hr.expense``: addons/hr_expense/models/hr_expense.py. Amounts, ``name``, ``currency_id``,
  ``price_unit`` and ``state`` are computed in Odoo; here they are stored and rules.py computes
  them. ``state`` is ``compute='_compute_state', store=True, readonly=True`` and depends only on
  ``sheet_id``; the sandbox has no expense reports, so every expense it creates is ``draft``.
  Odoo 18.0+/19 drop ``hr.expense.sheet``: the states become draft/submitted/approved/posted/
  in_payment/paid/refused, ``name`` is no longer required and ``payment_mode`` is.
"""

EXPENSE_STATES = [
    ("draft", "To Report"),
    ("reported", "To Submit"),
    ("submitted", "Submitted"),
    ("approved", "Approved"),
    ("done", "Done"),
    ("refused", "Refused"),
]
PAYMENT_MODES = [("own_account", "Employee (to reimburse)"), ("company_account", "Company")]
PRODUCT_TYPES = [("consu", "Consumable"), ("service", "Service")]  # stock adds ("product", "Storable Product")


def hr_models(schema):
    """The three models keyed by name. ``schema`` is schema.py, which holds the field helpers and
    calls this: it is passed in, not imported, so the two modules do not import each other."""
    _model, char, text, floating, monetary, boolean, date, selection, many2one, active = (
        schema._model, schema.char, schema.text, schema.floating, schema.monetary, schema.boolean, schema.date,
        schema.selection, schema.many2one, schema.active)
    models = [
        _model(
            "hr.employee",
            "Employee",
            order="name",
            mail_thread=True,
            name=char("Employee Name", required=True),
            user_id=many2one("res.users", "User"),
            work_contact_id=many2one("res.partner", "Work Contact"),
            work_email=char("Work Email"),
            job_title=char("Job Title"),
            active=active(),
        ),
        _model(
            "product.product",
            "Product Variant",
            order="priority desc, default_code, name, id",
            name_search_fields=("default_code", "name"),
            mail_thread=True,
            name=char("Name", required=True),
            default_code=char("Internal Reference"),
            detailed_type=selection("Product Type", PRODUCT_TYPES, required=True),
            type=selection("Type", PRODUCT_TYPES),
            can_be_expensed=boolean("Can be Expensed", default=False),
            standard_price=floating("Cost"),
            list_price=floating("Sales Price", default=1.0),
            priority=selection("Favorite", [("0", "Normal"), ("1", "Favorite")], default="0"),
            active=active(),
        ),
        _model(
            "hr.expense",
            "Expense",
            order="date desc, id desc",
            mail_thread=True,
            name=char("Description", required=True),
            date=date("Expense Date"),
            employee_id=many2one("hr.employee", "Employee", required=True),
            product_id=many2one("product.product", "Category"),
            description=text("Internal Notes"),
            quantity=floating("Quantity", required=True, default=1.0),
            price_unit=monetary("Unit Price", required=True, readonly=True),
            total_amount_currency=monetary("Total In Currency"),
            total_amount=monetary("Total"),
            currency_id=many2one("res.currency", "Currency", required=True),
            state=selection("Status", EXPENSE_STATES, default="draft", readonly=True),
            payment_mode=selection("Paid By", PAYMENT_MODES, default="own_account"),
        ),
    ]
    return {model.name: model for model in models}
