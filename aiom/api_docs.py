"""The API's documentation page, rendered on the server from the same OpenAPI schema that
`/api/schema/` serves, so it works offline and never drifts from the code."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from drf_spectacular.generators import SchemaGenerator

METHODS = ("get", "post", "put", "patch", "delete")


@login_required
def docs(request):
    schema = SchemaGenerator().get_schema(request=None, public=True)
    endpoints = []
    for path, item in schema.get("paths", {}).items():
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            endpoints.append({
                "method": method.upper(), "path": path,
                "summary": (operation.get("description") or operation.get("summary") or "").strip(),
                "parameters": [parameter for parameter in operation.get("parameters", [])
                               if parameter.get("in") == "query"],
                "responses": sorted(operation.get("responses", {})),
            })
    return render(request, "dashboard/api_docs.html", {"endpoints": endpoints, "base": request.build_absolute_uri("/")[:-1]})
