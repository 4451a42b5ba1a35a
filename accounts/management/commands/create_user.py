"""`manage.py create_user USERNAME --role ROLE [--district|--street|--community NAME]`: a real
account without the demo city — the first city_admin of a new installation, or any account
from a script. The password is asked twice at the terminal, or read from standard input with
--password-stdin; the project's password rules apply. Nothing is written on any error."""

from __future__ import annotations

import getpass
import sys

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Q

from accounts.choices import ROLE_LEVEL, Role
from accounts.models import User
from core.scoping import Level

UNIT_OPTION = {Level.DISTRICT: "district", Level.STREET: "street", Level.COMMUNITY: "community"}
UNIT_WORD = {"district": "区", "street": "街道", "community": "社区"}


def find_unit(level: str, text: str):
    """The district, street or community named `text` (its name or its code), exactly one."""
    # The unit models are the registry's, above accounts: the user's own foreign key names them.
    model = User._meta.get_field(UNIT_OPTION[level]).related_model
    matches = list(model.objects.filter(Q(name=text) | Q(code=text))[:2])
    if not matches:
        raise CommandError(f"找不到{model._meta.verbose_name}“{text}”（请先运行 load_units 或导入小区登记表）。")
    if len(matches) > 1:
        raise CommandError(f"“{text}”对应多个{model._meta.verbose_name}，请改用编码。")
    return matches[0]


class Command(BaseCommand):
    help = "创建一个账户（角色、所属单位、密码），例如新安装后的第一个市房产局管理员。"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--role",
            required=True,
            choices=Role.values,
            help="角色：" + "，".join(f"{r.value}={r.label}" for r in Role),
        )
        parser.add_argument("--district", help="区（名称或编码），区级角色必填")
        parser.add_argument("--street", help="街道（名称或编码），街道角色必填")
        parser.add_argument("--community", help="社区（名称或编码），社区角色必填")
        parser.add_argument("--full-name", default="", help="姓名")
        parser.add_argument("--organisation", default="", help="单位")
        parser.add_argument("--password-stdin", action="store_true", help="从标准输入读取密码（脚本用）")

    def handle(self, *args, username, role, full_name, organisation, password_stdin, **options):
        if User.objects.filter(username=username).exists():
            raise CommandError(f"用户名“{username}”已存在。")
        level = ROLE_LEVEL[Role(role)]
        user = User(username=username, role=role, full_name=full_name, organisation=organisation)
        needed = UNIT_OPTION.get(level)
        for option in UNIT_OPTION.values():
            if options[option] and option != needed:
                raise CommandError(f"角色“{Role(role).label}”不属于{UNIT_WORD[option]}，不能指定 --{option}。")
        if needed:
            if not options[needed]:
                raise CommandError(f"角色“{Role(role).label}”必须用 --{needed} 指定所属单位。")
            setattr(user, needed, find_unit(level, options[needed]))

        password = self.read_password(password_stdin)
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise CommandError("密码不符合要求：" + "；".join(exc.messages)) from exc
        user.set_password(password)
        try:
            user.full_clean(exclude=["password"])
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        with transaction.atomic():
            user.save()
        self.stdout.write(self.style.SUCCESS(f"已创建账户 {username}（{Role(role).label}，{user.unit_label}）。"))

    def read_password(self, from_stdin: bool) -> str:
        if from_stdin:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass("密码：")
            if password != getpass.getpass("再次输入密码："):
                raise CommandError("两次输入的密码不一致。")
        if not password:
            raise CommandError("密码不能为空。")
        return password
