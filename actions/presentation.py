"""How an action reads to the person deciding on it: the card the dashboard, the admin and
approval emails show. The wording of its parts is in `describe.py`."""

from dataclasses import dataclass
from functools import cached_property

from .card_content import CardContent, action_url, card_contents, record_url, revision_html, rules_draft_diff
from .describe import (CARD_NOTE_SOURCES, RECORD_PAGE_MODELS, approver_notes, attachments, changes, checks,
                       contact_budget_check, contacts, content_flags, expires_in, partner_of, recipient_domains,
                       record_noun)
from .models import Action, Decision, GuardrailPolicy
from .policy import approvers
from .protocol import ActionProtocol


@dataclass
class ActionCard:
    """One action, ready for a template."""

    action: Action
    #: The revision's protocol when the caller has it parsed already; read on demand otherwise.
    given_protocol: ActionProtocol | None = None
    #: Other apps' notes for the approver, read when the page was drawn (`CARD_NOTE_SOURCES`).
    notes: tuple = ()
    given_content: CardContent | None = None
    #: {action type: its name in words}, read once for a page of cards (the field's choices are
    #: worked out anew on every lookup).
    type_labels: dict | None = None

    @classmethod
    def of(cls, action: Action) -> "ActionCard":
        return cls.page([action])[0]

    @classmethod
    def page(cls, actions) -> list["ActionCard"]:
        """The cards of a page of actions, each source of notes asked once for the whole page and
        the revisions' content read from the cache at once."""
        actions = list(actions)
        notes: dict = {}
        for source in CARD_NOTE_SOURCES:
            for pk, found in source(actions).items():
                notes.setdefault(pk, []).extend(found)
        contents = card_contents(actions, card_content_of)
        labels = dict(Action._meta.get_field("action_type").flatchoices) if actions else {}
        return [cls(action, notes=tuple(notes.get(action.pk, ())), given_content=contents[action.pk],
                    type_labels=labels)
                for action in actions]

    @cached_property
    def protocol(self) -> ActionProtocol:
        return self.given_protocol if self.given_protocol is not None else self.action.parsed

    @cached_property
    def content(self) -> CardContent:
        if self.given_content is not None:
            return self.given_content
        return card_content_of(self.protocol)

    def changes(self):
        return self.content.changes

    def contacts(self):
        return self.content.contacts

    def recipient_domains(self):
        return self.content.recipient_domains

    def content_flags(self):
        return self.content.content_flags

    def approver_notes(self):
        return [*self.content.approver_notes, *self.notes]

    def attachments(self):
        return self.content.attachments

    def type_label(self) -> str:
        """The action's type in words ("Invoice reminder")."""
        if self.type_labels is None:
            return self.action.get_action_type_display()
        return str(self.type_labels.get(self.action.action_type, self.action.action_type))

    @cached_property
    def html(self) -> dict:
        """What the revision alone says, as HTML drawn once per revision (card_revision.html)."""
        return self.content.html or revision_html(self.content)

    def checks(self):
        """The revision's checks, then the contact budget as the organisation's guardrails say now."""
        return [*self.content.checks, *self.budget_checks()]

    def budget_checks(self) -> list[tuple[str, str]]:
        """The contact budget as the organisation's guardrails say now (not kept with the revision)."""
        policy = self.policy if self.content.budgeted else None
        return [contact_budget_check(policy)] if policy is not None and policy.contact_cap_messages else []

    @cached_property
    def policy(self):
        """The organisation's guardrails (for the checks they add to a message): a queue selects
        them with the organisation, so a page of cards costs no query per card."""
        try:
            return self.action.organization.guardrail_policy
        except GuardrailPolicy.DoesNotExist:
            return None

    @cached_property
    def urls(self) -> dict[str, str]:
        """The card's links and form targets."""
        return {name: action_url(f"dashboard:{name}", self.action.pk)
                for name in ("action", "approve", "reject", "edit", "undo")}

    def record_links(self) -> list[tuple[str, str]]:
        """(url, words) of the record pages this action belongs on: its target, and its customer."""
        records = [(self.action.target_model, self.action.target_id)]
        if self.action.partner_id and self.action.target_model != "res.partner":
            records.append(("res.partner", self.action.partner_id))
        return [(record_url(model, record_id), f"Everything about this {record_noun(model)}")
                for model, record_id in records if model in RECORD_PAGE_MODELS]

    def expires_in(self):
        return expires_in(self.action.expires_at)

    def approvals_so_far(self):
        return [a for a in self.action.standing_decisions() if a.decision == Decision.APPROVE]

    @cached_property
    def approval_progress(self) -> approvers.Progress:
        """What the approvals so far still lack (no query unless the policy asks for roles, teams
        or named people)."""
        return approvers.progress(self.action, self.approvals_so_far())

    def approval_needs(self) -> str:
        """The sentence a pending card shows when it needs more than one plain approval."""
        so_far = self.approval_progress
        if so_far.complete or (so_far.required <= 1 and not so_far.after_count):
            return ""
        return so_far.sentence()

    def stand_ins(self) -> list[str]:
        """"Lee stands in for Dana until 10 Dec", for the people the action names who are away."""
        return approvers.stand_in_lines(self.action)

    def send_delay_left(self) -> int | None:
        """Whole seconds until an approved message is sent (while it may still be undone)."""
        left = self.action.send_delay_left()
        return None if left is None else max(int(left.total_seconds()), 1)

    def sends_in(self) -> str:
        """"1 min 42 s": the countdown as the server renders it (a script may tick it down)."""
        minutes, seconds = divmod(self.send_delay_left() or 0, 60)
        return f"{minutes} min {seconds} s" if minutes else f"{seconds} s"

    def written_by_claude(self) -> bool:
        return self.content.written_by_claude

    def rules_draft_diff(self) -> list[tuple[str, str]]:
        """(mark, line) from the rules' draft to the message as it stands: "-" only in the rules'
        draft, "+" only in this message, " " in both. Empty when the rules wrote it."""
        return list(self.content.rules_draft_diff)

    def edit_warnings(self) -> list[str]:
        return list(self.content.edit_warnings)


def card_content_of(protocol) -> CardContent:
    """What a card shows that depends only on the revision (cached by `card_content`)."""
    requested_by = protocol.metadata.get("requested_by")
    by_claude = protocol.metadata.get("written_by") == "claude"
    return CardContent(
        requested_by=str(requested_by) if requested_by else "", expected_effect=protocol.expected_effect,
        reasoning=protocol.reasoning, changes=tuple(changes(protocol)),
        contacts=tuple(contacts(protocol)), attachments=tuple(attachments(protocol)),
        recipient_domains=tuple(recipient_domains(protocol)),
        approver_notes=tuple(approver_notes(protocol)), content_flags=tuple(content_flags(protocol)),
        written_by_claude=by_claude, rules_draft_diff=tuple(rules_draft_diff(protocol) if by_claude else ()),
        edit_warnings=tuple(str(warning) for warning in protocol.metadata.get("edit_warnings") or []),
        checks=tuple(checks(protocol)),
        budgeted=bool(protocol.is_external and partner_of(protocol)))
