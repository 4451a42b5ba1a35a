"""`manage.py load_demo`: the units plus a realistic demo city and users for every role.

Each app may add its part in `<app>/demo.py` (`build(rng, ctx)`); they run in dependency order
on one seeded random generator, so the demo city is the same on every machine. On a database
that already holds the demo city it does nothing (use `--fresh` on an empty database only)."""

from __future__ import annotations

import importlib
import random
import time

from django.core.management.base import CommandError
from django.db import transaction

from core.commands import ActingCommand

# disputes before assessments: the cycle reads the cases (效能效果); subsidies after both.
# The demo users (dashboards/demo.py) come right after the units they belong to.
APPS_IN_ORDER = ("communities", "dashboards", "staffing", "disputes", "assessments", "subsidies")
SEED = 20171229  # the notice's date


class Command(ActingCommand):
    help = "载入演示数据：区街道、约2300个小区、企业、物管会、各角色演示账号及各模块演示数据。"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--fresh", action="store_true", help="数据库中尚无小区时才可使用：强制重新生成")

    def act(self, *args, **options):
        from communities.models import District, Estate, Street
        from communities.units import load_units

        load_units(District, Street)
        if Estate.objects.exists():
            if options["fresh"]:
                raise CommandError("数据库中已有小区数据，不能重新生成演示数据。请先执行 make clean 后重试。")
            self.stdout.write("演示数据已存在，跳过。")
            from accounts.models import User
            from dashboards.demo import DEMO_PASSWORD, DEMO_USERS

            # Keep the printed logins working even if someone changed a demo password.
            for username, *_ in DEMO_USERS:
                user = User.objects.filter(username=username).first()
                if user and not user.check_password(DEMO_PASSWORD):
                    user.set_password(DEMO_PASSWORD)
                    user.save(update_fields=["password"])
            return
        rng = random.Random(SEED)
        ctx = {"system": self.user}
        started = time.monotonic()
        with transaction.atomic():
            for app in APPS_IN_ORDER:
                try:
                    module = importlib.import_module(f"{app}.demo")
                except ModuleNotFoundError:
                    continue
                self.stdout.write(f"  {app} …")
                module.build(rng, ctx)
        self.stdout.write(f"演示数据已生成：{Estate.objects.count()} 个小区（{time.monotonic() - started:.1f} 秒）。")
