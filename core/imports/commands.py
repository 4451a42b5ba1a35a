"""`manage.py import_<kind> FILE`: the same importer as the upload page, in this process."""

from __future__ import annotations

from django.core.management.base import CommandError

from core.commands import ActingCommand


class ImportCommand(ActingCommand):
    importer = None  # the Importer subclass

    @property
    def help(self):
        return f"导入{self.importer.title}（.xlsx 或 .xls）。全部正确才写入；有错误时列出每一处并以非零状态退出。"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("file", metavar="FILE", help="要导入的文件")

    def act(self, *args, **options):
        import os

        path = options["file"]
        if not os.path.exists(path):
            raise CommandError(f"文件不存在：{path}")
        outcome = self.importer(self.user).run(path, os.path.basename(path))
        if not outcome.ok:
            for error in outcome.errors:
                self.stderr.write(str(error))
            raise CommandError(outcome.summary if outcome.bad_cells else outcome.errors[0].message)
        self.stdout.write(outcome.summary)
