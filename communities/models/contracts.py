"""委托合同: a firm's contract to manage an estate (clause 六, 八)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from core.models import TimeStampedModel
from core.validation import plausible_date

from ..choices import EntrustingParty
from .estates import Estate, EstateScopedModel
from .firms import ServiceFirm

SERVICE_FIELDS = (
    ("security", "保安"),
    ("cleaning", "保洁"),
    ("greening", "保绿"),
    ("repair", "维修"),
    ("other", "其他"),
)


class ServiceContract(TimeStampedModel, EstateScopedModel):
    """物业服务委托合同: a firm serves an estate, entrusted by a district or a street (公益性物业托管)
    or hired by the owners' organisation (市场化物业), for a period, at a fee standard in yuan per
    m² per month (an exact decimal), for a set of services."""

    estate = models.ForeignKey(Estate, verbose_name="小区", on_delete=models.PROTECT, related_name="contracts")
    firm = models.ForeignKey(
        ServiceFirm, verbose_name="物业服务企业", on_delete=models.PROTECT, related_name="contracts"
    )
    entrusted_by = models.CharField("委托方", max_length=12, choices=EntrustingParty.choices)
    number = models.CharField("合同编号", max_length=50, blank=True)
    start_date = models.DateField("合同开始日期", validators=[plausible_date])
    end_date = models.DateField("合同结束日期", validators=[plausible_date])
    terminated_on = models.DateField("提前终止日期", null=True, blank=True, validators=[plausible_date])
    fee_per_m2_month = models.DecimalField("收费标准（元/㎡·月）", max_digits=6, decimal_places=2)
    security = models.BooleanField("保安", default=False)
    cleaning = models.BooleanField("保洁", default=False)
    greening = models.BooleanField("保绿", default=False)
    repair = models.BooleanField("维修", default=False)
    other = models.BooleanField("其他", default=False)
    other_text = models.CharField("其他服务说明", max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="录入人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "物业服务委托合同"
        ordering = ["-start_date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")),
                name="contract_ends_after_start",
                violation_error_message="合同结束日期不能早于开始日期。",
            ),
            models.CheckConstraint(
                condition=Q(fee_per_m2_month__gte=0),
                name="contract_fee_not_negative",
                violation_error_message="收费标准不能为负数。",
            ),
        ]

    def __str__(self):
        return f"{self.firm.name} · {self.estate.name}"

    @property
    def effective_end(self):
        return min(self.end_date, self.terminated_on) if self.terminated_on else self.end_date

    def is_active_on(self, day) -> bool:
        return self.start_date <= day <= self.effective_end

    @property
    def services_label(self) -> str:
        names = [label for field, label in SERVICE_FIELDS if getattr(self, field)]
        if self.other and self.other_text:
            names[-1] = f"其他（{self.other_text}）"
        return "、".join(names)

    @staticmethod
    def active_q(day) -> Q:
        """Contracts in force on `day` (started, not ended, not terminated)."""
        return Q(start_date__lte=day, end_date__gte=day) & (Q(terminated_on__isnull=True) | Q(terminated_on__gte=day))


class ContractFactsDay(models.Model):
    """The day for which the estates' contract facts (Estate.contract_parties, contract_ends_on)
    were computed: one row. Facts of another day are refreshed before they are read."""

    day = models.DateField("计算日期", editable=False)  # written by refresh_all, never typed

    class Meta:
        verbose_name = verbose_name_plural = "有效合同汇总日期"

    def __str__(self):
        return f"有效合同汇总（{self.day:%Y-%m-%d}）"
