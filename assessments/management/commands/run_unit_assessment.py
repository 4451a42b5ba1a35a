from django.core.management.base import CommandError

from core.commands import ActingCommand


class Command(ActingCommand):
    help = "计算某一已关闭年度的三级考核（市对区、区对街道、街道对社区）各项得分和排名；已录入的日常工作保留，已签批的考核表不变。"

    def add_arguments(self, parser):
        parser.add_argument("year", type=int, help="年度，例如 2019")
        super().add_arguments(parser)

    def act(self, *args, **options):
        from assessments.errors import Refused
        from assessments.unit_assessment import compute_year

        try:
            done, kept = compute_year(options["year"], by=self.user)
        except Refused as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"{options['year']}年度三级考核：计算考核表{done}张，已签批未变{kept}张。")
