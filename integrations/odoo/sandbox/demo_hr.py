"""Demo employees and expense categories for Lumen Works (no expenses: AIOM creates them).

Four employees, each linked to a user and using the user's partner as work contact, the way
Odoo's ``hr.employee.create`` links them (``_sync_user``), so no partner is added and the demo's
customer counts stay as they are. The admin's employee carries Odoo's ``hr.employee_admin``.
Five products: four expense categories and one sales product that cannot be expensed.
"""

EMPLOYEES = [
    # user login, job title
    ("admin", "Managing Director"),
    ("sofia", "Account Manager"),
    ("marc", "Account Manager"),
    ("pieter", "Project Manager"),
]
EXPENSE_CATEGORIES = [
    # internal reference, name, product type, cost (0: the employee enters the amount)
    ("TRAVEL", "Travel", "service", 0.0),
    ("MEALS", "Meals", "service", 0.0),
    ("MIL", "Mileage", "service", 0.43),  # per km: the quantity is the distance
    ("OFFICE", "Office supplies", "consu", 0.0),
]
#: A product for invoicing customers; ``can_be_expensed`` is off, as for any product by default.
NOT_EXPENSABLE = ("CONSULT", "Consulting day", "service", 850.0)


def build(builder):
    """Add the employees and products to the store ``builder`` (a ``demo.DemoBuilder``) fills."""
    store = builder.store
    for login, job_title in EMPLOYEES:
        user = store.row("res.users", builder.users[login])
        partner = store.row("res.partner", user["partner_id"])
        employee_id = store.insert(
            "hr.employee",
            {
                "name": user["name"],
                "user_id": user["id"],
                "work_contact_id": partner["id"],
                "work_email": partner.get("email", False),
                "job_title": job_title,
                "active": True,
            },
        )
        if login == "admin":
            store.insert("ir.model.data", {"module": "hr", "name": "employee_admin", "model": "hr.employee", "res_id": employee_id})
    for code, name, kind, cost in EXPENSE_CATEGORIES:
        store.insert("product.product", _product(code, name, kind, standard_price=cost, list_price=0.0, can_be_expensed=True))
    code, name, kind, price = NOT_EXPENSABLE
    store.insert("product.product", _product(code, name, kind, standard_price=0.0, list_price=price, can_be_expensed=False))


def _product(code, name, kind, **values):
    return {"name": name, "default_code": code, "detailed_type": kind, "type": kind, "priority": "0", "active": True, **values}
