"""What the actions API reads and answers, as DRF serializers (the schema at /api/schema/ is
built from them). Shapes only: what an action means comes from `presentation`, what it may
become from the services."""

import re
from datetime import datetime, time, timezone as dt_timezone

from django.utils.dateparse import parse_date, parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from . import bulk, editing, types
from .fields import RiskLevel, Source
from .models import Action, ActionStatus, Approval
from .presentation import ActionCard

HASH_REQUIRED = ("Send the protocol_hash of the version you reviewed (GET /api/actions/<id>/ shows it); "
                 "nothing was decided.")
#: Odoo ids are PostgreSQL integers.
MAX_ODOO_ID = 2**31 - 1
_RECORD = re.compile(r"^([a-z_][a-z0-9_]*(?:\.[a-z0-9_]+)+):(\d{1,10})$")


# --- answers --------------------------------------------------------------------------------

class ActionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Action
        fields = ["id", "title", "action_type", "safe_operation", "status", "status_reason", "risk_level",
                  "requires_approval", "guardrail_decision", "source", "created_by", "protocol_hash", "revision",
                  "expires_at", "not_before", "attempts", "result", "error", "created_at", "updated_at",
                  "decided_at", "executed_at", "superseded_by", "target_model", "target_id", "partner_id"]


class CardChangeSerializer(serializers.Serializer):
    record = serializers.CharField()
    field = serializers.CharField()
    before = serializers.CharField()
    after = serializers.CharField()
    change_type = serializers.CharField()


class CardContactSerializer(serializers.Serializer):
    channel = serializers.CharField()
    recipient = serializers.CharField()
    subject = serializers.CharField()
    message = serializers.CharField()


class CardCheckSerializer(serializers.Serializer):
    check = serializers.CharField(help_text="What is checked again before it runs.")
    if_it_fails = serializers.CharField()


class CardDecisionSerializer(serializers.ModelSerializer):
    user = serializers.CharField(source="user.get_username")

    class Meta:
        model = Approval
        fields = ["user", "decision", "comment", "channel", "created_at"]


class CardSerializer(serializers.Serializer):
    """What the action's card in the dashboard says, read from an `ActionCard`."""

    changes = CardChangeSerializer(many=True)
    contacts = CardContactSerializer(many=True)
    checks = serializers.SerializerMethodField()
    recipient_domains = serializers.ListField(child=serializers.CharField(),
                                              help_text="Set when an email goes to more than one domain.")
    content_flags = serializers.ListField(child=serializers.CharField(),
                                          help_text="What was cleaned out of Odoo text before it was written.")
    edit_warnings = serializers.ListField(child=serializers.CharField(),
                                          help_text="What people's edits brought in (a number, a link, ...).")
    written_by_claude = serializers.BooleanField()
    expires_in = serializers.CharField()
    send_delay_left = serializers.IntegerField(allow_null=True,
                                               help_text="Seconds until an approved message is sent (Undo until then).")
    decisions = serializers.SerializerMethodField(help_text="Decisions that count on this revision.")
    approvals_required = serializers.SerializerMethodField()
    editable_fields = serializers.SerializerMethodField(help_text="What POST …/edit/ may change before approval.")

    @extend_schema_field(CardCheckSerializer(many=True))
    def get_checks(self, card: ActionCard) -> list[dict]:
        return [{"check": words, "if_it_fails": outcome} for words, outcome in card.checks()]

    @extend_schema_field(CardDecisionSerializer(many=True))
    def get_decisions(self, card: ActionCard) -> list[dict]:
        return CardDecisionSerializer(card.action.standing_decisions(), many=True).data

    def get_approvals_required(self, card: ActionCard) -> int:
        return card.approval_progress.required

    def get_editable_fields(self, card: ActionCard) -> list[str]:
        return list(editing.editable_inputs(card.action))


class ActionDetailSerializer(ActionSerializer):
    card = serializers.SerializerMethodField()

    class Meta(ActionSerializer.Meta):
        fields = ActionSerializer.Meta.fields + ["protocol", "card"]

    @extend_schema_field(CardSerializer)
    def get_card(self, action: Action) -> dict:
        return CardSerializer(ActionCard.of(action)).data


class BulkRowSerializer(serializers.Serializer):
    id = serializers.CharField()
    outcome = serializers.ChoiceField(choices=[bulk.WILL_EXECUTE, bulk.WILL_BE_BLOCKED, bulk.NEEDS_ANOTHER_APPROVER,
                                               bulk.LEFT_OUT])
    reason = serializers.CharField()


class BulkResultSerializer(serializers.Serializer):
    results = BulkRowSerializer(many=True)


class QueueMetricsSerializer(serializers.Serializer):
    by_status = serializers.DictField(child=serializers.IntegerField(), help_text="Every status, zeros too.")
    pending = serializers.IntegerField()
    oldest_pending_age_seconds = serializers.IntegerField(allow_null=True)
    due_now = serializers.IntegerField()
    deferred = serializers.IntegerField()
    stuck_executing = serializers.IntegerField()


# --- input -----------------------------------------------------------------------------------

def _protocol_hash():
    return serializers.CharField(min_length=64, max_length=64, error_messages={
        "required": HASH_REQUIRED, "blank": HASH_REQUIRED, "null": HASH_REQUIRED})


class ApproveInput(serializers.Serializer):
    comment = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")
    protocol_hash = _protocol_hash()


class RejectInput(serializers.Serializer):
    reason = serializers.CharField(max_length=1000)
    protocol_hash = _protocol_hash()


class ResolveInput(serializers.Serializer):
    sent = serializers.BooleanField()
    note = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class CancelInput(serializers.Serializer):
    reason = serializers.CharField(max_length=1000)


class EditInput(serializers.Serializer):
    protocol_hash = _protocol_hash()
    changes = serializers.DictField(
        child=serializers.CharField(allow_blank=True, trim_whitespace=False), allow_empty=False,
        help_text="The new value of each field to change (GET /api/actions/<id>/ lists card.editable_fields); "
                  "dates as 2025-03-12, date-times as 2025-03-12T09:30:00+01:00.")


class BulkItem(serializers.Serializer):
    id = serializers.CharField(max_length=64)
    protocol_hash = _protocol_hash()


class BulkInput(serializers.Serializer):
    actions = BulkItem(many=True, allow_empty=False)
    comment = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


@extend_schema_field(OpenApiTypes.STR)
class MomentField(serializers.Field):
    """An ISO date (the start of that day, UTC) or date-time (UTC unless it names its offset)."""

    default_error_messages = {"invalid": "Give a date (2025-03-12) or a date and time (2025-03-12T09:30:00+01:00)."}

    def to_internal_value(self, data) -> datetime:
        text = str(data).strip()
        try:
            moment = parse_datetime(text)
            day = None if moment else parse_date(text)
        except ValueError:
            self.fail("invalid")
        if moment is None and day is None:
            self.fail("invalid")
        if moment is None:
            return datetime.combine(day, time.min, tzinfo=dt_timezone.utc)
        return moment if moment.tzinfo else moment.replace(tzinfo=dt_timezone.utc)

    def to_representation(self, value):
        return value.isoformat()


class RecordField(serializers.CharField):
    """An Odoo record as `model:id` ("account.move:12") → (model, id)."""

    default_error_messages = {"record": "Give the record as model:id, for example account.move:12."}

    def to_internal_value(self, data) -> tuple[str, int]:
        found = _RECORD.match(super().to_internal_value(data).strip())
        if not found or not 0 < int(found.group(2)) <= MAX_ODOO_ID:
            self.fail("record")
        return found.group(1), int(found.group(2))


def _choice(choices, what: str):
    return serializers.ChoiceField(choices=choices, required=False, help_text=what)


class ActionFilter(serializers.Serializer):
    """The list's filters: the dashboard's (q, risk, type, source, status) and a few more."""

    status = _choice(ActionStatus.choices, "Only actions in this status.")
    risk = _choice([level.value for level in RiskLevel], "Only actions of this risk level.")
    risk_level = _choice([level.value for level in RiskLevel], "The same as risk.")
    action_type = _choice(types.action_type_choices(), "Only actions of this type.")
    source = _choice([source.value for source in Source], "Only actions from this source.")
    partner = serializers.IntegerField(min_value=1, max_value=MAX_ODOO_ID, required=False,
                                       help_text="Odoo partner id: what the customer's record page shows.")
    record = RecordField(required=False, max_length=80,
                         help_text="model:id (account.move:12): what that record's page shows.")
    created_after = MomentField(required=False, help_text="Created at or after this date or moment.")
    created_before = MomentField(required=False, help_text="Created before this date or moment.")
    q = serializers.CharField(max_length=100, required=False, allow_blank=True,
                              help_text="Search: customer, invoice, deal, task or Odoo id (as in the dashboard).")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action_type"].choices = types.action_type_choices()  # the registry as it stands now

    def validate(self, data: dict) -> dict:
        if data.get("risk") and data.get("risk_level") and data["risk"] != data["risk_level"]:
            raise serializers.ValidationError("risk and risk_level name different levels; send one of them.")
        if data.get("created_after") and data.get("created_before") and data["created_after"] >= data["created_before"]:
            raise serializers.ValidationError("created_after must be earlier than created_before.")
        return data

    @staticmethod
    def filters(data: dict) -> dict:
        """The cleaned values as the selectors name them."""
        filters = {name: value for name, value in data.items() if value not in ("", None)}
        if "risk_level" in filters:
            filters["risk"] = filters.pop("risk_level")
        return filters
