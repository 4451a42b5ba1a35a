from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.commands import system_user
from core.history import acting_as
from integrations.keys import issue_key


class Command(BaseCommand):
    help = "发放接口密钥（12345热线等系统提交 Open311 工单用）：密钥只在最后一行显示一次，库中只存其哈希。"

    def add_arguments(self, parser):
        parser.add_argument("name", help="密钥名称，如“玄武区12345热线”")
        parser.add_argument(
            "--district",
            action="append",
            default=[],
            metavar="CODE",
            help="可建单的区（区划代码、名称或简称），可重复；不指定则全市",
        )
        parser.add_argument("--days", type=int, default=None, help="有效天数（默认见设置 API_KEY_DAYS）")

    def handle(self, *args, **options):
        user = system_user()
        try:
            with acting_as(user):
                key, plain = issue_key(
                    name=options["name"], districts=options["district"], days=options["days"], by=user
                )
        except ValidationError as exc:
            raise CommandError("；".join(m for msgs in exc.message_dict.values() for m in msgs)) from exc
        scope = "、".join(d.name for d in key.districts.order_by("code")) or "全市"
        self.stdout.write(
            f"已发放接口密钥“{key.name}”：范围 {scope}，有效期至 "
            f"{timezone.localtime(key.expiry_date):%Y-%m-%d %H:%M}。密钥只显示这一次，请妥善交给对方系统："
        )
        self.stdout.write(plain)
