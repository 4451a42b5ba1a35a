from django.db import transaction

from communities.models import District, Street
from communities.units import load_units
from core.commands import ActingCommand


class Command(ActingCommand):
    help = "（重新）载入随项目提供的区、街道数据；可重复执行，不改变已有数据。"

    def act(self, *args, **options):
        with transaction.atomic():
            counts = load_units(District, Street)
        self.stdout.write(
            f"区 {District.objects.count()} 个，街道/镇 {Street.objects.count()} 个；"
            f"新建 {counts['created']}，更新 {counts['updated']}。"
        )
