"""What AIOM will and will not write to a customer: the rules every outgoing text obeys.

A message is facts written by code (invoice numbers, amounts, dates from Odoo's structured
fields, and the organisation's own payment instructions) plus prose slots (greeting, opening,
closing) that the rules or Claude fill. This package decides, deterministically and in every
language AIOM writes in, what a slot may say, what Odoo free text may bring into a message, and
which claims a text makes that the facts do not support. It imports no other app: the builders,
the drafting rules, the edit form and the approval card all ask it the same questions.

- `slot_problems(text)`: why a prose slot is refused (empty list: it may be used).
- `neutralise(text)`: Odoo free text (a partner or deal name) made safe to print, and what was
  taken out of it.
- `claim_problems(text, facts)`: claims the text makes that the facts do not support.
- `added_details(before, after)`: numbers, links, addresses and bank details a person's edit
  brings in (shown as a warning, never refused).
"""

from .checks import (  # noqa: F401 - the package's interface
    ClaimFacts,
    Neutralised,
    added_details,
    claim_problems,
    neutralise,
    normalise,
    slot_problems,
)
