"""REST endpoints for actions: list, read, approve, reject, edit, retry, resolve, cancel, undo,
bulk pre-flight and approval, queue metrics. Thin: each view validates input with a
serializer (`api_serializers`) and calls one service or selector, the same the dashboard calls.
Deciding views authorise before they read the input, so a viewer always gets 403; a 409 (or
410) answer carries the action's current status and protocol_hash, so a client can re-read."""

from contextlib import contextmanager

from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from aiom.api import organization_of
from aiom.api_contract import JSON, error_responses, validated
from aiom.errors import ApplicationError
from aiom.pagination import Pages

from . import bulk, editing, selectors, services
from .api_serializers import (HASH_REQUIRED, ActionDetailSerializer, ActionFilter, ActionSerializer, ApproveInput,
                              BulkInput, BulkResultSerializer, CancelInput, EditInput, QueueMetricsSerializer,
                              RejectInput, ResolveInput)
from .forms import EditForm
from .models import Action
from .permissions import ensure_can_decide

#: The answers of a deciding endpoint besides 200: bad input, not allowed, not found, decided
#: meanwhile or a stale hash, expired, a body that is not JSON or a form (415).
DECIDING_ERRORS = error_responses(400, 404, 409, 410, 415)
#: Recovery (retry, resolve, cancel, undo) has no hash and no expiry.
RECOVERY_ERRORS = error_responses(400, 404, 409, 415)


def _scoped(request):
    return Action.objects.filter(organization=organization_of(request))


def _action(queryset, pk) -> Action:
    action = queryset.filter(pk=pk).first()
    if action is None:
        raise NotFound("No such action in your organisation.")
    return action


def _decidable(request, pk) -> Action:
    """The organisation's action (404 otherwise), for someone who may decide on it (403 otherwise)."""
    action = _action(_scoped(request).select_related("organization"), pk)
    ensure_can_decide(request.user, action.organization)
    return action


def _input(serializer_class, request) -> dict:
    return validated(serializer_class, request.data, plain={HASH_REQUIRED: HASH_REQUIRED})


@contextmanager
def _current_state_on_conflict(action: Action):
    """A refusal because the action moved on (decided, edited, expired) says where it is now."""
    try:
        yield
    except ApplicationError as exc:
        if exc.status_code not in (409, 410):
            raise
        current = Action.objects.filter(pk=action.pk).values("status", "protocol_hash").first() or {}
        exc.extra = {**exc.extra, **current}
        raise


def _answer(action: Action) -> Response:
    return Response(ActionSerializer(action).data)


class ActionList(ListAPIView):
    """The organisation's actions, newest first; the dashboard's filters and a few more."""

    serializer_class = ActionSerializer
    pagination_class = Pages

    @extend_schema(parameters=[ActionFilter], responses={(200, JSON): ActionSerializer(many=True),
                                                         **error_responses(400, 404)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        data = validated(ActionFilter, self.request.query_params)
        return selectors.actions_listed(organization=organization_of(self.request), **ActionFilter.filters(data))


class ActionDetail(RetrieveAPIView):
    """One action: its protocol and what its card in the dashboard says."""

    serializer_class = ActionDetailSerializer
    queryset = Action.objects.none()  # for the schema; get_object reads within the organisation

    @extend_schema(responses={(200, JSON): ActionDetailSerializer, **error_responses(404)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_object(self):
        return _action(_scoped(self.request).prefetch_related("approvals__user"), self.kwargs["pk"])


class ApproveAction(APIView):
    """Approve the version you read (its protocol_hash); it runs once enough people agree."""

    @extend_schema(request=ApproveInput, responses={(200, JSON): ActionSerializer, **DECIDING_ERRORS})
    def post(self, request, pk):
        action = _decidable(request, pk)
        data = _input(ApproveInput, request)
        with _current_state_on_conflict(action):
            action = services.approve(action, request.user, comment=data["comment"], channel="api",
                                      protocol_hash=data["protocol_hash"])
        return _answer(action)


class RejectAction(APIView):
    """Reject the version you read, with a reason; nothing is done."""

    @extend_schema(request=RejectInput, responses={(200, JSON): ActionSerializer, **DECIDING_ERRORS})
    def post(self, request, pk):
        action = _decidable(request, pk)
        data = _input(RejectInput, request)
        with _current_state_on_conflict(action):
            action = services.reject(action, request.user, reason=data["reason"], channel="api",
                                     protocol_hash=data["protocol_hash"])
        return _answer(action)


class EditAction(APIView):
    """A new revision of a pending action's wording or task fields (as the dashboard's Edit):
    it needs approval again, and what the edit brought in shows in card.edit_warnings."""

    @extend_schema(request=EditInput, responses={(200, JSON): ActionDetailSerializer, **DECIDING_ERRORS})
    def post(self, request, pk):
        action = _decidable(request, pk)
        data = _input(EditInput, request)
        changes = _edit_changes(action, data)
        with _current_state_on_conflict(action):
            action = editing.edit(action, request.user, inputs=changes, protocol_hash=data["protocol_hash"])
        return Response(ActionDetailSerializer(action).data)


def _edit_changes(action: Action, data: dict) -> dict:
    """The changes, checked field by field as the dashboard's edit form checks them."""
    editable = editing.editable_inputs(action)
    refused = sorted(set(data["changes"]) - set(editable))
    if refused:
        may = f"Only these may be edited: {', '.join(editable)}." if editable else "Nothing in it may be edited."
        raise ApplicationError(f"These cannot be edited: {', '.join(refused)}. {may} Nothing was changed.",
                               {"errors": {name: ["This field cannot be edited."] for name in refused},
                                "fields": refused})
    form = EditForm({**data["changes"], "protocol_hash": data["protocol_hash"]},
                    editable=tuple(name for name in editable if name in data["changes"]))
    if not form.is_valid():
        raise ApplicationError(" ".join(f"{name}: {message}" for name, messages in form.errors.items()
                                        for message in messages) + " Nothing was changed.",
                               {"errors": {name: list(messages) for name, messages in form.errors.items()}})
    return form.changes()


class RetryAction(APIView):
    """Run a failed action again; it is checked against Odoo again before it runs."""

    @extend_schema(request=None, responses={(200, JSON): ActionSerializer, **RECOVERY_ERRORS})
    def post(self, request, pk):
        action = _decidable(request, pk)
        with _current_state_on_conflict(action):
            return _answer(services.retry_failed(action, user=request.user))


class ResolveAction(APIView):
    """Say whether a message whose outcome is unknown was sent."""

    @extend_schema(request=ResolveInput, responses={(200, JSON): ActionSerializer, **RECOVERY_ERRORS})
    def post(self, request, pk):
        action = _decidable(request, pk)
        data = _input(ResolveInput, request)
        with _current_state_on_conflict(action):
            return _answer(services.resolve_outcome_unknown(action, user=request.user, sent=data["sent"],
                                                            note=data["note"]))


class CancelAction(APIView):
    """Stop an approved action before it starts."""

    @extend_schema(request=CancelInput, responses={(200, JSON): ActionSerializer, **RECOVERY_ERRORS})
    def post(self, request, pk):
        action = _decidable(request, pk)
        data = _input(CancelInput, request)
        with _current_state_on_conflict(action):
            return _answer(services.cancel_approved(action, user=request.user, reason=data["reason"]))


class UndoAction(APIView):
    """Take back an approved message during its send delay; it waits for approval again."""

    @extend_schema(request=None, responses={(200, JSON): ActionSerializer, **RECOVERY_ERRORS})
    def post(self, request, pk):
        action = _decidable(request, pk)
        with _current_state_on_conflict(action):
            return _answer(services.undo_send(action, user=request.user))


def _bulk_items(request) -> tuple[list[tuple[str, str]], str]:
    """Authorise first (a viewer gets 403 whatever the input), then the ids with their hashes."""
    organization = organization_of(request)
    ensure_can_decide(request.user, organization)
    data = BulkInput(data=request.data)
    if not data.is_valid():
        raise ApplicationError(HASH_REQUIRED if "protocol_hash" in str(data.errors) else
                               "Send {\"actions\": [{\"id\": …, \"protocol_hash\": …}, …]}; nothing was decided.",
                               {"errors": data.errors})
    items = [(item["id"], item["protocol_hash"]) for item in data.validated_data["actions"]]
    return items, data.validated_data["comment"]


class Preflight(APIView):
    """What approving each listed action would lead to; changes nothing."""

    @extend_schema(request=BulkInput, responses={(200, JSON): BulkResultSerializer, **error_responses(400, 415)})
    def post(self, request):
        items, _ = _bulk_items(request)
        rows = bulk.preflight(organization_of(request), request.user, items)
        return Response({"results": [row.as_dict() for row in rows]})


class BulkApprove(APIView):
    """Approve the listed actions that pass the pre-flight, each bound to its protocol_hash."""

    @extend_schema(request=BulkInput, responses={(200, JSON): BulkResultSerializer, **error_responses(400, 415)})
    def post(self, request):
        items, comment = _bulk_items(request)
        result = bulk.bulk_approve(organization_of(request), request.user, items, comment=comment)
        return Response({"results": [row.as_dict() for row in result.rows]})


class QueueMetrics(APIView):
    """How the pipeline is doing: counts by status, the oldest pending, what is due."""

    @extend_schema(responses={(200, JSON): QueueMetricsSerializer, **error_responses()})
    def get(self, request):
        return Response(selectors.queue_metrics(organization=organization_of(request)))
