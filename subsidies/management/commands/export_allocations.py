from django.core.management.base import CommandError

from communities.lookups import district_ids
from core.commands import ActingCommand


class Command(ActingCommand):
    help = "导出某一年度的补贴分配表工作簿（汇总、管理扶持明细、整治扶持明细、考核结果）。"

    def add_arguments(self, parser):
        parser.add_argument("year", type=int, help="年度，例如 2019")
        parser.add_argument("--out", required=True, metavar="FILE", help="输出文件（.xlsx）")
        parser.add_argument("--district", metavar="NAME", help="只导出该区（如 玄武区 或 玄武）")
        super().add_arguments(parser)

    def act(self, *args, **options):
        from subsidies.exports import NoAllocations, build_allocation_workbook

        year = options["year"]
        districts = district_ids(options.get("district"))
        # The command line holds every district in whatever state its sheet is (excel-templates.md);
        # with --as, that user's scope applies.
        user = None if self.user.is_system else self.user
        try:
            counts = build_allocation_workbook(options["out"], year, user=user, district_ids=districts)
        except NoAllocations as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"已导出{year}年度补贴分配表：{counts['districts']} 个区，管理扶持 {counts['management_rows']} 个小区，"
            f"整治扶持 {counts['startup_rows']} 个小区 → {options['out']}"
        )
