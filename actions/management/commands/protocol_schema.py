"""Print the Action Protocol v1.2 JSON schema (v1.1 documents remain valid)."""

import json

from django.core.management.base import BaseCommand

from actions.protocol import protocol_json_schema


class Command(BaseCommand):
    help = "Print the JSON schema of the Action Protocol."

    def handle(self, *args, **options):
        self.stdout.write(json.dumps(protocol_json_schema(), indent=2, sort_keys=True))
