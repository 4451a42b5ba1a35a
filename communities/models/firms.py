"""物业服务企业."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from core.models import TimeStampedModel
from core.scoping import ScopedManager

from ..choices import FirmFounding
from ..validators import validate_credit_code
from .units import District, Street


class ServiceFirm(TimeStampedModel):
    """物业服务企业, including the public-welfare firms of clause 六 (公益性物业服务企业).

    A public register: every signed-in user can read it (business registrations are public);
    the registering district, or the entrusting street, edits it."""

    name = models.CharField("企业名称", max_length=100, unique=True)
    credit_code = models.CharField("统一社会信用代码", max_length=18, unique=True, validators=[validate_credit_code])
    is_public_welfare = models.BooleanField("公益性物业服务企业", default=False)
    founding = models.CharField("组建方式", max_length=16, choices=FirmFounding.choices, blank=True)
    district = models.ForeignKey(District, verbose_name="登记区", on_delete=models.PROTECT, related_name="firms")
    street = models.ForeignKey(
        Street,
        verbose_name="委托街道",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="firms",
        help_text="由街道办事处委托的公益性企业填写；由区政府委托的留空。",
    )
    legal_representative = models.CharField("法定代表人", max_length=50, blank=True)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    address = models.CharField("地址", max_length=200, blank=True)
    history = HistoricalRecords()

    objects = ScopedManager()
    scope_paths = {"district": "district_id", "street": "street_id"}
    scope_public_read = True

    class Meta:
        verbose_name = verbose_name_plural = "物业服务企业"
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def entrusted_by(self) -> str:
        if not self.is_public_welfare:
            return ""
        return self.street.name if self.street_id else self.district.name

    def clean(self):
        if self.credit_code:
            self.credit_code = self.credit_code.strip().upper()
        if self.street_id and self.district_id and self.street.district_id != self.district_id:
            raise ValidationError({"street": "委托街道不属于登记区。"})
        if self.is_public_welfare and not self.founding:
            raise ValidationError({"founding": "公益性物业服务企业须填写组建方式（新建、重组或引进）。"})
