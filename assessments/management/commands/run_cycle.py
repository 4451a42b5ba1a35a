from django.core.management.base import CommandError

from core.commands import ActingCommand
from core.models import JobStatus


class Command(ActingCommand):
    help = "对某一年度考核计分（新的当前计分，并重算该年度的补贴草稿），完成后返回。"

    def add_arguments(self, parser):
        parser.add_argument("year", help="年度，例如 2019")
        super().add_arguments(parser)

    def act(self, *args, **options):
        from assessments.cycle import describe, run_in_process
        from assessments.errors import Refused

        try:
            run = run_in_process(options["year"], by=self.user)
        except Refused as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(describe(run))
        if run.status != JobStatus.SUCCEEDED:
            raise CommandError("计分未完成。")
