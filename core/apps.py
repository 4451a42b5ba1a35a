from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "公共"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .middleware import start_idle_clock

        user_logged_in.connect(start_idle_clock, dispatch_uid="core.start_idle_clock")
        from .audit import EXPORT_KIND, export_history_job
        from .jobs import register_handler, register_table
        from .models import Job
        from .tasks import run_job_task

        register_handler(EXPORT_KIND, export_history_job)  # the change log's export
        register_table(Job, lambda pk: run_job_task.delay(pk), gave_up="处理进程多次中断，任务已停止，请重新发起。")
