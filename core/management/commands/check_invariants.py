"""`manage.py check_invariants`: run every data invariant the apps registered
(core/invariants.py); exit 1 with the Chinese report when any is violated."""

from django.core.management.base import BaseCommand, CommandError

from core.invariants import report, run_checks


class Command(BaseCommand):
    help = "检查数据一致性（每个小区每年一条当前结果、每年一个当前计分、汇总与明细一致等），不通过则以非零状态退出。"

    def handle(self, *args, **options):
        outcomes = run_checks()
        text = report(outcomes)
        if all(o.ok for o in outcomes):
            self.stdout.write(text)
            return
        self.stderr.write(text)
        raise CommandError("数据一致性检查未通过，详见上方报告。")
