from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms
from django.db import transaction

from assessments.errors import Refused
from communities.choices import EstateCategory
from communities.models import District
from core.forms import OnePassFormMixin
from core.money import yuan_to_fen
from core.validation import happened

from .choices import GRADE_ORDER, MoneyDirection, PolicyKind
from .models import Policy
from .services import parse_amount

GRADE_FIELDS = {"三星": "rate_3", "二星": "rate_2", "一星": "rate_1", "不达标": "rate_0"}


class PayeeForm(forms.Form):
    payee = forms.CharField(label="收款单位", max_length=200)


class DisbursementForm(OnePassFormMixin, forms.Form):
    date = forms.DateField(
        validators=[happened],
        label="日期",
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date", "class": "form-control form-control-sm"}),
        error_messages={"required": "请填写日期。", "invalid": "日期格式不正确。"},
    )
    amount = forms.CharField(
        label="金额（元）",
        max_length=30,
        error_messages={"required": "请填写金额。"},
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm", "inputmode": "decimal"}),
    )
    document_no = forms.CharField(
        label="文号",
        max_length=100,
        error_messages={"required": "请填写文号。"},
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
    )
    direction = forms.ChoiceField(
        label="类型",
        choices=MoneyDirection.choices,
        initial=MoneyDirection.PAYMENT,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )

    def clean_amount(self):
        """The amount parsed here, so a malformed amount is refused in the same round as a
        missing date or 文号 (the balance is checked as the payment is written)."""
        try:
            return parse_amount(self.cleaned_data["amount"])
        except Refused as exc:
            raise forms.ValidationError(exc.errors.get("amount") or exc.message) from exc


class PolicyForm(forms.ModelForm):
    """A policy with its rates (management), tiers and tranche shares (start-up), as one form."""

    districts = forms.ModelMultipleChoiceField(
        label="适用区", queryset=District.objects.order_by("code"), widget=forms.CheckboxSelectMultiple
    )
    categories = forms.MultipleChoiceField(
        label="适用小区类别", choices=EstateCategory.choices, widget=forms.CheckboxSelectMultiple
    )
    rate_3 = forms.DecimalField(label="三星（元/㎡·年）", required=False, max_digits=8, decimal_places=2, min_value=0)
    rate_2 = forms.DecimalField(label="二星（元/㎡·年）", required=False, max_digits=8, decimal_places=2, min_value=0)
    rate_1 = forms.DecimalField(label="一星（元/㎡·年）", required=False, max_digits=8, decimal_places=2, min_value=0)
    rate_0 = forms.DecimalField(
        label="不达标（元/㎡·年）",
        required=False,
        max_digits=8,
        decimal_places=2,
        min_value=0,
        help_text="留空表示不予补贴。",
    )
    tiers = forms.CharField(
        label="扶持档次",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="每行“面积下限=扶持总额（元）”，如 50000=160000.00。",
    )
    shares = forms.CharField(label="分期比例", required=False, help_text="用逗号分隔，如 0.50,0.30,0.20，合计须为1。")

    class Meta:
        model = Policy
        fields = [
            "kind",
            "name",
            "source_document",
            "valid_from_year",
            "valid_to_year",
            "districts",
            "categories",
            "city_share",
            "min_grade",
            "renovated_from_year",
            "renovated_to_year",
            "active",
            "notes",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        p = self.instance
        if p.pk and not self.is_bound:
            rates = {r.grade: r.rate for r in p.rates.all()}
            for grade, name in GRADE_FIELDS.items():
                self.initial[name] = rates.get(grade)
            self.initial["tiers"] = "\n".join(f"{t.min_area}={Decimal(t.total_fen) / 100:.2f}" for t in p.tiers.all())
            self.initial["shares"] = ",".join(p.tranche_shares)

    def clean_tiers(self):
        out = []
        for n, line in enumerate((self.cleaned_data.get("tiers") or "").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                area, total = (x.strip().replace(",", "") for x in line.replace("＝", "=").split("="))
                area, total = Decimal(area), Decimal(total)
            except (ValueError, InvalidOperation):
                raise forms.ValidationError(f"第{n}行格式不正确，应为“面积下限=扶持总额”。") from None
            if area < 0 or total < 0:
                raise forms.ValidationError(f"第{n}行不能为负数。")
            out.append((area.quantize(Decimal("0.01")), yuan_to_fen(total)))
        if len({a for a, _ in out}) != len(out):
            raise forms.ValidationError("面积下限不能重复。")
        return out

    def clean_shares(self):
        text = (self.cleaned_data.get("shares") or "").replace("，", ",").strip()
        if not text:
            return []
        try:
            shares = [Decimal(x.strip()) for x in text.split(",")]
        except InvalidOperation:
            raise forms.ValidationError("分期比例须为数字。") from None
        if any(s <= 0 for s in shares) or sum(shares) != 1:
            raise forms.ValidationError("分期比例须为正数且合计为1。")
        return [str(s) for s in shares]

    def clean(self):
        data = super().clean()
        start, end = data.get("valid_from_year"), data.get("valid_to_year")
        if start and end and end < start:
            self.add_error("valid_to_year", "截止年度不能早于起始年度。")
        if data.get("kind") == PolicyKind.STARTUP and not (data.get("tiers") and data.get("shares")):
            self.add_error("tiers", "整治扶持须填写扶持档次和分期比例。")
        if data.get("kind") == PolicyKind.MANAGEMENT and not any(
            data.get(f) is not None for f in GRADE_FIELDS.values()
        ):
            self.add_error("rate_3", "管理扶持至少须填写一个等级的补贴标准。")
        return data

    @transaction.atomic
    def save_policy(self, as_new: bool = False) -> Policy:
        policy = self.save(commit=False)
        if as_new:
            policy.pk = None
            policy._state.adding = True
        policy.tranche_shares = self.cleaned_data["shares"]
        policy.save()
        policy.districts.set(self.cleaned_data["districts"])
        policy.rates.all().delete()
        for grade in GRADE_ORDER:
            rate = self.cleaned_data.get(GRADE_FIELDS[grade])
            if rate is not None:
                policy.rates.create(grade=grade, rate=rate)
        policy.tiers.all().delete()
        for area, total in self.cleaned_data["tiers"]:
            policy.tiers.create(min_area=area, total_fen=total)
        return policy
