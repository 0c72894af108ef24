"""Odoo round trips depend on the number of pages, never on the number of records."""

import math

import pytest

from analyzers import financial, operations, sales
from integrations.odoo.client import OdooClient
from integrations.odoo.config import OdooConfig
from integrations.odoo.sandbox.server import start_in_thread

from .demo_day import TODAY

UNPAGED = 10**9


class RecordingClient(OdooClient):
    """The real client, noting how many records each call returned."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.answers = []

    def execute(self, model, method, *args, **kwargs):
        result = super().execute(model, method, *args, **kwargs)
        self.answers.append((model, method, len(result) if isinstance(result, list) else 1))
        return result


def analyze_all(handle, page_size):
    client = RecordingClient(OdooConfig(url=handle.url, db=handle.db, username=handle.login, secret=handle.api_key))
    with client:
        for analyzer in (financial.analyze, sales.analyze, operations.analyze):
            analyzer(client, as_of=TODAY, page_size=page_size)
    return client


@pytest.fixture(scope="module", params=[2000, 4000])
def large_sandbox(request):
    handle = start_in_thread(seed="demo", size=request.param, today=TODAY)
    yield handle
    handle.stop()


@pytest.mark.parametrize("page_size", [50, 100])
def test_calls_are_one_per_page(large_sandbox, page_size):
    unpaged = analyze_all(large_sandbox, UNPAGED)
    paged = analyze_all(large_sandbox, page_size)

    expected_pages = sum(max(1, math.ceil(records / page_size)) if method == "search_read" else 1
                         for _, method, records in unpaged.answers)
    assert paged.calls == 1 + expected_pages  # + the login
    assert paged.calls > unpaged.calls, "at this size some queries must span several pages"


def test_queries_do_not_grow_with_the_data():
    counts = {}
    for size in (2000, 4000):
        handle = start_in_thread(seed="demo", size=size, today=TODAY)
        try:
            client = analyze_all(handle, UNPAGED)
            counts[size] = (client.calls, sum(records for *_, records in client.answers))
        finally:
            handle.stop()
    assert counts[2000][0] == counts[4000][0]
    assert counts[4000][1] > counts[2000][1]
