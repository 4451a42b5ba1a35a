"""What every app shares: the base model and long work as a row (jobs)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from core import permissions
from core.validation import happened, plausible_date


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        abstract = True


class JobStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "进行中"
    SUCCEEDED = "succeeded", "已完成"
    FAILED = "failed", "失败"

    @property
    def colour(self) -> str:
        return {"queued": "secondary", "running": "primary", "succeeded": "success", "failed": "danger"}[self.value]


ACTIVE_JOB_STATUSES = (JobStatus.QUEUED, JobStatus.RUNNING)


class JobBase(models.Model):
    """Long work as a row (长任务): status, progress, result and a lease.

    The Celery task gets only the row's id and claims it with a conditional update
    (`claim`), so a duplicate delivery does nothing and a job whose lease lapsed — its worker
    died — can be claimed again. A live worker renews the lease (`heartbeat`).
    """

    status = models.CharField("状态", max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED, db_index=True)
    progress = models.PositiveSmallIntegerField("进度(%)", default=0)
    progress_note = models.CharField("进度说明", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="发起人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("发起时间", default=timezone.now, validators=[happened])
    started_at = models.DateTimeField("开始时间", null=True, blank=True, validators=[happened])
    finished_at = models.DateTimeField("结束时间", null=True, blank=True, validators=[happened])
    lease_expires_at = models.DateTimeField("租约到期", null=True, blank=True, validators=[plausible_date])
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    error = models.TextField("失败原因", blank=True)
    result = models.JSONField("结果", default=dict, blank=True)

    class Meta:
        abstract = True

    # --- lifecycle -----------------------------------------------------------------------
    @classmethod
    def claim(cls, pk, lease_seconds: int | None = None) -> bool:
        """Take the job if it is queued, or running with a lapsed lease; True if we got it."""
        now = timezone.now()
        lease = dt.timedelta(seconds=lease_seconds or settings.JOB_LEASE_SECONDS)
        claimable = Q(status=JobStatus.QUEUED) | Q(status=JobStatus.RUNNING, lease_expires_at__lt=now)
        taken = (
            cls._default_manager.filter(pk=pk)
            .filter(claimable)
            .filter(attempts__lt=settings.JOB_MAX_ATTEMPTS)
            .update(
                status=JobStatus.RUNNING,
                attempts=F("attempts") + 1,
                started_at=Coalesce(F("started_at"), now),
                lease_expires_at=now + lease,
                error="",
            )
        )
        return taken == 1

    def heartbeat(self, progress: int | None = None, note: str | None = None, lease_seconds: int | None = None):
        """Renew the lease and record progress; a no-op if the job is no longer ours."""
        fields: dict[str, object] = {
            "lease_expires_at": timezone.now() + dt.timedelta(seconds=lease_seconds or settings.JOB_LEASE_SECONDS)
        }
        if progress is not None:
            self.progress = fields["progress"] = max(0, min(100, int(progress)))
        if note is not None:
            self.progress_note = fields["progress_note"] = note[:200]
        type(self)._default_manager.filter(pk=self.pk, status=JobStatus.RUNNING).update(**fields)

    # The last step's words ("正在保存……") must not outlive the work: finishing replaces them
    # with the final state, for the page and the API alike.
    SUCCEEDED_NOTE = "已完成。"
    FAILED_NOTE = "未完成：任务已停止，原因见下。"

    def mark_succeeded(self, result: dict | None = None):
        self.status, self.progress, self.finished_at = JobStatus.SUCCEEDED, 100, timezone.now()
        self.result = result or {}
        self.progress_note = self.SUCCEEDED_NOTE
        type(self)._default_manager.filter(pk=self.pk).update(
            status=self.status,
            progress=100,
            finished_at=self.finished_at,
            result=self.result,
            lease_expires_at=None,
            progress_note=self.progress_note,
        )

    def mark_failed(self, error: str, result: dict | None = None):
        self.status, self.finished_at, self.error = JobStatus.FAILED, timezone.now(), error
        self.progress_note = self.FAILED_NOTE
        fields = {
            "status": self.status,
            "finished_at": self.finished_at,
            "error": error[:4000],
            "lease_expires_at": None,
            "progress_note": self.progress_note,
        }
        if result is not None:
            self.result = fields["result"] = result
        type(self)._default_manager.filter(pk=self.pk).update(**fields)

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_JOB_STATUSES

    @property
    def status_colour(self) -> str:
        return JobStatus(self.status).colour


def job_upload_path(instance, filename):
    return f"jobs/{instance.kind}/{timezone.now():%Y%m%d}/{filename}"


class JobQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A user sees the jobs they started; city_admin and the auditor see all of them."""
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if permissions.oversees(user):
            return self
        return self.filter(created_by=user)


class Job(JobBase):
    """An import or an export (导入/导出任务): the file in, the file out, and who asked.

    `kind` names the handler registered in core.jobs; `scope_paths` let a user see only the
    jobs they started (and city roles all of them)."""

    kind = models.CharField("类型", max_length=64, db_index=True)
    title = models.CharField("名称", max_length=200, blank=True)
    params = models.JSONField("参数", default=dict, blank=True)
    input_file = models.FileField("上传文件", upload_to=job_upload_path, blank=True, max_length=300)
    input_name = models.CharField("原文件名", max_length=255, blank=True)
    output_file = models.FileField("结果文件", upload_to=job_upload_path, blank=True, max_length=300)
    output_name = models.CharField("下载文件名", max_length=255, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "后台任务"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "lease_expires_at"], name="job_status_lease_idx")]

    def __str__(self):
        return self.title or self.kind
