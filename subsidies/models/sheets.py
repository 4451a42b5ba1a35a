"""分配表, its rows, adjustments and disbursements."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from accounts.choices import FINANCE_ROLES
from communities.models import EstateScopedModel
from core.models import TimeStampedModel
from core.scoping import ScopedQuerySet, restrict
from core.validation import happened

from ..choices import MoneyDirection, PolicyKind, Share, SheetKind, SheetStatus


class SheetQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """In scope; a finance role never sees a sheet before it is approved."""
        qs = restrict(self, user)
        if getattr(user, "role", None) in FINANCE_ROLES:
            qs = qs.filter(status=SheetStatus.APPROVED)
        return qs


class AllocationSheet(TimeStampedModel):
    """补贴分配表 of one district and year: 草稿 → 区级已确认 → 市级已审核 (frozen).

    Version 1 is the sheet; a later version is an adjustment (调整表) made by a run after the
    year was reopened, listing per estate the difference — 补拨 or 追回 — beside the amounts
    approved before, which stay as they were. Totals are stored (sum of the rows, in fen)."""

    district = models.ForeignKey("communities.District", verbose_name="区", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    version = models.PositiveSmallIntegerField("版本", default=1)
    kind = models.CharField("类型", max_length=12, choices=SheetKind.choices, default=SheetKind.ORIGINAL)
    status = models.CharField("状态", max_length=12, choices=SheetStatus.choices, default=SheetStatus.DRAFT)
    run = models.ForeignKey(
        "assessments.CycleRun", verbose_name="依据的计分", null=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField("调整原因", blank=True)
    estates = models.PositiveIntegerField("小区数", default=0)
    area = models.DecimalField("建筑面积(㎡)", max_digits=16, decimal_places=2, default=0)
    management_fen = models.BigIntegerField("管理扶持金额（分）", default=0)
    startup_fen = models.BigIntegerField("整治扶持金额（分）", default=0)
    total_fen = models.BigIntegerField("合计金额（分）", default=0)
    city_fen = models.BigIntegerField("市级承担（分）", default=0)
    district_fen = models.BigIntegerField("区级承担（分）", default=0)
    # adjustments: what is to be paid more (补拨, ≥ 0) and recovered (追回, ≥ 0), per share
    city_pay_fen = models.BigIntegerField("市级补拨（分）", default=0)
    city_recover_fen = models.BigIntegerField("市级追回（分）", default=0)
    district_pay_fen = models.BigIntegerField("区级补拨（分）", default=0)
    district_recover_fen = models.BigIntegerField("区级追回（分）", default=0)
    computed_at = models.DateTimeField("计算时间", default=timezone.now, validators=[happened])
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="区级确认人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    confirmed_at = models.DateTimeField("区级确认时间", null=True, blank=True, validators=[happened])
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="市级审核人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField("市级审核时间", null=True, blank=True, validators=[happened])
    settled_at = models.DateTimeField("结清时间", null=True, blank=True, validators=[happened])
    history = HistoricalRecords()

    objects = SheetQuerySet.as_manager()
    scope_paths = {"district": "district_id"}

    class Meta:
        verbose_name = verbose_name_plural = "补贴分配表"
        ordering = ["-year", "district__code", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "year", "version"],
                name="uniq_sheet_district_year_version",
                violation_error_message="该区该年度已有此版本的分配表。",
            ),
            # At most one version of a district's year is not yet approved.
            models.UniqueConstraint(
                fields=["district", "year"],
                condition=~Q(status="approved"),
                name="one_open_sheet_per_district_year",
                violation_error_message="该区该年度已有未审核的分配表。",
            ),
        ]

    def __str__(self):
        label = f"{self.year}年度{self.district}补贴分配表"
        return label if self.version == 1 else f"{label}（第{self.version - 1}次调整）"

    @property
    def title(self) -> str:
        return str(self)

    @property
    def is_adjustment(self) -> bool:
        return self.kind == SheetKind.ADJUSTMENT

    @property
    def is_frozen(self) -> bool:
        return self.status == SheetStatus.APPROVED

    @property
    def status_colour(self) -> str:
        return SheetStatus(self.status).colour

    def due(self, share: str, direction: str) -> int:
        """What finance must pay (拨付) or recover (追回) for a share, in fen."""
        if self.kind == SheetKind.ORIGINAL:
            if direction == MoneyDirection.RECOVERY:
                return 0
            return self.city_fen if share == Share.CITY else self.district_fen
        if share == Share.CITY:
            return self.city_pay_fen if direction == MoneyDirection.PAYMENT else self.city_recover_fen
        return self.district_pay_fen if direction == MoneyDirection.PAYMENT else self.district_recover_fen


class SheetEvent(models.Model):
    """A step of a sheet: computed, confirmed, approved, returned to draft by a new run."""

    sheet = models.ForeignKey(AllocationSheet, verbose_name="分配表", on_delete=models.CASCADE, related_name="events")
    action = models.CharField(
        "操作",
        max_length=16,
        choices=[
            ("computed", "计算"),
            ("recomputed", "重新计算"),
            ("confirmed", "区级确认"),
            ("approved", "市级审核"),
            ("settled", "结清"),
            ("payee", "修改收款单位"),
        ],
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField("时间", default=timezone.now, validators=[happened])
    note = models.CharField("说明", max_length=500, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "分配表操作记录"
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.sheet} {self.get_action_display()}"


class AllocationQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        qs = restrict(self, user)
        if getattr(user, "role", None) in FINANCE_ROLES:
            qs = qs.filter(sheet__status=SheetStatus.APPROVED)
        return qs


class Allocation(EstateScopedModel):
    """分配明细: one estate's management subsidy or start-up tranche on a sheet, with the inputs
    that produced it (area, score, grade, rate or tranche). A computed row, never edited except
    its payee while the sheet is a draft.

    On an adjustment, `previous_*` are the amounts approved before and the amount columns the
    corrected ones; the difference is 补拨 (> 0) or 追回 (< 0)."""

    sheet = models.ForeignKey(AllocationSheet, verbose_name="分配表", on_delete=models.CASCADE, related_name="rows")
    kind = models.CharField("扶持类型", max_length=12, choices=PolicyKind.choices)
    policy = models.ForeignKey(
        "subsidies.Policy", verbose_name="扶持政策", null=True, on_delete=models.PROTECT, related_name="+"
    )
    area = models.DecimalField("建筑面积(㎡)", max_digits=12, decimal_places=2)
    score = models.DecimalField("考核得分", max_digits=5, decimal_places=2, null=True)
    grade = models.CharField("考核等级", max_length=8, blank=True)
    rate = models.DecimalField("补贴标准(元/㎡·年)", max_digits=8, decimal_places=2, null=True)
    renovation_year = models.PositiveSmallIntegerField("整治完成年份", null=True)
    tranche = models.PositiveSmallIntegerField("本年批次", null=True)
    grant_total_fen = models.BigIntegerField("扶持总额（分）", null=True)
    amount_fen = models.BigIntegerField("金额（分）")
    city_fen = models.BigIntegerField("市级承担（分）")
    district_fen = models.BigIntegerField("区级承担（分）")
    previous_fen = models.BigIntegerField("原审核金额（分）", default=0)
    previous_city_fen = models.BigIntegerField("原市级承担（分）", default=0)
    previous_district_fen = models.BigIntegerField("原区级承担（分）", default=0)
    payee = models.CharField("收款单位", max_length=200, blank=True)
    # The contract the payee comes from, and its description and the rule applied as they were
    # when the row was computed (frozen with the row: a later edit of the contract does not
    # change an approved sheet or its workbook).
    contract = models.ForeignKey(
        "communities.ServiceContract",
        verbose_name="依据合同",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    payee_contract = models.CharField("依据合同", max_length=200, blank=True)
    payee_basis = models.CharField("收款单位确定依据", max_length=200, blank=True)

    objects = AllocationQuerySet.as_manager()
    # Allocation sheets are the district's and the city's business: street, community and
    # evaluator roles see no row of them (spec/roles.md).
    scope_paths = {"district": "district_id"}

    class Meta:
        verbose_name = verbose_name_plural = "分配明细"
        ordering = ["sheet", "kind", "id"]
        indexes = [models.Index(fields=["sheet", "kind"], name="allocation_sheet_kind_idx")]
        constraints = [
            models.UniqueConstraint(fields=["sheet", "estate", "kind"], name="uniq_allocation_sheet_estate_kind"),
            models.CheckConstraint(
                condition=Q(amount_fen=models.F("city_fen") + models.F("district_fen")),
                name="allocation_shares_add_up",
                violation_error_message="市级与区级承担之和须等于金额。",
            ),
        ]

    def __str__(self):
        return f"{self.estate} {self.get_kind_display()}"

    @property
    def diff_fen(self) -> int:
        return self.amount_fen - self.previous_fen

    @property
    def diff_city_fen(self) -> int:
        return self.city_fen - self.previous_city_fen

    @property
    def diff_district_fen(self) -> int:
        return self.district_fen - self.previous_district_fen

    @property
    def diff_label(self) -> str:
        d = self.diff_fen
        return "补拨" if d > 0 else "追回" if d < 0 else "无变化"


class Disbursement(TimeStampedModel):
    """拨付记录: a finance bureau pays (拨付) its share of an approved sheet, or records a
    recovery (追回) of an adjustment: date, amount, document number (文号)."""

    sheet = models.ForeignKey(
        AllocationSheet, verbose_name="分配表", on_delete=models.PROTECT, related_name="disbursements"
    )
    district = models.ForeignKey(
        "communities.District", verbose_name="区", on_delete=models.PROTECT, related_name="+", editable=False
    )
    share = models.CharField("承担方", max_length=10, choices=Share.choices)
    direction = models.CharField("类型", max_length=10, choices=MoneyDirection.choices, default=MoneyDirection.PAYMENT)
    date = models.DateField("日期", validators=[happened])
    amount_fen = models.BigIntegerField("金额（分）")
    document_no = models.CharField("文号", max_length=100)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="录入人", on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    scope_paths = {"district": "district_id"}

    class Meta:
        verbose_name = verbose_name_plural = "拨付记录"
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_fen__gt=0), name="disbursement_positive", violation_error_message="金额须大于0。"
            ),
        ]

    def __str__(self):
        return f"{self.sheet} {self.get_share_display()} {self.get_direction_display()}"

    def save(self, *args, **kwargs):
        self.district_id = self.sheet.district_id
        super().save(*args, **kwargs)


class PayeeOverride(TimeStampedModel):
    """收款单位 set for an estate by hand, instead of the default rule of spec/domain.md."""

    estate = models.OneToOneField("communities.Estate", verbose_name="小区", on_delete=models.CASCADE, related_name="+")
    district = models.ForeignKey("communities.District", on_delete=models.PROTECT, related_name="+", editable=False)
    payee = models.CharField("收款单位", max_length=200)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    scope_paths = {"district": "district_id"}

    class Meta:
        verbose_name = verbose_name_plural = "收款单位设置"

    def __str__(self):
        return f"{self.estate}：{self.payee}"

    def save(self, *args, **kwargs):
        self.district_id = self.estate.district_id
        super().save(*args, **kwargs)
