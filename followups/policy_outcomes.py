"""What became of the follow-ups' messages, for a policy rule's backtest: paid, answered, bounced,
marked as spam or unsubscribed — one word per action, the most telling one. Registered with
`actions.policy.backtest` when the app is ready (actions knows nothing of follow-ups)."""

from .models import DeliveryEvent, DeliveryKind, LevelOutcome

#: The first that applies wins: a bounce says more than a payment that came anyway.
PRECEDENCE = ("bounced", "complained", "unsubscribed", "paid", "partly_paid", "replied")
DELIVERY_LABELS = {DeliveryKind.BOUNCE_HARD: "bounced", DeliveryKind.SPAM: "complained",
                   DeliveryKind.UNSUBSCRIBE: "unsubscribed"}


def known_outcomes(organization, action_ids) -> dict[str, str]:
    """{action id: "paid" | "partly_paid" | "replied" | "bounced" | "complained" | "unsubscribed"}
    for those of `action_ids` whose outcome follow-ups know; two queries."""
    ids = [str(action_id) for action_id in action_ids]
    if not ids:
        return {}
    labels: dict[str, set[str]] = {}
    outcomes = (LevelOutcome.objects.filter(follow_up__organization=organization, action_id__in=ids)
                .values("action_id", "paid_in_full_at", "paid_amount", "replied", "bounced"))
    for outcome in outcomes:
        found = labels.setdefault(str(outcome["action_id"]), set())
        if outcome["bounced"]:
            found.add("bounced")
        if outcome["paid_in_full_at"] is not None:
            found.add("paid")
        elif outcome["paid_amount"]:
            found.add("partly_paid")
        if outcome["replied"]:
            found.add("replied")
    events = (DeliveryEvent.objects.filter(organization=organization, action_id__in=ids,
                                           kind__in=list(DELIVERY_LABELS)).values_list("action_id", "kind"))
    for action_id, kind in events:
        labels.setdefault(str(action_id), set()).add(DELIVERY_LABELS[kind])
    return {action_id: next(label for label in PRECEDENCE if label in found)
            for action_id, found in labels.items() if found}
