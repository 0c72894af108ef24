"""Who must approve: every group a policy rule names on top of the risk's count, each approval
one person who may fill several groups, and what is still missing said in plain words."""

import pytest
from django.urls import reverse

from actions.models import Approval, Decision
from actions.policy.approvers import groups_of, progress
from actions.policy.rules import ApproverKind, Approvers
from aiom.models import Membership, Role

from .people import member, with_groups

FINANCE = {"kind": "team", "team": "finance"}
ADMIN = {"kind": "role", "role": "admin"}


@pytest.fixture
def people(org):
    return {
        "dana": member(org, "Dana", "Smith", teams=["finance"]),
        "lee": member(org, "Lee", "Chan"),
        "sam": member(org, "Sam", "Roe", role=Role.ADMIN),
        "fay": member(org, "Fay", "Diaz", teams=["Finance ", "sales"]),
    }


def approved_by(action, *users):
    for user in users:
        Approval.objects.create(action=action, user=user, decision=Decision.APPROVE, protocol_hash=action.protocol_hash)
    return progress(action)


def users_group(people, *names, **fields):
    return {"kind": "users", "users": [people[name].pk for name in names], **fields}


CASES = [
    # (risk, groups, approvers, complete, missing)
    ("medium", [], [], False, ["one more approver"]),
    ("medium", [], ["lee"], True, []),
    ("medium", [FINANCE], ["lee"], False, ["an approver from the finance team"]),
    ("medium", [FINANCE], ["dana"], True, []),
    ("medium", [FINANCE], ["fay"], True, []),  # teams are matched whatever their case and spaces
    ("critical", [FINANCE], ["dana"], False, ["one more approver"]),
    # The finance approver still to come is the second person: "one more approver" goes unsaid.
    ("critical", [FINANCE], ["lee"], False, ["an approver from the finance team"]),
    ("critical", [FINANCE], [], False, ["2 more approvers", "an approver from the finance team"]),
    ("critical", [FINANCE], ["lee", "dana"], True, []),
    ("medium", [{**FINANCE, "count": 2}], ["dana"], False, ["one more approver from the finance team"]),
    ("medium", [{**FINANCE, "count": 2}], ["dana", "fay"], True, []),
    ("medium", [ADMIN], ["lee"], False, ["an admin's approval"]),
    ("medium", [ADMIN], ["sam"], True, []),
    ("medium", [{"kind": "role", "role": "approver"}], ["sam"], True, []),  # an admin holds every approver right
    ("medium", [{"kind": "anyone", "count": 3}], ["lee", "dana"], False, ["one more approver"]),
    ("medium", [FINANCE, ADMIN], ["dana"], False, ["an admin's approval"]),
    ("medium", [FINANCE, ADMIN], ["dana", "sam"], True, []),
]


@pytest.mark.parametrize("risk, groups, approvers, complete, missing", CASES)
def test_every_group_must_be_satisfied(make_action, people, risk, groups, approvers, complete, missing):
    action = with_groups(make_action(risk_level=risk), *groups)
    result = approved_by(action, *(people[name] for name in approvers))
    assert (result.complete, list(result.missing), result.given) == (complete, missing, len(approvers))


def test_required_is_the_largest_count_asked_for(make_action, people):
    assert progress(with_groups(make_action(risk_level="critical"), FINANCE)).required == 2
    assert progress(with_groups(make_action(risk_level="low"), {"kind": "anyone", "count": 3})).required == 3
    assert progress(with_groups(make_action(), users_group(people, "dana", "lee", quorum="all"))).required == 2


def test_named_people_are_asked_for_by_name(make_action, people):
    one = with_groups(make_action(), users_group(people, "dana"))
    assert list(approved_by(one, people["lee"]).missing) == ["Dana Smith's approval (or whoever stands in for them)"]
    assert approved_by(one, people["dana"]).complete


def test_all_named_people_must_approve(make_action, people):
    action = with_groups(make_action(), users_group(people, "dana", "lee", quorum="all"))
    assert list(approved_by(action, people["dana"]).missing) == ["Lee Chan's approval (or whoever stands in for them)"]
    assert approved_by(action, people["lee"]).complete


def test_some_of_the_named_people(make_action, people):
    action = with_groups(make_action(), users_group(people, "dana", "lee", "sam", count=2))
    assert list(approved_by(action, people["sam"]).missing) == [
        "one more approval from Dana Smith or Lee Chan (or whoever stands in for them)"]
    assert approved_by(action, people["fay"]).missing  # not one of the named people
    assert approved_by(action, people["lee"]).complete


@pytest.mark.parametrize("risk, groups, approvers, sentence", [
    ("critical", [FINANCE], ["lee"], "Needs 2 approvers (1 given) and one from the finance team."),
    ("critical", [], [], "Needs 2 approvers (0 given)."),
    ("medium", [FINANCE], ["lee"], "Still needs an approver from the finance team."),
    ("medium", [FINANCE, ADMIN], [], "Still needs an approver from the finance team and an admin's approval."),
    ("medium", [], [], "Needs an approver."),
    ("critical", [ADMIN], ["sam", "lee"], "Has the approvals it needs (2 given)."),
    ("medium", [FINANCE], ["dana"], "Has the approvals it needs (1 given)."),
])
def test_the_sentence_a_card_shows(make_action, people, risk, groups, approvers, sentence):
    action = with_groups(make_action(risk_level=risk), *groups)
    assert approved_by(action, *(people[name] for name in approvers)).sentence() == sentence


def test_approvals_of_an_earlier_revision_do_not_count(make_action, people):
    action = with_groups(make_action(), FINANCE)
    Approval.objects.create(action=action, user=people["dana"], decision=Decision.APPROVE, protocol_hash="0" * 64)
    assert not progress(action).complete
    assert not progress(action, [*action.current_approvals()]).complete


def test_groups_are_the_risk_count_then_the_policy_groups(make_action):
    action = with_groups(make_action(risk_level="critical"), FINANCE)
    assert groups_of(action) == [Approvers(kind=ApproverKind.ANYONE, count=2),
                                 Approvers(kind=ApproverKind.TEAM, team="finance")]
    assert groups_of(make_action(risk_level="low")) == [Approvers(kind=ApproverKind.ANYONE, count=1)]


def test_teams_are_set_in_the_admin_and_count_at_once(client, org, make_action, people, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", "root@example.com", "pw"))
    lee = Membership.objects.get(user=people["lee"], organization=org)
    url = reverse("admin:aiom_membership_change", args=[lee.pk])
    assert client.get(url).status_code == 200
    data = {"user": lee.user_id, "organization": org.pk, "role": lee.role, "phone": "", "teams": "Finance, sales"}
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    lee.refresh_from_db()
    assert lee.teams == ["finance", "sales"]
    assert approved_by(with_groups(make_action(), FINANCE), people["lee"]).complete
    response = client.post(url, {**data, "teams": "finance!"})
    assert response.status_code == 200 and "is not a team name" in response.content.decode()
