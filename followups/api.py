"""Follow-ups and sequences over the API: the list (the dashboard's filters), one follow-up with
its levels, history and promises, and pause, resume, stop, promise and dispute through the same
services the dashboard calls. Thin: a serializer checks the input, a service decides. Changing
views look the follow-up up within the organisation first (another's id is a 404), then check
the role (a viewer gets 403 whatever the body), then read the input."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from actions.permissions import ensure_can_decide
from aiom.api import organization_of
from aiom.api_contract import JSON, error_responses, validated
from aiom.errors import ApplicationError
from aiom.pagination import Pages

from . import selectors, services
from .forms import PROMISE_TOO_FAR, too_far
from .models import FollowUp, FollowUpEvent, FollowUpStatus, Level, Promise, Sequence

MAX_ODOO_ID = 2**31 - 1
REASON = "Say why, in at most 300 characters."
#: A change's answers besides 200: bad input, not found, no longer open (or not paused), not JSON.
CHANGE_ERRORS = error_responses(400, 404, 409, 415)


# --- answers --------------------------------------------------------------------------------

class LevelSerializer(serializers.ModelSerializer):
    words = serializers.SerializerMethodField(help_text="The level in words: when · channel · wording.")

    class Meta:
        model = Level
        fields = ["position", "name", "offset_days", "offset_from", "channel", "wording", "risk_level",
                  "list_invoices", "collection_wording", "words"]

    def get_words(self, level: Level) -> str:
        return selectors.level_in_words(level)


class SequenceSerializer(serializers.ModelSerializer):
    levels = LevelSerializer(many=True, help_text="In the order they are sent.")

    class Meta:
        model = Sequence
        fields = ["id", "kind", "name", "is_default", "active", "tolerance", "weekdays_only", "updated_at", "levels"]


class InvoiceSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The Odoo invoice (account.move) id.")
    name = serializers.CharField()
    residual = serializers.FloatField(help_text="What is still open on it.")
    currency = serializers.CharField()
    due = serializers.DateField()
    days_overdue = serializers.IntegerField(help_text="Counted to today; negative before the due date.")


class DisputedInvoiceSerializer(InvoiceSerializer):
    disputed = serializers.BooleanField(help_text="An open dispute holds it out of the follow-up.")


def _invoices(follow_up: FollowUp, context: dict, *, disputes: bool) -> list[dict]:
    today = timezone.now().astimezone(context["zone"]).date()
    return [{"id": row.id, "name": row.name, "residual": row.residual, "currency": row.currency, "due": row.due,
             "days_overdue": row.days_overdue, "disputed": row.dispute is not None}
            for row in selectors.invoices(follow_up, today, with_disputes=disputes)]


class FollowUpSerializer(serializers.ModelSerializer):
    sequence_name = serializers.CharField(source="sequence.name")
    next_level = serializers.SerializerMethodField(help_text="The name of the level that comes next; null once "
                                                             "every level has been sent.")
    open_amount = serializers.SerializerMethodField(help_text="The sum still open on the invoices chased.")
    currency = serializers.SerializerMethodField()
    invoices = serializers.SerializerMethodField(help_text="What is chased, as last read from Odoo.")
    last_action = serializers.UUIDField(source="last_action_id", allow_null=True,
                                        help_text="The action of the last level proposed: GET /api/actions/<id>/")

    class Meta:
        model = FollowUp
        fields = ["id", "status", "reason", "target_model", "target_id", "partner_id", "target_name", "sequence",
                  "sequence_name", "level", "next_level", "next_due_at", "paused_until", "open_amount", "currency",
                  "invoices", "last_action", "started_at", "updated_at"]
        extra_kwargs = {"level": {"help_text": "The position of the next level (0-based); the number of levels "
                                               "once all are sent."}}

    def get_next_level(self, follow_up: FollowUp) -> str | None:
        level = selectors.next_level(follow_up)
        return level.name if level else None

    @extend_schema_field(serializers.DecimalField(max_digits=14, decimal_places=2))
    def get_open_amount(self, follow_up: FollowUp) -> str:
        return f"{selectors.open_amount(follow_up):.2f}"

    def get_currency(self, follow_up: FollowUp) -> str:
        return selectors.currency(follow_up)

    @extend_schema_field(InvoiceSerializer(many=True))
    def get_invoices(self, follow_up: FollowUp) -> list[dict]:
        return InvoiceSerializer(_invoices(follow_up, self.context, disputes=False), many=True).data


class LevelStepSerializer(serializers.Serializer):
    position = serializers.IntegerField(source="level.position")
    name = serializers.CharField(source="level.name")
    words = serializers.CharField()
    state = serializers.ChoiceField(choices=["done", "skipped", "passed", "next", "later"], help_text=(
        "done: proposed; skipped: the customer could not be reached on its channel; passed: its day had gone "
        "when the follow-up started; next: the one that comes next; later: after it."))
    note = serializers.CharField()


class EventSerializer(serializers.ModelSerializer):
    user = serializers.CharField(source="user.get_username", allow_null=True, default=None,
                                 help_text="Who did it; null for AIOM itself.")

    class Meta:
        model = FollowUpEvent
        fields = ["id", "at", "kind", "text", "detail", "user"]


class PromiseSerializer(serializers.ModelSerializer):
    created_by = serializers.CharField(source="created_by.get_username", allow_null=True, default=None)

    class Meta:
        model = Promise
        fields = ["id", "promised_date", "amount", "grace_days", "open_amount", "status", "created_by", "created_at"]
        extra_kwargs = {"amount": {"help_text": "null: everything open."},
                        "open_amount": {"help_text": "What was open when the promise was made."}}


class FollowUpDetailSerializer(FollowUpSerializer):
    invoices = serializers.SerializerMethodField(help_text="What is chased, as last read from Odoo.")
    levels = serializers.SerializerMethodField(help_text="The sequence's levels and where the follow-up stands.")
    events = EventSerializer(many=True, help_text="What happened, newest first.")
    promises = PromiseSerializer(many=True, help_text="Promises to pay, newest first.")

    class Meta(FollowUpSerializer.Meta):
        fields = FollowUpSerializer.Meta.fields + ["levels", "events", "promises"]

    @extend_schema_field(DisputedInvoiceSerializer(many=True))
    def get_invoices(self, follow_up: FollowUp) -> list[dict]:
        return DisputedInvoiceSerializer(_invoices(follow_up, self.context, disputes=True), many=True).data

    @extend_schema_field(LevelStepSerializer(many=True))
    def get_levels(self, follow_up: FollowUp) -> list[dict]:
        return LevelStepSerializer(selectors.progress(follow_up, self.context["zone"]), many=True).data


# --- input -----------------------------------------------------------------------------------

def _reason():
    return serializers.CharField(max_length=300, error_messages={
        "required": REASON, "blank": REASON, "null": REASON, "max_length": REASON})


class FollowUpFilter(serializers.Serializer):
    status = serializers.ChoiceField(choices=FollowUpStatus.choices, required=False,
                                     help_text="Only follow-ups in this status.")
    partner = serializers.IntegerField(min_value=1, max_value=MAX_ODOO_ID, required=False,
                                       help_text="Odoo partner id of the customer.")
    due_before = serializers.DateField(required=False, help_text="Only those whose next level falls due before this "
                                                                 "day (in the organisation's time zone).")
    q = serializers.CharField(max_length=100, required=False, allow_blank=True,
                              help_text="Search: part of the customer's name.")


class PauseInput(serializers.Serializer):
    until = serializers.DateField(required=False, allow_null=True, default=None,
                                  help_text="The day it resumes by itself; empty: until someone resumes it.")
    reason = _reason()


class StopInput(serializers.Serializer):
    reason = _reason()


class PromiseInput(serializers.Serializer):
    promised_date = serializers.DateField(help_text="Today or a later day, within the next year.")
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True, default=None,
                                      help_text="What the customer promised; empty: everything open.")
    grace_days = serializers.IntegerField(min_value=0, max_value=30, required=False, default=3,
                                          help_text="Days after the promised day before the next level is due.")

    def validate_promised_date(self, day):
        if too_far(day):
            raise serializers.ValidationError(PROMISE_TOO_FAR)
        return day


class DisputeInput(serializers.Serializer):
    invoice_id = serializers.IntegerField(min_value=1, max_value=MAX_ODOO_ID,
                                          help_text="One of the invoices the follow-up chases.")
    reason = _reason()


# --- views -----------------------------------------------------------------------------------

def _context(request) -> dict:
    return {"request": request, "zone": selectors.zone_of(organization_of(request))}


def _follow_up(request, pk) -> FollowUp:
    found = selectors.follow_up_detail(organization=organization_of(request), pk=pk)
    if found is None:
        raise NotFound("No such follow-up in your organisation.")
    return found


def _changeable(request, pk) -> FollowUp:
    """The organisation's follow-up (404 otherwise), for someone who may decide (403 otherwise)."""
    found = _follow_up(request, pk)
    ensure_can_decide(request.user, found.organization)
    return found


def _input(serializer_class, request) -> dict:
    return validated(serializer_class, request.data, plain={REASON: REASON, PROMISE_TOO_FAR: PROMISE_TOO_FAR})


def _answer(request, pk) -> Response:
    return Response(FollowUpDetailSerializer(_follow_up(request, pk), context=_context(request)).data)


class FollowUpList(ListAPIView):
    """The organisation's follow-ups, the latest next due date first; the dashboard's filters."""

    serializer_class = FollowUpSerializer
    pagination_class = Pages

    @extend_schema(parameters=[FollowUpFilter], responses={(200, JSON): FollowUpSerializer(many=True),
                                                           **error_responses(400, 404)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        filters = validated(FollowUpFilter, self.request.query_params)
        return selectors.follow_ups_listed(organization=organization_of(self.request),
                                           **{name: value for name, value in filters.items() if value})

    def get_serializer_context(self):
        return {**super().get_serializer_context(), **_context(self.request)}


class FollowUpDetail(RetrieveAPIView):
    """One follow-up: its invoices, the sequence's levels with where it stands, its history and
    its promises."""

    serializer_class = FollowUpDetailSerializer
    queryset = FollowUp.objects.none()  # for the schema; get_object reads within the organisation

    @extend_schema(responses={(200, JSON): FollowUpDetailSerializer, **error_responses(404)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_object(self):
        return _follow_up(self.request, self.kwargs["pk"])

    def get_serializer_context(self):
        return {**super().get_serializer_context(), **_context(self.request)}


class PauseFollowUp(APIView):
    """Pause: nothing is proposed until it is resumed (or the day in `until`); a level waiting for
    approval is withdrawn."""

    @extend_schema(request=PauseInput, responses={(200, JSON): FollowUpDetailSerializer, **CHANGE_ERRORS})
    def post(self, request, pk):
        follow_up = _changeable(request, pk)
        data = _input(PauseInput, request)
        services.pause(follow_up, request.user, until=data["until"], reason=data["reason"])
        return _answer(request, pk)


class ResumeFollowUp(APIView):
    """Resume a paused follow-up: the next level is proposed when it falls due."""

    @extend_schema(request=None, responses={(200, JSON): FollowUpDetailSerializer, **error_responses(404, 409)})
    def post(self, request, pk):
        services.resume(_changeable(request, pk), request.user)
        return _answer(request, pk)


class StopFollowUp(APIView):
    """Stop chasing these invoices for good; a level waiting for approval is withdrawn."""

    @extend_schema(request=StopInput, responses={(200, JSON): FollowUpDetailSerializer, **CHANGE_ERRORS})
    def post(self, request, pk):
        follow_up = _changeable(request, pk)
        data = _input(StopInput, request)
        services.stop(follow_up, request.user, reason=data["reason"])
        return _answer(request, pk)


class PromiseFollowUp(APIView):
    """Record the customer's promise to pay: nothing is sent until the day plus the grace days; if
    the money has not come by then, the next level is due at once."""

    @extend_schema(request=PromiseInput, responses={(200, JSON): FollowUpDetailSerializer, **CHANGE_ERRORS})
    def post(self, request, pk):
        follow_up = _changeable(request, pk)
        data = _input(PromiseInput, request)
        selectors.ensure_open_for_invoices(follow_up)
        services.promise(follow_up, request.user, promised_date=data["promised_date"], amount=data["amount"],
                         grace_days=data["grace_days"])
        return _answer(request, pk)


class DisputeFollowUp(APIView):
    """The customer disputes one of the invoices chased: it is not chased until the dispute is
    resolved."""

    @extend_schema(request=DisputeInput, responses={(200, JSON): FollowUpDetailSerializer, **CHANGE_ERRORS})
    def post(self, request, pk):
        follow_up = _changeable(request, pk)
        data = _input(DisputeInput, request)
        selectors.ensure_open_for_invoices(follow_up)
        if data["invoice_id"] not in {invoice["id"] for invoice in selectors.chased(follow_up)}:
            raise ApplicationError(f"This follow-up does not chase invoice #{data['invoice_id']}; nothing was changed.",
                                   {"errors": {"invoice_id": ["Not one of the invoices this follow-up chases."]}})
        services.dispute(follow_up.organization, request.user, invoice_id=data["invoice_id"], reason=data["reason"],
                         partner_id=follow_up.target_id)
        return _answer(request, pk)


class ResolveDispute(APIView):
    """The dispute on one of the customer's invoices is settled: it is chased again if still open."""

    @extend_schema(request=None, responses={(200, JSON): FollowUpDetailSerializer, **CHANGE_ERRORS})
    def post(self, request, pk, hold_pk):
        follow_up = _changeable(request, pk)
        hold = selectors.customer_dispute(follow_up, hold_pk)
        if hold is None:
            raise NotFound("No such open dispute on this customer's invoices.")
        services.resolve_dispute(hold, request.user)
        return _answer(request, pk)


class SequenceList(ListAPIView):
    """The organisation's sequences with their levels."""

    serializer_class = SequenceSerializer
    pagination_class = Pages

    @extend_schema(responses={(200, JSON): SequenceSerializer(many=True), **error_responses(400, 404)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.sequences_listed(organization=organization_of(self.request))


class SequenceDetail(RetrieveAPIView):
    """One sequence: its levels, each in words."""

    serializer_class = SequenceSerializer
    queryset = Sequence.objects.none()  # for the schema; get_object reads within the organisation

    @extend_schema(responses={(200, JSON): SequenceSerializer, **error_responses(404)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_object(self):
        found = selectors.sequence_detail(organization=organization_of(self.request), pk=self.kwargs["pk"])
        if found is None:
            raise NotFound("No such sequence in your organisation.")
        return found
