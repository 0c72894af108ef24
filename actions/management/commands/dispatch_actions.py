"""Run the sweeper once: enqueue due approved actions, recover stuck executions."""

from django.core.management.base import BaseCommand

from actions import execution, sweeper


class Command(BaseCommand):
    help = "Enqueue every due approved action and recover executions whose worker died (one sweep)."

    def add_arguments(self, parser):
        parser.add_argument("--inline", action="store_true",
                            help="Execute due actions in this process instead of enqueuing them.")

    def handle(self, *args, inline=False, **options):
        if not inline:
            self.stdout.write(str(sweeper.sweep_and_enqueue()))
            return
        report = sweeper.sweep()
        self.stdout.write(str(report))
        for action_id in report.due:
            outcome = execution.execute(action_id)
            self.stdout.write(f"{action_id}: {outcome.status} {outcome.detail}".rstrip())
