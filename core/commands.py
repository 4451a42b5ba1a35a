"""The command-line contract (excel-templates.md, Commands): every command acts as the built-in
system account (系统, city scope) unless `--as USERNAME` names a user, whose scope and rights
then apply, and the history records who acted."""

from __future__ import annotations

import contextlib

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from .history import SYSTEM_USERNAME, acting_as


def system_user():
    user = get_user_model().objects.filter(username=SYSTEM_USERNAME, is_system=True).first()
    if user is None:
        raise CommandError("系统账户不存在：请先执行 manage.py migrate。")
    return user


def resolve_user(username: str | None):
    if not username:
        return system_user()
    user = get_user_model().objects.filter(username=username).first()
    if user is None or not user.is_active:
        raise CommandError(f"用户不存在或已停用：{username}")
    return user


@contextlib.contextmanager
def acting_user(username: str | None):
    user = resolve_user(username)
    with acting_as(user):
        yield user


class ActingCommand(BaseCommand):
    """A command that acts as a user: `self.user` inside `act()`."""

    def add_arguments(self, parser):
        parser.add_argument("--as", dest="as_user", metavar="USERNAME", help="以该用户身份执行（默认：系统账户）")

    def handle(self, *args, **options):
        with acting_user(options.get("as_user")) as user:
            self.user = user
            return self.act(*args, **options)

    def act(self, *args, **options):  # pragma: no cover - subclasses implement
        raise CommandError("act() not implemented")
