from django.core.management.base import CommandError

from communities.lookups import district_ids
from core.commands import ActingCommand


class Command(ActingCommand):
    help = "导出某一年度的考核结果工作簿（考核结果表及社区、街道、区汇总表）。"

    def add_arguments(self, parser):
        parser.add_argument("year", type=int, help="年度，例如 2019")
        parser.add_argument("--out", required=True, metavar="FILE", help="输出文件（.xlsx）")
        parser.add_argument("--district", metavar="NAME", help="只导出该区（如 玄武区 或 玄武）")
        super().add_arguments(parser)

    def act(self, *args, **options):
        from assessments.exports import build_results_workbook
        from assessments.models import CycleRun

        year = options["year"]
        if not CycleRun.objects.filter(year=year, is_current=True).exists():
            raise CommandError(f"{year}年度还没有考核结果，请先执行 run_cycle {year}。")
        districts = district_ids(options.get("district"))
        n = build_results_workbook(options["out"], year, user=self.user, district_ids=districts)
        self.stdout.write(f"已导出{year}年度考核结果：{n} 个小区 → {options['out']}")
