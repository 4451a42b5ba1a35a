"""Forms: thin; the checks live in services (InspectionChecker, check_fee_rate, check_scheme)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils import timezone

from core.validation import happened, plausible_date

from .choices import DeviationConclusion, InspectionSource, ThirdPartyRule

INPUT = {"class": "form-control"}
SELECT = {"class": "form-select"}


class InspectionForm(forms.Form):
    estate_code = forms.CharField(
        label="小区编码",
        max_length=32,
        widget=forms.TextInput(
            attrs={
                **INPUT,
                "list": "estate-codes",
                "autocomplete": "off",
                "inputmode": "text",
            }
        ),
        error_messages={"required": "请填写小区编码。"},
    )
    date = forms.DateField(
        validators=[happened],
        label="检查日期",
        widget=forms.DateInput(attrs={**INPUT, "type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "请填写检查日期。", "invalid": "日期格式不正确。"},
    )
    inspector_name = forms.CharField(
        label="检查人",
        max_length=50,
        widget=forms.TextInput(attrs=INPUT),
        error_messages={"required": "请填写检查人。"},
    )
    source = forms.ChoiceField(label="检查类型", choices=InspectionSource.choices, widget=forms.Select(attrs=SELECT))
    note = forms.CharField(
        label="备注", max_length=500, required=False, widget=forms.Textarea(attrs={**INPUT, "rows": 2})
    )
    photos = forms.FileField(
        label="现场照片",
        required=False,
        widget=forms.ClearableFileInput(
            attrs={
                **INPUT,
                "accept": "image/*",
                "capture": "environment",
            }
        ),
        help_text="可用手机直接拍照；拍摄时间取自照片信息，无则取上传时间。",
    )

    def __init__(self, *args, sources=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate()
        if sources:
            self.fields["source"].choices = [(v, label) for v, label in InspectionSource.choices if v in sources]


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label="审核结果",
        choices=[("approve", "通过"), ("reject", "退回")],
        error_messages={"required": "请选择审核结果：通过或退回。", "invalid_choice": "请选择审核结果：通过或退回。"},
    )
    reason = forms.CharField(
        label="退回原因", required=False, max_length=500, widget=forms.Textarea(attrs={**INPUT, "rows": 2})
    )


class FeeRateForm(forms.Form):
    estate_code = forms.CharField(
        label="小区编码",
        max_length=32,
        widget=forms.TextInput(attrs={**INPUT, "list": "estate-codes"}),
        error_messages={"required": "请填写小区编码。"},
    )
    year = forms.IntegerField(
        label="年度",
        widget=forms.NumberInput(attrs=INPUT),
        error_messages={"required": "请填写年度。", "invalid": "年度须为整数。"},
    )
    rate = forms.CharField(
        label="物业费收缴率(%)",
        widget=forms.TextInput(attrs={**INPUT, "inputmode": "decimal"}),
        error_messages={"required": "请填写收缴率。"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year - 1


class StartRunForm(forms.Form):
    year = forms.IntegerField(
        label="年度",
        widget=forms.NumberInput(attrs=INPUT),
        error_messages={"required": "请填写年度。", "invalid": "年度须为整数。"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year - 1


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="原因",
        max_length=1000,
        widget=forms.Textarea(attrs={**INPUT, "rows": 3}),
        error_messages={"required": "请填写原因。"},
    )


class AppealForm(forms.Form):
    reason = forms.CharField(
        label="申诉理由",
        max_length=2000,
        widget=forms.Textarea(attrs={**INPUT, "rows": 4}),
        error_messages={"required": "请填写申诉理由。"},
    )


class AppealDecisionForm(forms.Form):
    # Nothing chosen in advance: a decision on public money is a choice the officer makes, not a
    # default left standing.
    decision = forms.ChoiceField(
        label="处理结果",
        choices=[("", "请选择"), ("uphold", "支持申诉"), ("reject", "驳回申诉")],
        widget=forms.Select(attrs=SELECT),
        error_messages={"required": "请选择处理结果。", "invalid_choice": "请选择处理结果。"},
    )
    note = forms.CharField(
        label="处理意见",
        max_length=2000,
        widget=forms.Textarea(attrs={**INPUT, "rows": 3}),
        error_messages={"required": "请填写处理意见。"},
    )


class SchemeForm(forms.Form):
    name = forms.CharField(label="方案名称", max_length=100, widget=forms.TextInput(attrs=INPUT))
    source_document = forms.CharField(label="依据文件文号", max_length=100, widget=forms.TextInput(attrs=INPUT))
    valid_from_year = forms.IntegerField(label="适用起始年度", widget=forms.NumberInput(attrs=INPUT))
    valid_to_year = forms.IntegerField(
        label="适用截止年度", required=False, widget=forms.NumberInput(attrs=INPUT), help_text="留空表示长期有效。"
    )
    management_points = forms.DecimalField(
        label="管理水平分值", max_digits=5, decimal_places=2, widget=forms.NumberInput(attrs={**INPUT, "step": "0.01"})
    )
    dispute_points = forms.DecimalField(
        label="效能效果：矛盾纠纷调解分值",
        max_digits=5,
        decimal_places=2,
        widget=forms.NumberInput(attrs={**INPUT, "step": "0.01"}),
    )
    repair_points = forms.DecimalField(
        label="效能效果：应急维修及时分值",
        max_digits=5,
        decimal_places=2,
        widget=forms.NumberInput(attrs={**INPUT, "step": "0.01"}),
    )
    satisfaction_points = forms.DecimalField(
        label="效能效果：满意度分值",
        min_value=0,
        max_digits=5,
        decimal_places=2,
        widget=forms.NumberInput(attrs={**INPUT, "step": "0.01", "min": "0"}),
        help_text="按年度已评价案件的满意率（满意+基本满意）计分，没有评价的小区得满分；0 表示不计满意度。",
        error_messages={"min_value": "分值不能为负数。"},
    )
    appeal_window_days = forms.IntegerField(
        label="申诉期（自然日）", min_value=1, max_value=60, widget=forms.NumberInput(attrs=INPUT)
    )
    items = forms.CharField(
        label="检查项目",
        widget=forms.Textarea(attrs={**INPUT, "rows": 12, "class": "form-control font-monospace"}),
        help_text="每行：类别代码,项目代码,项目名称,满分（如 renovated,cleanliness,保洁,15）。",
    )
    bands = forms.CharField(
        label="评分分档",
        widget=forms.Textarea(attrs={**INPUT, "rows": 10, "class": "form-control font-monospace"}),
        help_text="每行：fee 或 size,下限,得分（如 fee,90,20 表示收缴率≥90%得20分）。",
    )
    grades = forms.CharField(
        label="等级划分",
        widget=forms.Textarea(attrs={**INPUT, "rows": 4, "class": "form-control font-monospace"}),
        help_text="每行：最低分,等级（如 90,三星）；须有一档从0分起。",
    )
    notes = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={**INPUT, "rows": 2}))
    third_party_rule = forms.ChoiceField(
        label="第三方评估计分规则", choices=ThirdPartyRule.choices, widget=forms.Select(attrs=SELECT)
    )
    deviation_threshold = forms.DecimalField(
        label="偏高阈值（分）",
        min_value=0,
        max_value=100,
        max_digits=5,
        decimal_places=2,
        widget=forms.NumberInput(attrs={**INPUT, "step": "0.01"}),
        help_text="偏差分析中，街道检查得分高于第三方超过该分值的小区计为偏高小区。",
    )
    deviation_alpha = forms.DecimalField(
        label="偏高检验显著性水平",
        min_value=Decimal("0.001"),
        max_value=Decimal("0.5"),
        max_digits=4,
        decimal_places=3,
        widget=forms.NumberInput(attrs={**INPUT, "step": "0.001"}),
        help_text="单侧配对t检验的p值低于该水平时判定街道偏高（通常为0.05）。",
    )


class NewVersionForm(forms.Form):
    valid_from_year = forms.IntegerField(label="新版本起始年度", widget=forms.NumberInput(attrs=INPUT))
    name = forms.CharField(label="方案名称", max_length=100, required=False, widget=forms.TextInput(attrs=INPUT))
    source_document = forms.CharField(
        label="依据文件文号", max_length=100, required=False, widget=forms.TextInput(attrs=INPUT)
    )


# --- 第三方评估 (clause 十) ---------------------------------------------------------------------
class EngagementForm(forms.Form):
    """The page's side of assessments.third_party.check_engagement (which validates)."""

    year = forms.CharField(
        label="评估年度", max_length=4, widget=forms.TextInput(attrs={**INPUT, "inputmode": "numeric"})
    )
    organisation = forms.CharField(label="评估机构", max_length=100, widget=forms.TextInput(attrs=INPUT))
    contract_no = forms.CharField(label="合同编号", max_length=50, required=False, widget=forms.TextInput(attrs=INPUT))
    districts = forms.MultipleChoiceField(
        label="评估范围（区）", widget=forms.SelectMultiple(attrs={**SELECT, "size": 6})
    )
    evaluators = forms.MultipleChoiceField(
        label="评估人员账户",
        widget=forms.SelectMultiple(attrs={**SELECT, "size": 4}),
        help_text="角色为“第三方评估机构”的用户；他们只能看到并检查抽中的小区。",
    )
    start_date = forms.DateField(
        validators=[plausible_date], label="评估期起", widget=forms.DateInput(attrs={**INPUT, "type": "date"})
    )
    end_date = forms.DateField(
        validators=[plausible_date], label="评估期止", widget=forms.DateInput(attrs={**INPUT, "type": "date"})
    )
    contract_amount = forms.CharField(
        label="合同金额（元）", max_length=20, widget=forms.TextInput(attrs={**INPUT, "inputmode": "decimal"})
    )
    sample_percent = forms.CharField(
        label="抽样比例(%)",
        max_length=8,
        required=False,
        widget=forms.TextInput(attrs={**INPUT, "inputmode": "decimal"}),
        help_text="按街道、分类别抽取该比例的小区（每个街道至少1个，向上取整）；留空则在下方逐个列出小区。",
    )
    seed = forms.CharField(
        label="抽样种子",
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={**INPUT, "inputmode": "numeric"}),
        help_text="留空由系统随机生成并保存；同一种子对同一名册总是抽出相同的小区。",
    )
    estate_codes = forms.CharField(
        label="指定小区编码",
        required=False,
        widget=forms.Textarea(attrs={**INPUT, "rows": 3, "class": "form-control font-monospace"}),
        help_text="不抽样时填写，每行一个小区编码。",
    )

    def __init__(self, *args, districts=(), evaluators=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["districts"].choices = [(d.pk, d.name) for d in districts]
        self.fields["evaluators"].choices = [(u.pk, f"{u.display_name}（{u.username}）") for u in evaluators]


class EngagementCancelForm(forms.Form):
    reason = forms.CharField(label="撤销原因", max_length=200, widget=forms.TextInput(attrs=INPUT))


class DeviationReviewForm(forms.Form):
    conclusion = forms.ChoiceField(
        label="复核结论",
        choices=[("", "请选择")] + list(DeviationConclusion.choices),
        widget=forms.Select(attrs=SELECT),
        error_messages={"required": "请选择复核结论。"},
    )
    note = forms.CharField(
        label="复核意见",
        max_length=2000,
        widget=forms.Textarea(attrs={**INPUT, "rows": 2}),
        error_messages={"required": "请填写复核意见。"},
    )


# --- 细化分解 (clause 十): assessments/refinements.py validates ---------------------------------
class RefinementNewForm(forms.Form):
    scheme = forms.ChoiceField(label="市考核方案版本", widget=forms.Select(attrs=SELECT))
    valid_from_year = forms.IntegerField(
        label="生效年度",
        min_value=2000,
        max_value=2100,
        widget=forms.NumberInput(attrs={**INPUT, "inputmode": "numeric"}),
        error_messages={
            "required": "请填写生效年度。",
            "invalid": "生效年度须为整数。",
            "min_value": "生效年度不能早于2000年。",
            "max_value": "生效年度不能晚于2100年。",
        },
    )
    note = forms.CharField(label="说明", max_length=200, required=False, widget=forms.TextInput(attrs=INPUT))

    def __init__(self, *args, schemes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scheme"].choices = [(s.pk, f"{s}（{s.validity_label}）") for s in schemes]


SUB_ITEM_HELP = "每行一个子项：名称，分值，说明（说明可省略），如“楼道，6，楼道及公共部位保洁”；分值之和须等于该项目满分；不细化请留空。"


def parse_sub_items(text: str) -> list:
    """Lines “名称，分值，说明” → [(name, Decimal points, description)]; ValidationError in Chinese."""
    rows = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        parts = [part.strip() for part in line.replace("，", ",").split(",", 2)]
        if len(parts) < 2:
            raise forms.ValidationError(f"第{number}行须为“名称，分值，说明”（用逗号分隔）。")
        try:
            points = Decimal(parts[1])
        except ArithmeticError:
            raise forms.ValidationError(f"第{number}行的分值“{parts[1]}”不是有效的数字。") from None
        if not points.is_finite():
            raise forms.ValidationError(f"第{number}行的分值“{parts[1]}”不是有效的数字。")
        rows.append((parts[0], points, parts[2] if len(parts) > 2 else ""))
    return rows


class RefinementForm(forms.Form):
    """A draft's effective year, note and one box of sub-items per city checklist item (per
    category), named like refinements.field_key."""

    valid_from_year = RefinementNewForm.base_fields["valid_from_year"]
    note = RefinementNewForm.base_fields["note"]

    def __init__(self, *args, items=(), **kwargs):
        from .refinements import CATEGORY_LABELS, field_key

        super().__init__(*args, **kwargs)
        self.item_keys = {}
        for item in items:
            key = field_key(item.category, item.code)
            self.item_keys[key] = (item.category, item.code)
            self.fields[key] = forms.CharField(
                label=f"{CATEGORY_LABELS[item.category]}·{item.name}（满分{item.max_points.normalize():f}分）",
                required=False,
                help_text=SUB_ITEM_HELP,
                widget=forms.Textarea(attrs={**INPUT, "rows": 3}),
            )

    def clean(self):
        data = super().clean()
        rows = {}
        for key, item in self.item_keys.items():
            try:
                rows[item] = parse_sub_items(data.get(key, ""))
            except forms.ValidationError as exc:
                self.add_error(key, exc)
        data["rows"] = rows
        return data


def sub_items_text(subs) -> str:
    """The sub-items of one item as the box shows them."""
    return "\n".join(
        f"{s.name}，{s.max_points.normalize():f}" + (f"，{s.description}" if s.description else "") for s in subs
    )
