from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "列出演示账号及密码。"

    def add_arguments(self, parser):
        parser.add_argument("--url", default="http://127.0.0.1:8000/", help="服务地址（make run 传入 HOST:PORT）")

    def handle(self, *args, **options):
        from dashboards.demo import DEMO_PASSWORD, logins

        self.stdout.write("")
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
        for username, role, unit in logins():
            self.stdout.write(f"  {username:<18} {role:<16} {unit}")
        self.stdout.write("")
        self.stdout.write(f"打开 {options['url']} 用以上任一账号登录；按 Ctrl-C 停止。")
        self.stdout.write("")
