"""`manage.py audit_verify`: exit 0 when every chain holds, 1 naming the first broken event."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from audit.services import append_event

from .tampering import TABLE, tamper

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def chains(org, other_org):
    """Two organisations with three events each."""
    return {organization.slug: [append_event(organization, event_type="notified", data={"index": index})
                                for index in range(3)]
            for organization in (org, other_org)}


def verify(*args) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("audit_verify", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    return code, out.getvalue(), err.getvalue()


def break_event(event) -> None:
    tamper(f"UPDATE {TABLE} SET data = '{{\"index\": 42}}' WHERE id = %s", (event.pk,))


def test_intact_chains_exit_zero(chains):
    code, out, err = verify()
    assert code == 0 and err == ""
    assert out.splitlines() == ["acme: chain intact (3 events)", "globex: chain intact (3 events)"]


def test_broken_chain_exits_one_and_names_the_event(chains):
    broken = chains["globex"][1]
    break_event(broken)
    code, out, err = verify()
    assert code == 1
    assert "acme: chain intact (3 events)" in out
    assert f"globex: BROKEN at event #2 (id {broken.pk})" in err and "was edited" in err


def test_org_option_checks_only_that_organisation(chains):
    break_event(chains["globex"][0])
    code, out, err = verify("--org", "acme")
    assert (code, out.strip(), err) == (0, "acme: chain intact (3 events)", "")
    code, out, err = verify("--org", "globex")
    assert code == 1 and out == "" and "globex: BROKEN at event #1" in err


def test_unknown_organisation_is_an_error(chains):
    with pytest.raises(CommandError, match="No organisation with slug 'nope'"):
        call_command("audit_verify", "--org", "nope")


def test_exit_status_from_the_command_line(chains):
    """What a cron job or CI step sees: the process exit code and the message on stderr."""
    database = connection.settings_dict
    url = f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
    env = {**os.environ, "DATABASE_URL": url}
    command = [sys.executable, "manage.py", "audit_verify"]

    def run():
        return subprocess.run(command, cwd=Path(settings.BASE_DIR), env=env, capture_output=True, text=True, timeout=120)

    assert run().returncode == 0
    break_event(chains["acme"][2])
    result = run()
    assert result.returncode == 1
    assert f"acme: BROKEN at event #3 (id {chains['acme'][2].pk})" in result.stderr
