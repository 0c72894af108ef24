import pytest

from actions.services import propose

from .protocols import protocol_for


@pytest.fixture
def make_action(org):
    """Propose a valid action in `org`; keyword arguments override protocol fields."""

    def make(action_type="send_invoice_reminder", organization=None, **overrides):
        return propose(organization or org, protocol_for(action_type, **overrides), source="analyzer")

    return make
