"""Demo partner tags, partner countries and the admin's meetings of the coming week.

- Tags: "VIP", "Reseller" and "Slow payer" (a child of "Payment" to show the "Parent / Child"
  display name) on a few customers; no partner count changes.
- Countries: every partner whose timezone has a country in base data gets it (mostly BE, NL and
  DE); Stockholm has none, as a partner may have no country in Odoo.
- Meetings: four events of Mitchell Admin in the next days (one shown as free), stored the way
  ``calendar.event.create`` leaves them (an attendee per partner, the admin's accepted) but
  without the invitation mail: the demo is loaded, not created by a user.
"""

from datetime import datetime, timedelta

from .values import DATETIME_FORMAT

TAGS = [
    # key, name, color, parent key
    ("vip", "VIP", 3, None),
    ("reseller", "Reseller", 10, None),
    ("payment", "Payment", 1, None),
    ("slow", "Slow payer", 1, "payment"),
]
PARTNER_TAGS = {"dubois": ["vip"], "kinetic": ["vip", "slow"], "brightline": ["reseller"], "verhoeven": ["reseller"],
                "polder": ["slow"], "emma": ["vip"]}
COUNTRY_OF_TIMEZONE = {"Europe/Brussels": "BE", "Europe/Berlin": "DE", "Europe/Amsterdam": "NL", "Europe/Paris": "FR",
                       "Europe/London": "GB", "America/New_York": "US"}
MEETINGS = [
    # days from today, start hour (UTC), hours, name, show as, other attendees (partner keys), location
    (1, 8, 1.0, "Weekly planning", "busy", [], "Meeting room 1"),
    (2, 12, 1.5, "Lunch with Dubois & Fils", "busy", ["dubois-contact"], "Brasserie Flagey"),
    (3, 7, 2.0, "Focus time", "free", [], False),
    (4, 13, 1.0, "Lab rollout review – Kinetic Labs", "busy", ["kinetic-contact"], False),
]


def build(builder):
    """Add tags, countries and meetings to the store ``builder`` (a ``demo.DemoBuilder``) fills."""
    store = builder.store
    tags = {}
    for key, name, color, parent in TAGS:
        tags[key] = store.insert("res.partner.category", {"name": name, "color": color, "parent_id": tags[parent] if parent else False,
                                                          "active": True})
    for key, keys in PARTNER_TAGS.items():
        store.update("res.partner", builder.partners[key], {"category_id": [tags[k] for k in keys]})
    countries = builder.ids["countries"]
    for partner in list(store.tables["res.partner"].values()):
        code = COUNTRY_OF_TIMEZONE.get(partner.get("tz"))
        if code:
            store.update("res.partner", partner["id"], {"country_id": countries[code]})
    admin = builder.users["admin"]
    admin_partner = store.row("res.users", admin)["partner_id"]
    for offset, hour, hours, name, show_as, others, location in MEETINGS:
        start = datetime.strptime(builder.moment(offset, hour), DATETIME_FORMAT)
        partners = [admin_partner, *(builder.partners[key] for key in others)]
        event_id = store.insert("calendar.event", {
            "name": name, "user_id": admin, "start": start.strftime(DATETIME_FORMAT),
            "stop": (start + timedelta(hours=hours)).strftime(DATETIME_FORMAT), "duration": hours, "allday": False,
            "show_as": show_as, "privacy": "public", "location": location, "partner_ids": partners, "active": True,
        })
        for partner_id in partners:
            partner = store.row("res.partner", partner_id)
            store.insert("calendar.attendee", {"event_id": event_id, "partner_id": partner_id, "common_name": partner.get("name") or False,
                                               "state": "accepted" if partner_id == admin_partner else "needsAction"})
