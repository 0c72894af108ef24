"""The sandbox over XML-RPC, called exactly as Odoo's external API documentation shows."""

import xmlrpc.client

import pytest

from integrations.odoo.sandbox.demo import FACTS

from .sessions import XmlRpcSession


def fault_of(call):
    with pytest.raises(xmlrpc.client.Fault) as caught:
        call()
    return caught.value


class TestLogin:
    def test_version_needs_no_login(self, odoo_sandbox):
        common = xmlrpc.client.ServerProxy(f"{odoo_sandbox.url}/xmlrpc/2/common")
        version = common.version()
        assert version["server_version"] == "17.0"
        assert version["server_version_info"] == [17, 0, 0, "final", 0, ""]
        assert version["protocol_version"] == 1

    def test_authenticate_returns_admin_uid_for_password_and_api_key(self, odoo_sandbox):
        common = xmlrpc.client.ServerProxy(f"{odoo_sandbox.url}/xmlrpc/2/common")
        assert common.authenticate(odoo_sandbox.db, odoo_sandbox.login, odoo_sandbox.password, {}) == 2
        assert common.authenticate(odoo_sandbox.db, odoo_sandbox.login, odoo_sandbox.api_key, {}) == 2
        assert common.login(odoo_sandbox.db, odoo_sandbox.login, odoo_sandbox.password) == 2

    @pytest.mark.parametrize("login,password", [("admin", "wrong"), ("nobody", "admin"), ("admin", "")])
    def test_bad_credentials_return_false_not_a_fault(self, odoo_sandbox, login, password):
        common = xmlrpc.client.ServerProxy(f"{odoo_sandbox.url}/xmlrpc/2/common")
        assert common.authenticate(odoo_sandbox.db, login, password, {}) is False

    def test_unknown_database_faults_like_postgresql(self, odoo_sandbox):
        common = xmlrpc.client.ServerProxy(f"{odoo_sandbox.url}/xmlrpc/2/common")
        fault = fault_of(lambda: common.authenticate("no-such-db", "admin", "admin", {}))
        assert fault.faultCode == 1
        assert 'database "no-such-db" does not exist' in fault.faultString

    @pytest.mark.parametrize("uid,password", [(2, "wrong"), (99, "admin"), (1, "admin")])
    def test_object_call_with_bad_uid_or_password_is_access_denied(self, odoo, uid, password):
        fault = fault_of(lambda: odoo.models.execute_kw(odoo.handle.db, uid, password, "res.partner", "search", [[]]))
        assert (fault.faultCode, fault.faultString) == (3, "Access Denied")

    def test_api_key_works_as_password_on_object_calls(self, odoo):
        count = odoo.models.execute_kw(odoo.handle.db, odoo.uid, odoo.handle.api_key, "res.partner", "search_count", [[]])
        assert count > 0

    def test_db_service_lists_the_database(self, odoo_sandbox):
        db = xmlrpc.client.ServerProxy(f"{odoo_sandbox.url}/xmlrpc/2/db")
        assert db.list() == [odoo_sandbox.db]
        assert db.server_version() == "17.0"


class TestDocumentedCalls:
    def test_search_with_offset_and_limit(self, odoo):
        companies = odoo.call("res.partner", "search", [["is_company", "=", True]])
        assert odoo.call("res.partner", "search", [["is_company", "=", True]], offset=2, limit=3) == companies[2:5]

    def test_search_count_matches_search(self, odoo):
        domain = [["is_company", "=", True]]
        assert odoo.call("res.partner", "search_count", domain) == len(odoo.call("res.partner", "search", domain))

    def test_read_returns_requested_fields_with_odoo_value_shapes(self, odoo):
        [contact_id] = odoo.call("res.partner", "search", [["name", "=", "Camille Dubois"]])
        [record] = odoo.call("res.partner", "read", [contact_id], fields=["name", "parent_id", "child_ids", "comment", "is_company"])
        assert record["id"] == contact_id
        assert record["name"] == "Camille Dubois"
        assert record["parent_id"][1] == "Dubois & Fils SA"
        assert record["child_ids"] == []
        assert record["comment"] is False
        assert record["is_company"] is False
        assert set(record) == {"id", "name", "parent_id", "child_ids", "comment", "is_company"}

    def test_dates_and_datetimes_travel_as_utc_strings(self, odoo):
        [lead] = odoo.call("crm.lead", "search_read", [], fields=["date_deadline", "date_last_stage_update"], limit=1, order="id asc")
        assert len(lead["date_deadline"]) == 10 and lead["date_deadline"][4] == "-"
        assert len(lead["date_last_stage_update"]) == 19 and lead["date_last_stage_update"][10] == " "

    def test_search_read_with_fields_and_order(self, odoo):
        stages = odoo.call("crm.stage", "search_read", [], fields=["name", "sequence", "is_won"])
        assert [stage["name"] for stage in stages] == ["New", "Qualified", "Proposition", "Won"]
        assert [stage["is_won"] for stage in stages] == [False, False, False, True]

    def test_fields_get_with_attributes(self, odoo):
        fields = odoo.call("project.task", "fields_get", attributes=["string", "type", "required", "relation", "selection"])
        assert fields["user_ids"] == {"string": "Assignees", "type": "many2many", "required": False, "relation": "res.users"}
        assert fields["date_deadline"]["type"] == "datetime"
        assert ["1_done", "Done"] in fields["state"]["selection"]

    def test_create_write_unlink_round_trip(self, odoo):
        partner_id = odoo.call("res.partner", "create", {"name": "New Customer", "email": "new@customer.example"})
        assert isinstance(partner_id, int)
        assert odoo.call("res.partner", "write", [partner_id], {"phone": "+3223456789"}) is True
        [record] = odoo.call("res.partner", "read", [partner_id], fields=["name", "phone"])
        assert record == {"id": partner_id, "name": "New Customer", "phone": "+3223456789"}
        assert odoo.call("res.partner", "unlink", [partner_id]) is True
        assert odoo.call("res.partner", "search", [["id", "=", partner_id]]) == []

    def test_create_with_a_list_returns_a_list_of_ids(self, odoo):
        ids = odoo.call("res.partner", "create", [{"name": "A"}, {"name": "B"}])
        assert len(ids) == 2 and ids[0] < ids[1]

    def test_name_search(self, odoo):
        results = odoo.call("res.partner", "name_search", "dubois", limit=5)
        assert [name for _, name in results] == ["Dubois & Fils SA", "Dubois & Fils SA, Camille Dubois"]
        assert odoo.call("res.partner", "name_search", "dubois", args=[["is_company", "=", True]])[0][1] == "Dubois & Fils SA"

    def test_execute_takes_positional_arguments(self, odoo):
        ids = odoo.models.execute(odoo.handle.db, odoo.uid, odoo.handle.password, "crm.stage", "search", [["is_won", "=", True]])
        assert len(ids) == 1

    def test_context_active_test_false_shows_archived_records(self, odoo):
        active = odoo.call("crm.lead", "search_count", [])
        every = odoo.call("crm.lead", "search_count", [], context={"active_test": False})
        assert every - active == 4

    def test_default_order_of_account_move_is_date_desc(self, odoo):
        moves = odoo.call("account.move", "search_read", [["move_type", "=", "out_invoice"]], fields=["date"])
        dates = [move["date"] for move in moves]
        assert dates == sorted(dates, reverse=True)

    def test_explicit_order_with_several_terms(self, odoo):
        leads = odoo.call("crm.lead", "search_read", [], fields=["user_id", "expected_revenue"], order="user_id desc, expected_revenue asc, id")
        keys = [(lead["user_id"][1], lead["expected_revenue"]) for lead in leads]
        users_by_name_desc = {"Sofia Janssens": 0, "Marc Dubreuil": 1, "Lena Vogel": 2}
        assert keys == sorted(keys, key=lambda key: (users_by_name_desc[key[0]], key[1]))


class TestWrites:
    def test_many2many_commands(self, odoo):
        users = odoo.call("res.users", "search", [["login", "in", ["sofia", "marc", "lena"]]], order="id")
        task_id = odoo.call("project.task", "create", {"name": "Call back", "user_ids": [(6, 0, users[:1])]})
        odoo.call("project.task", "write", [task_id], {"user_ids": [(4, users[1])]})
        assert odoo.call("project.task", "read", [task_id], fields=["user_ids"])[0]["user_ids"] == users[:2]
        odoo.call("project.task", "write", [task_id], {"user_ids": [users[2]]})
        assert odoo.call("project.task", "read", [task_id], fields=["user_ids"])[0]["user_ids"] == users[2:]

    def test_one2many_commands(self, odoo):
        [project_id] = odoo.call("project.project", "search", [["name", "=", "Internal Operations"]])
        parent = odoo.call("project.task", "create", {"name": "Parent", "project_id": project_id})  # a private task has no sub-tasks
        loose = odoo.call("project.task", "create", {"name": "Loose", "project_id": project_id})
        odoo.call("project.task", "write", [parent], {"child_ids": [(0, 0, {"name": "Child"}), (4, loose)]})
        children = odoo.call("project.task", "read", [parent], fields=["child_ids"])[0]["child_ids"]
        assert len(children) == 2 and loose in children
        odoo.call("project.task", "write", [parent], {"child_ids": [(3, loose)]})
        assert odoo.call("project.task", "read", [loose], fields=["parent_id"])[0]["parent_id"] is False

    def test_unlink_removes_the_documents_activities(self, odoo):
        [lead_id] = odoo.call("crm.lead", "search", [["name", "like", "Helios"], ["stage_id.name", "=", "Qualified"]])
        assert odoo.call("mail.activity", "search_count", [["res_model", "=", "crm.lead"], ["res_id", "=", lead_id]]) == 1
        odoo.call("crm.lead", "unlink", [lead_id])
        assert odoo.call("mail.activity", "search_count", [["res_model", "=", "crm.lead"], ["res_id", "=", lead_id]]) == 0

    def test_subtask_takes_its_parents_project_and_appears_in_child_ids(self, odoo):
        [project_id] = odoo.call("project.project", "search", [["name", "=", "Internal Operations"]])
        parent = odoo.call("project.task", "create", {"name": "Move office", "project_id": project_id})
        child = odoo.call("project.task", "create", {"name": "Book movers", "parent_id": parent})
        [record] = odoo.call("project.task", "read", [child], fields=["project_id"])
        assert record["project_id"][0] == project_id
        assert odoo.call("project.task", "read", [parent], fields=["child_ids"])[0]["child_ids"] == [child]

    def test_changing_stage_stamps_date_last_stage_update(self, odoo, odoo_sandbox):
        [lead] = odoo.call("crm.lead", "search_read", [["name", "like", "Helios"], ["stage_id.name", "=", "Qualified"]], fields=["date_last_stage_update"])
        [proposition] = odoo.call("crm.stage", "search", [["name", "=", "Proposition"]])
        before = odoo_sandbox.store.now()
        odoo.call("crm.lead", "write", [lead["id"]], {"stage_id": proposition})
        [after] = odoo.call("crm.lead", "read", [lead["id"]], fields=["date_last_stage_update", "stage_id"])
        assert after["stage_id"][0] == proposition
        assert after["date_last_stage_update"] >= before > lead["date_last_stage_update"]

    def test_writing_same_stage_keeps_date_last_stage_update(self, odoo):
        [lead] = odoo.call("crm.lead", "search_read", [["name", "like", "Helios"], ["active", "=", True], ["stage_id.name", "=", "Qualified"]], fields=["stage_id", "date_last_stage_update"])
        odoo.call("crm.lead", "write", [lead["id"]], {"stage_id": lead["stage_id"][0]})
        assert odoo.call("crm.lead", "read", [lead["id"]], fields=["date_last_stage_update"])[0]["date_last_stage_update"] == lead["date_last_stage_update"]

    def test_archive_with_write_hides_the_record(self, odoo):
        [lead_id] = odoo.call("crm.lead", "search", [["name", "like", "Quartz"]])
        odoo.call("crm.lead", "write", [lead_id], {"active": False})
        assert odoo.call("crm.lead", "search", [["name", "like", "Quartz"]]) == []
        assert odoo.call("crm.lead", "search", [["name", "like", "Quartz"], ["active", "=", False]]) == [lead_id]

    def test_method_returning_none_faults_after_its_change_is_committed(self, odoo):
        [lead_id] = odoo.call("crm.lead", "search", [["name", "like", "Quartz"]])
        fault = fault_of(lambda: odoo.call("crm.lead", "action_archive", [lead_id]))
        assert fault.faultCode == 1
        assert "cannot marshal None" in fault.faultString
        assert odoo.call("crm.lead", "search", [["name", "like", "Quartz"]]) == []

    def test_activity_on_a_document_resolved_through_xml_ids(self, odoo):
        [lead_id] = odoo.call("crm.lead", "search", [["name", "like", "Zenith"]])
        [model_id] = odoo.call("ir.model", "search", [["model", "=", "crm.lead"]])
        [xmlid] = odoo.call("ir.model.data", "search_read", [["module", "=", "mail"], ["name", "=", "mail_activity_data_call"]], fields=["res_id"])
        activity_id = odoo.call(
            "mail.activity",
            "create",
            {"res_model_id": model_id, "res_id": lead_id, "activity_type_id": xmlid["res_id"], "summary": "Call Zenith", "date_deadline": "2030-01-31"},
        )
        [activity] = odoo.call("mail.activity", "read", [activity_id], fields=["res_model", "res_id", "activity_type_id", "user_id"])
        assert activity["res_model"] == "crm.lead"
        assert activity["activity_type_id"][1] == "Call"
        assert activity["user_id"][0] == odoo.uid

    def test_message_post_creates_an_escaped_note(self, odoo):
        [move_id] = odoo.call("account.move", "search", [["move_type", "=", "out_invoice"], ["state", "=", "posted"]], limit=1)
        message_id = odoo.call("account.move", "message_post", [move_id], body="Reminder <sent>", message_type="comment", subtype_xmlid="mail.mt_note")
        [message] = odoo.call("mail.message", "read", [message_id], fields=["model", "res_id", "body", "message_type", "subtype_id"])
        assert message["model"] == "account.move" and message["res_id"] == move_id
        assert message["body"] == "<p>Reminder &lt;sent&gt;</p>"
        assert message["message_type"] == "comment"
        assert message["subtype_id"][1] == "Note"

    def test_message_post_takes_keyword_arguments_only(self, odoo):
        [move_id] = odoo.call("account.move", "search", [], limit=1)
        fault = fault_of(lambda: odoo.call("account.move", "message_post", [move_id], "positional body"))
        assert fault.faultCode == 1 and "TypeError" in fault.faultString

    def test_message_post_exists_only_on_mail_thread_models(self, odoo):
        fault = fault_of(lambda: odoo.call("crm.stage", "message_post", [1], body="x"))
        assert fault.faultCode == 1 and "The method 'message_post' does not exist on the model 'crm.stage'" in fault.faultString

    def test_failed_call_changes_nothing(self, odoo, odoo_sandbox):
        before = len(odoo_sandbox.store.tables["res.partner"])
        fault_of(lambda: odoo.call("res.partner", "create", [{"name": "Good"}, {"name": "Bad", "parent_id": 999999}]))
        assert len(odoo_sandbox.store.tables["res.partner"]) == before


class TestReadGroup:
    def test_sum_by_many2one_lazy(self, odoo):
        groups = odoo.call("crm.lead", "read_group", [], ["expected_revenue:sum"], ["stage_id"])
        by_stage = {group["stage_id"][1]: group for group in groups}
        assert by_stage["Won"]["expected_revenue"] == 51500.0
        assert by_stage["Won"]["stage_id_count"] == 4
        assert [group["stage_id"][1] for group in groups] == ["New", "Qualified", "Proposition", "Won"]
        assert odoo.call("crm.lead", "search_count", by_stage["Won"]["__domain"]) == 4

    def test_sum_by_selection_not_lazy(self, odoo):
        groups = odoo.call("account.move", "read_group", [["move_type", "=", "out_invoice"], ["state", "=", "posted"]], ["amount_residual"], ["payment_state", "invoice_user_id"], lazy=False)
        residual = sum(group["amount_residual"] for group in groups if group["payment_state"] in ("not_paid", "partial"))
        assert residual == pytest.approx(FACTS["open_receivables_residual"])
        assert all("__count" in group for group in groups)


class TestFaults:
    """One test per error class, with Odoo's integer codes on /xmlrpc/2."""

    def test_unknown_model_is_fault_2(self, odoo):
        fault = fault_of(lambda: odoo.call("foo.bar", "search", []))
        assert (fault.faultCode, fault.faultString) == (2, "Object foo.bar doesn't exist")

    def test_private_method_is_fault_4(self, odoo):
        fault = fault_of(lambda: odoo.call("res.partner", "_compute_display_name", [1]))
        assert (fault.faultCode, fault.faultString) == (4, "Private methods (such as _compute_display_name) cannot be called remotely.")

    def test_unknown_method_is_fault_1_attribute_error(self, odoo):
        fault = fault_of(lambda: odoo.call("res.partner", "frobnicate", [1]))
        assert fault.faultCode == 1
        assert fault.faultString.startswith("Traceback")
        assert fault.faultString.rstrip().endswith("AttributeError: The method 'frobnicate' does not exist on the model 'res.partner'")

    def test_missing_record_is_fault_2_missing_error(self, odoo):
        fault = fault_of(lambda: odoo.call("res.partner", "write", [999999], {"name": "x"}))
        assert fault.faultCode == 2
        assert fault.faultString.startswith("Record does not exist or has been deleted.")
        assert "res.partner(999999,)" in fault.faultString

    @pytest.mark.parametrize(
        "method,args",
        [("read", ([1], ["no_such_field"])), ("write", ([1], {"no_such_field": 1})), ("create", ({"name": "x", "no_such_field": 1},))],
    )
    def test_unknown_field_is_fault_1_value_error(self, odoo, method, args):
        fault = fault_of(lambda: odoo.call("res.partner", method, *args))
        assert fault.faultCode == 1
        assert "ValueError: Invalid field 'no_such_field' on model 'res.partner'" in fault.faultString

    @pytest.mark.parametrize(
        "domain,message",
        [
            ([["no_such_field", "=", 1]], "Invalid field res.partner.no_such_field"),
            ([["name", "equals", "x"]], "Invalid leaf"),
            (["|", ["name", "=", "x"]], "syntactically not correct"),
            ([["name", "="]], "not enough values to unpack"),
        ],
    )
    def test_malformed_domain_is_fault_1_value_error(self, odoo, domain, message):
        fault = fault_of(lambda: odoo.call("res.partner", "search", domain))
        assert fault.faultCode == 1
        assert "ValueError" in fault.faultString and message in fault.faultString

    def test_missing_required_field_is_fault_2_validation_error(self, odoo):
        fault = fault_of(lambda: odoo.call("mail.activity", "create", {"res_id": 1, "summary": "x"}))
        assert fault.faultCode == 2
        assert "a mandatory field is not set" in fault.faultString and "res_model_id" in fault.faultString

    def test_wrong_selection_value_is_fault_1(self, odoo):
        fault = fault_of(lambda: odoo.call("project.task", "create", {"name": "x", "state": "done"}))
        assert fault.faultCode == 1 and "Wrong value for project.task.state: 'done'" in fault.faultString

    def test_malformed_date_is_fault_1(self, odoo):
        fault = fault_of(lambda: odoo.call("crm.lead", "create", {"name": "x", "date_deadline": "31/01/2030"}))
        assert fault.faultCode == 1 and "does not match format" in fault.faultString


class TestLegacyEndpoints:
    """/xmlrpc/common and /xmlrpc/object: same calls, string fault codes."""

    @pytest.fixture
    def legacy(self, odoo_sandbox):
        return XmlRpcSession(odoo_sandbox, path="/xmlrpc")

    def test_calls_work(self, legacy):
        assert legacy.uid == 2
        assert legacy.call("crm.stage", "search_count", []) == 4

    def test_missing_record(self, legacy):
        fault = fault_of(lambda: legacy.call("res.partner", "write", [999999], {"name": "x"}))
        assert fault.faultCode.startswith("warning -- MissingError\n\nRecord does not exist or has been deleted.")
        assert fault.faultString == ""

    def test_access_error(self, legacy):
        fault = fault_of(lambda: legacy.call("res.partner", "_read", [1]))
        assert fault.faultCode == "warning -- AccessError\n\nPrivate methods (such as _read) cannot be called remotely."

    def test_access_denied(self, legacy):
        fault = fault_of(lambda: legacy.models.execute_kw(legacy.handle.db, 2, "wrong", "res.partner", "search", [[]]))
        assert (fault.faultCode, fault.faultString) == ("AccessDenied", "Access Denied")

    def test_user_error(self, legacy):
        fault = fault_of(lambda: legacy.call("foo.bar", "search", []))
        assert fault.faultCode == "warning -- UserError\n\nObject foo.bar doesn't exist"

    def test_other_errors_carry_the_message_as_code_and_the_traceback(self, legacy):
        fault = fault_of(lambda: legacy.call("res.partner", "search", [["nope", "=", 1]]))
        assert fault.faultCode.startswith("Invalid field res.partner.nope")
        assert fault.faultString.startswith("Traceback")
