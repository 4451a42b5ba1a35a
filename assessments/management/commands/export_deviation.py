from communities.lookups import district_ids
from core.commands import ActingCommand


class Command(ActingCommand):
    help = "导出某一年度的偏差分析（街道检查与第三方评估对比）工作簿。"

    def add_arguments(self, parser):
        parser.add_argument("year", type=int, help="年度，例如 2020")
        parser.add_argument("--out", required=True, metavar="FILE", help="输出文件（.xlsx）")
        parser.add_argument("--district", metavar="NAME", help="只导出该区（如 玄武区 或 玄武）")
        super().add_arguments(parser)

    def act(self, *args, **options):
        from assessments.third_party_exports import build_deviation_workbook

        year = options["year"]
        n = build_deviation_workbook(
            options["out"], year, user=self.user, district_ids=district_ids(options.get("district"))
        )
        self.stdout.write(f"已导出{year}年度偏差分析：{n} 个街道 → {options['out']}")
