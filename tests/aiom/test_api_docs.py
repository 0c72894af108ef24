"""The API describes itself: the OpenAPI schema names the Bearer scheme, and the docs page lists
every endpoint from it."""

from django.urls import reverse

from aiom import api_tokens


def test_the_schema_names_bearer_tokens(client, approver):
    _, secret = api_tokens.create_token(approver, name="x", scope="read", expires_in_days=None)
    response = client.get(reverse("api-schema"), {"format": "json"}, HTTP_AUTHORIZATION=f"Bearer {secret}")
    schema = response.json()
    assert schema["components"]["securitySchemes"]["bearerToken"] == {
        "type": "http", "scheme": "bearer", "description": "A personal API token from the dashboard's API tokens page."}
    assert "/api/assistant/propose/" in schema["paths"] and "/api/actions/{id}/edit/" in schema["paths"]


def test_the_docs_page_lists_the_endpoints(client, approver):
    client.force_login(approver)
    page = client.get(reverse("api-docs")).content.decode()
    for endpoint in ("POST /api/assistant/propose/", "GET /api/audit-events/", "POST /api/actions/{id}/approve/",
                     "GET /api/analyses/"):
        assert endpoint in page
    assert "Approve the version you read" in page and "Authorization: Bearer" in page
