"""Users (用户): one role each and, for scoped roles, one unit (spec/roles.md)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from core.history import SYSTEM_USERNAME  # noqa: F401 - the name callers import from here
from core.scoping import Level, ScopedManager

from .choices import ROLE_LEVEL, Role


class User(AbstractUser):
    """A person who signs in, or the built-in system account (系统) that commands act as."""

    full_name = models.CharField("姓名", max_length=50, blank=True)
    role = models.CharField("角色", max_length=32, choices=Role.choices, blank=True)
    # The unit of the scope, with its ancestors filled in on save so that scoping is one
    # indexed filter at each level (a street clerk also carries its district).
    district = models.ForeignKey(
        "communities.District", verbose_name="所属区", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    street = models.ForeignKey(
        "communities.Street", verbose_name="所属街道", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    community = models.ForeignKey(
        "communities.Community",
        verbose_name="所属社区",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    organisation = models.CharField("单位", max_length=100, blank=True)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    is_system = models.BooleanField("系统账户", default=False, editable=False)

    objects = UserManager()
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        verbose_name = verbose_name_plural = "用户"

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.full_name or self.username

    @property
    def scope_level(self) -> str | None:
        return ROLE_LEVEL.get(self.role) if self.role else None

    @property
    def unit(self):
        level = self.scope_level
        return getattr(self, level) if level in (Level.DISTRICT, Level.STREET, Level.COMMUNITY) else None

    @property
    def unit_label(self) -> str:
        unit = self.unit
        if unit is not None:
            return unit.name
        return "全市" if self.scope_level == Level.CITY else "指定小区"

    def assigned_estate_ids(self):
        """For an evaluator: the estates a district or the city assigned to it."""
        from .models import EvaluatorAssignment

        return EvaluatorAssignment.objects.filter(evaluator_id=self.pk).values("estate_id")

    def is_role(self, *roles) -> bool:
        return self.is_authenticated and self.role in roles

    def clean(self):
        super().clean()
        level = self.scope_level
        required = {Level.DISTRICT: "district", Level.STREET: "street", Level.COMMUNITY: "community"}.get(level)
        if required and not getattr(self, f"{required}_id"):
            raise ValidationError({required: "该角色必须指定所属单位。"})

    def save(self, *args, **kwargs):
        self._fill_unit_ancestors()
        super().save(*args, **kwargs)

    def _fill_unit_ancestors(self):
        level = self.scope_level
        if level == Level.COMMUNITY and self.community_id:
            self.street_id = self.community.street_id
            self.district_id = self.community.district_id
        elif level == Level.STREET and self.street_id:
            self.community_id = None
            self.district_id = self.street.district_id
        elif level == Level.DISTRICT:
            self.street_id = self.community_id = None
        elif level in (Level.CITY, Level.ASSIGNED):
            self.district_id = self.street_id = self.community_id = None


class EvaluatorAssignment(models.Model):
    """An estate assigned to a third-party evaluator (第三方评估机构) by a district or the city."""

    evaluator = models.ForeignKey(
        User,
        verbose_name="评估机构",
        on_delete=models.CASCADE,
        related_name="assignments",
        limit_choices_to={"role": Role.EVALUATOR},
    )
    estate = models.ForeignKey("communities.Estate", verbose_name="小区", on_delete=models.CASCADE, related_name="+")
    district = models.ForeignKey("communities.District", on_delete=models.PROTECT, related_name="+", editable=False)
    street = models.ForeignKey("communities.Street", on_delete=models.PROTECT, related_name="+", editable=False)
    community = models.ForeignKey("communities.Community", on_delete=models.PROTECT, related_name="+", editable=False)
    assigned_by = models.ForeignKey(User, verbose_name="指派人", on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField("指派时间", auto_now_add=True)
    history = HistoricalRecords()
    objects = ScopedManager()

    # District staff assign and see the assignments in their district.
    scope_paths = {"district": "district_id", "street": "street_id", "community": "community_id"}

    class Meta:
        verbose_name = verbose_name_plural = "评估指派"
        constraints = [
            models.UniqueConstraint(
                fields=["evaluator", "estate"],
                name="uniq_evaluator_estate",
                violation_error_message="该小区已指派给此评估机构。",
            )
        ]

    def __str__(self):
        return f"{self.evaluator} · {self.estate}"

    def save(self, *args, **kwargs):
        self.district_id, self.street_id, self.community_id = (
            self.estate.district_id,
            self.estate.street_id,
            self.estate.community_id,
        )
        super().save(*args, **kwargs)


class PasswordHistory(models.Model):
    """密码历史: the hashes of a user's passwords, newest first, so that a change can refuse
    reusing the current one or the last five (accounts.passwords.PasswordHistoryValidator)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE, related_name="password_history"
    )
    password = models.CharField("密码哈希", max_length=128)
    created_at = models.DateTimeField("设置时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "密码历史"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.user} {self.created_at:%Y-%m-%d %H:%M}"
