"""Reminders sent at once for events addressed to a person: your inspection was returned, your
sheet was approved, an appeal was filed against an estate of your district. The apps send no
signal of their own for these; the workbench listens to the rows being saved (post_save), so no
app needs to know the workbench exists."""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.urls import reverse

from accounts.choices import Role
from assessments.choices import AppealStatus, InspectionStatus
from assessments.models import Appeal, Inspection
from subsidies.choices import SheetStatus
from subsidies.models import AllocationSheet

from .services import notify


@receiver(post_save, sender=Inspection, dispatch_uid="workbench_inspection_returned")
def inspection_returned(sender, instance: Inspection, created, **kwargs):
    if instance.status != InspectionStatus.REJECTED or instance.reviewed_at is None:
        return
    author = instance.created_by
    key = f"inspection_returned:{instance.pk}:{instance.reviewed_at:%Y%m%d%H%M%S}"
    transaction.on_commit(
        lambda: notify(
            author,
            kind="inspection_returned",
            key=key,
            title="您的检查记录被退回",
            body=f"{instance.estate}（{instance.date:%Y-%m-%d}）：{instance.review_note}",
            url=reverse("assessments:inspection_detail", kwargs={"pk": instance.pk}),
        )
    )


@receiver(post_save, sender=AllocationSheet, dispatch_uid="workbench_sheet_approved")
def sheet_approved(sender, instance: AllocationSheet, created, **kwargs):
    if instance.status != SheetStatus.APPROVED or instance.confirmed_by_id is None:
        return
    key = f"sheet_approved:{instance.pk}"
    transaction.on_commit(
        lambda: notify(
            instance.confirmed_by,
            kind="sheet_approved",
            key=key,
            title="您确认的分配表已通过市级审核",
            body=str(instance),
            url=reverse("subsidies:sheet_detail", kwargs={"pk": instance.pk}),
        )
    )


@receiver(post_save, sender=Appeal, dispatch_uid="workbench_appeal_filed")
def appeal_filed(sender, instance: Appeal, created, **kwargs):
    if not created or instance.status != AppealStatus.PENDING:
        return

    def send():
        from django.contrib.auth import get_user_model

        # the district's staff decide the appeal (accounts.rules "appeal_decide")
        staff = get_user_model().objects.filter(
            is_active=True, role=Role.DISTRICT_STAFF, district_id=instance.district_id
        )
        for user in staff:
            notify(
                user,
                kind="appeal_filed",
                key=f"appeal_filed:{instance.pk}",
                title="有小区对考核结果提出申诉",
                body=f"{instance.estate}（{instance.year}年度）",
                url=reverse("assessments:appeal_detail", kwargs={"pk": instance.pk}),
            )

    transaction.on_commit(send)
