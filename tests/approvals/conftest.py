import pytest

from actions import services
from actions.approval_links import make_token
from actions.models import ActionStatus, Decision
from actions.protocol import ActionType
from tests.actions.protocols import protocol_for


@pytest.fixture(autouse=True)
def _approval_settings(settings):
    settings.APP_URL = "https://aiom.example"
    settings.APPROVAL_EMAIL = ""
    settings.APPROVAL_PHONE = ""


@pytest.fixture
def propose(org):
    """Propose an action in `org` (or `organization=`); keyword arguments override protocol fields."""

    def make(action_type=ActionType.SEND_INVOICE_REMINDER, organization=None, **overrides):
        action = services.propose(organization or org, protocol_for(action_type, **overrides), source="analyzer")
        assert action.status == ActionStatus.PENDING_APPROVAL
        return action

    return make


@pytest.fixture
def pending(propose, approver):
    """A medium-risk invoice reminder email waiting for `approver`."""
    return propose()


@pytest.fixture
def approve_token(pending, approver):
    return make_token(pending, approver, Decision.APPROVE)


@pytest.fixture
def reject_token(pending, approver):
    return make_token(pending, approver, Decision.REJECT)
