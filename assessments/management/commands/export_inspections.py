from communities.lookups import district_ids
from core.commands import ActingCommand


class Command(ActingCommand):
    help = "导出某一年度的检查记录工作簿（各检查项目一列，按该年度适用的考核方案）。"

    def add_arguments(self, parser):
        parser.add_argument("year", type=int, help="年度，例如 2019")
        parser.add_argument("--out", required=True, metavar="FILE", help="输出文件（.xlsx）")
        parser.add_argument("--district", metavar="NAME", help="只导出该区（如 玄武区 或 玄武）")
        super().add_arguments(parser)

    def act(self, *args, **options):
        from assessments.exports import build_inspections_workbook

        year = options["year"]
        n = build_inspections_workbook(
            options["out"], year, user=self.user, district_ids=district_ids(options.get("district"))
        )
        self.stdout.write(f"已导出{year}年度检查记录：{n} 条 → {options['out']}")
