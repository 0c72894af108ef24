"""Followers on the sandbox's chatter models, held against Odoo 17 (odoo/odoo 17.0,
addons/mail/models/mail_thread.py and mail_followers.py unless said)."""

import xmlrpc.client

import pytest

THREAD_MODELS = [("res.partner", {"name": "Follower test"}), ("crm.lead", {"name": "Follower deal"}),
                 ("account.move", {"move_type": "out_invoice"}), ("project.task", {"name": "Follower task"})]


def followers(odoo, model, record_id):
    return odoo.call("mail.followers", "search_read", [["res_model", "=", model], ["res_id", "=", record_id]],
                     fields=["res_model", "res_id", "partner_id"], order="id")


@pytest.mark.parametrize("model,values", THREAD_MODELS, ids=[row[0] for row in THREAD_MODELS])
def test_the_creator_follows_what_they_create(odoo, admin_partner, model, values):
    """``create``: ``_insert_followers`` of the caller's partner unless ``mail_create_nosubscribe``."""
    record = odoo.call(model, "create", values)
    [follower] = followers(odoo, model, record)
    assert (follower["res_model"], follower["res_id"], follower["partner_id"][0]) == (model, record, admin_partner)
    [read] = odoo.call(model, "read", [record], fields=["message_follower_ids", "message_partner_ids", "message_is_follower"])
    assert read == {"id": record, "message_follower_ids": [follower["id"]], "message_partner_ids": [admin_partner],
                    "message_is_follower": True}


@pytest.mark.parametrize("context", [{"mail_create_nosubscribe": True}, {"tracking_disable": True}])
def test_asking_not_to_subscribe_leaves_no_follower(odoo, context):
    lead = odoo.call("crm.lead", "create", {"name": "Quiet deal"}, context=context)
    assert followers(odoo, "crm.lead", lead) == []
    assert odoo.call("crm.lead", "read", [lead], fields=["message_is_follower"])[0]["message_is_follower"] is False


def test_the_salesperson_follows_the_deal_they_are_given(odoo, user, admin_partner):
    """``_message_auto_subscribe_followers``: the partner of ``user_id``, on create and on write."""
    sofia, sofia_partner = user("sofia")
    marc, marc_partner = user("marc")
    lead = odoo.call("crm.lead", "create", {"name": "Assigned deal", "user_id": sofia})
    assert {f["partner_id"][0] for f in followers(odoo, "crm.lead", lead)} == {admin_partner, sofia_partner}
    odoo.call("crm.lead", "write", [lead], {"user_id": marc})
    assert {f["partner_id"][0] for f in followers(odoo, "crm.lead", lead)} == {admin_partner, sofia_partner, marc_partner}


def test_subscribe_and_unsubscribe(odoo, user, admin_partner):
    """``message_subscribe`` skips who already follows; ``message_unsubscribe`` removes; both answer True."""
    _, lena_partner = user("lena")
    lead = odoo.call("crm.lead", "create", {"name": "Subscribed deal"})
    assert odoo.call("crm.lead", "message_subscribe", [lead], partner_ids=[lena_partner, admin_partner]) is True
    assert odoo.call("crm.lead", "message_subscribe", [lead], partner_ids=[lena_partner]) is True
    assert sorted(odoo.call("crm.lead", "read", [lead], fields=["message_partner_ids"])[0]["message_partner_ids"]) == \
        sorted([admin_partner, lena_partner])
    assert odoo.call("crm.lead", "message_unsubscribe", [lead], partner_ids=[admin_partner]) is True
    [read] = odoo.call("crm.lead", "read", [lead], fields=["message_partner_ids", "message_is_follower"])
    assert (read["message_partner_ids"], read["message_is_follower"]) == ([lena_partner], False)
    assert odoo.call("crm.lead", "message_subscribe", [lead]) is True  # no partner: nothing to do


def test_writing_the_partner_followers_subscribes_and_unsubscribes(odoo, user, admin_partner):
    """``message_partner_ids`` has an inverse (``_inverse_message_partner_ids``), so it is writable."""
    _, lena_partner = user("lena")
    lead = odoo.call("crm.lead", "create", {"name": "Written followers"})
    assert odoo.call("crm.lead", "fields_get", ["message_partner_ids"], attributes=["readonly"])["message_partner_ids"] == \
        {"readonly": False}
    odoo.call("crm.lead", "write", [lead], {"message_partner_ids": [(6, 0, [lena_partner])]})
    assert [f["partner_id"][0] for f in followers(odoo, "crm.lead", lead)] == [lena_partner]


def test_a_partner_cannot_follow_twice(odoo, admin_partner):
    """mail_followers.py ``_sql_constraints`` ``mail_followers_res_partner_res_model_id_uniq``."""
    lead = odoo.call("crm.lead", "create", {"name": "Twice"})
    with pytest.raises(xmlrpc.client.Fault) as caught:
        odoo.call("mail.followers", "create", {"res_model": "crm.lead", "res_id": lead, "partner_id": admin_partner})
    assert caught.value.faultCode == 2 and "a partner cannot follow twice the same object" in caught.value.faultString


def test_followers_are_searchable_and_go_with_the_record(odoo, admin_partner):
    """``_search_message_partner_ids``, ``_search_message_is_follower``; ``unlink`` drops followers."""
    followed = odoo.call("crm.lead", "create", {"name": "Followed"})
    quiet = odoo.call("crm.lead", "create", {"name": "Not followed"}, context={"mail_create_nosubscribe": True})
    assert followed in odoo.call("crm.lead", "search", [["message_partner_ids", "in", [admin_partner]]])
    assert quiet not in odoo.call("crm.lead", "search", [["message_is_follower", "=", True]])
    assert quiet in odoo.call("crm.lead", "search", [["message_is_follower", "=", False]])
    odoo.call("crm.lead", "unlink", [followed])
    assert followers(odoo, "crm.lead", followed) == []


def test_the_assignee_of_an_activity_follows_the_document(odoo, user):
    """mail_activity.py ``create``: ``message_subscribe`` of the assignee's partner."""
    lena, lena_partner = user("lena")
    lead = odoo.call("crm.lead", "create", {"name": "Activity follower"})
    model_id = odoo.call("ir.model", "search", [["model", "=", "crm.lead"]])[0]
    odoo.call("mail.activity", "create", {"res_model_id": model_id, "res_id": lead, "user_id": lena, "summary": "Call"})
    assert lena_partner in odoo.call("crm.lead", "read", [lead], fields=["message_partner_ids"])[0]["message_partner_ids"]


def test_posting_a_comment_makes_the_author_follow(odoo, admin_partner):
    """``message_post``: the author follows unless the message is a notification."""
    lead = odoo.call("crm.lead", "create", {"name": "Comment follower"}, context={"mail_create_nosubscribe": True})
    odoo.call("crm.lead", "message_post", [lead], body="Logged", message_type="notification")
    assert followers(odoo, "crm.lead", lead) == []
    odoo.call("crm.lead", "message_post", [lead], body="Hello", message_type="comment")
    assert [f["partner_id"][0] for f in followers(odoo, "crm.lead", lead)] == [admin_partner]
