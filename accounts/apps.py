from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "用户与权限"

    def ready(self):
        # core sits below accounts and asks its questions of the rule table through
        # core.permissions, which holds what is registered here.
        from core import permissions

        from . import rules

        permissions.register(rules)
