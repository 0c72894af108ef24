"""The assistant's page in the dashboard: a command box (suggestions as you type, from Odoo)
and the answer to the last command. Works without script: the form posts and the page answers."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from aiom import tenancy
from aiom.errors import ApplicationError
from assistant.parser import EXAMPLES

from . import services


@login_required
def assistant(request):
    membership = tenancy.require_membership(request)
    text, answer = "", None
    if request.method == "POST":
        text = str(request.POST.get("text", ""))[:1000]
        try:
            answer = services.handle(membership.organization, request.user, text)
        except ApplicationError as error:
            messages.error(request, error.message)
    return render(request, "dashboard/assistant.html", {
        "text": text if answer is None or answer.kind != "proposed" else "", "answer": answer,
        "examples": list(EXAMPLES.values())})
