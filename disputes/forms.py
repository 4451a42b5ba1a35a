"""Forms of the pages. They parse what people type; the rules live once in disputes.validation
and the services, whose ValidationError messages the views put back on the form fields."""

from __future__ import annotations

from django import forms
from django.db.models import F
from django.utils import timezone

from communities.models import Estate, OwnersOrganisation, PropertyCommittee, ServiceFirm
from core.forms import OnePassFormMixin
from core.validation import happened, plausible_date

from .choices import (
    CLERK_CHANNELS,
    Channel,
    DisputeCategory,
    FilingKind,
    FilingStatus,
    InvalidReason,
    RepairCategory,
    RepairTeamKind,
    Satisfaction,
    StationKind,
    Urgency,
)
from .models import Department, RepairTeam

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"]
# Above this many writable estates the estate is typed by its code instead of picked.
ESTATE_SELECT_LIMIT = 300


def _c(widget, **attrs):
    css = (
        "form-select"
        if isinstance(widget, forms.Select) and not isinstance(widget, forms.RadioSelect)
        else "form-control"
    )
    widget.attrs.setdefault("class", css)
    widget.attrs.update(attrs)
    return widget


def dt_widget():
    return _c(forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))


def date_widget():
    return _c(forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


def now_local():
    return timezone.localtime().replace(second=0, microsecond=0)


class EstateChoice:
    """The estate field: a select of the writable estates for a street or a community, a code
    box for city-wide writers (hundreds of thousands of estates do not fit in a select)."""

    @staticmethod
    def field(user, initial=None) -> forms.Field:
        estates = Estate.objects.writable_by(user).order_by("street__code", "code")
        if estates[: ESTATE_SELECT_LIMIT + 1].count() <= ESTATE_SELECT_LIMIT:
            field = forms.ModelChoiceField(
                label="小区",
                queryset=estates,
                empty_label="请选择小区",
                error_messages={"required": "请选择小区。", "invalid_choice": "小区不存在或不在您的辖区内。"},
                widget=_c(forms.Select(), **{"class": "form-select form-select-lg"}),
            )
            field.label_from_instance = lambda e: f"{e.name}（{e.code}）"
            return field
        return forms.CharField(
            label="小区编码",
            max_length=32,
            widget=_c(forms.TextInput(), autocomplete="off"),
            error_messages={"required": "请填写小区编码。"},
        )

    @staticmethod
    def resolve(user, value):
        if isinstance(value, Estate):
            return value
        return Estate.objects.writable_by(user).filter(code=(value or "").strip()).first()


class BigRadio(forms.RadioSelect):
    """Radio buttons drawn as large touch targets (Bootstrap btn-check)."""

    template_name = "disputes/widgets/big_radio.html"
    option_template_name = "disputes/widgets/big_radio_option.html"


# --- the fields every kind's receiving form asks alike ------------------------------------------
def category_field(choices) -> forms.ChoiceField:
    """类别: big buttons of the kind's categories."""
    return forms.ChoiceField(
        label="类别",
        choices=choices,
        widget=BigRadio,
        error_messages={"required": "请选择类别。", "invalid_choice": "类别不存在。"},
    )


def name_field(label: str) -> forms.CharField:
    """The resident's name (当事人, 报修人): personal, never autocompleted."""
    return forms.CharField(label=label, max_length=50, required=False, widget=_c(forms.TextInput(), autocomplete="off"))


def phone_field(label: str) -> forms.CharField:
    """The resident's phone (联系电话, 报修电话): the phone keypad, never autocompleted."""
    return forms.CharField(
        label=label, max_length=20, required=False, widget=_c(forms.TextInput(), inputmode="tel", autocomplete="off")
    )


class DisputeForm(OnePassFormMixin, forms.Form):
    TEXT_KINDS = {"description": "description"}
    service_code = category_field(DisputeCategory.choices)
    # No choice made in advance: the hint says an unanswered 受理方式 is recorded as 其他 (the
    # view's `or "other"`), so no button may look chosen before the clerk chooses. 居民自报 is
    # not a clerk's channel (only the public form sets it).
    channel = forms.ChoiceField(
        label="受理方式", choices=CLERK_CHANNELS, widget=BigRadio, required=False, help_text="不选即为“其他”"
    )
    party_name = name_field("当事人")
    party_phone = phone_field("联系电话")
    respondent = forms.CharField(
        label="被反映方",
        max_length=100,
        required=False,
        widget=_c(forms.TextInput()),
        help_text="如物业服务企业、相邻住户等",
    )
    description = forms.CharField(label="情况描述", required=False, widget=_c(forms.Textarea(attrs={"rows": 3})))
    requested_datetime = forms.DateTimeField(
        validators=[happened],
        label="受理时间",
        input_formats=DATETIME_FORMATS,
        widget=dt_widget(),
        error_messages={"required": "请填写受理时间。", "invalid": "受理时间格式不正确。"},
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields = {"estate": EstateChoice.field(user), **self.fields}
        self.fields["requested_datetime"].initial = now_local()


class RepairForm(OnePassFormMixin, forms.Form):
    """The quick form: estate, category and urgency are all that is required."""

    service_code = category_field(RepairCategory.choices)
    urgency = forms.ChoiceField(
        label="紧急程度",
        choices=Urgency.choices,
        initial=Urgency.NORMAL,
        widget=BigRadio,
        help_text="默认“一般”；紧急的请改选“紧急”。",
        error_messages={"required": "请选择紧急程度。", "invalid_choice": "紧急程度应为“紧急”或“一般”。"},
    )
    building = forms.CharField(
        label="楼栋", max_length=20, required=False, widget=_c(forms.TextInput(), inputmode="numeric")
    )
    unit = forms.CharField(label="单元/室", max_length=20, required=False, widget=_c(forms.TextInput()))
    reporter_phone = phone_field("报修电话")
    description = forms.CharField(
        label="情况说明", max_length=500, required=False, widget=_c(forms.Textarea(attrs={"rows": 2}))
    )
    reporter_name = name_field("报修人")
    channel = forms.ChoiceField(
        label="受理方式",
        choices=CLERK_CHANNELS,
        initial=Channel.PHONE,
        required=False,
        widget=_c(forms.Select()),
        help_text="默认：电话",
    )
    requested_datetime = forms.DateTimeField(
        validators=[happened],
        label="报修时间",
        input_formats=DATETIME_FORMATS,
        widget=dt_widget(),
        required=False,
        help_text="留空即为现在。",
        error_messages={"invalid": "报修时间格式不正确。"},
    )

    def __init__(self, *args, user=None, initial_estate=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        estate = EstateChoice.field(user)
        if initial_estate is not None:
            estate.initial = initial_estate.pk if isinstance(estate, forms.ModelChoiceField) else initial_estate.code
        self.fields = {"estate": estate, **self.fields}


def public_note_field(help_text: str) -> forms.CharField:
    """对居民公开的说明 of a step or a note: the resident reads it on the tracking page."""
    return forms.CharField(
        label="对居民公开的说明",
        required=False,
        max_length=500,
        widget=_c(forms.Textarea(attrs={"rows": 2})),
        help_text=help_text,
    )


class StepForm(OnePassFormMixin, forms.Form):
    """A workflow step: when (default now) and a note."""

    TEXT_KINDS = {"note": "note"}

    at = forms.DateTimeField(
        validators=[happened],
        label="时间",
        input_formats=DATETIME_FORMATS,
        widget=dt_widget(),
        required=False,
        help_text="留空即为现在。",
        error_messages={"invalid": "时间格式不正确。"},
    )
    note = forms.CharField(label="说明", required=False, widget=_c(forms.Textarea(attrs={"rows": 2})))
    public_note = public_note_field("报告人在查询页看到这段话；上面的“说明”只在内部可见。")


class ReferForm(StepForm):
    TEXT_KINDS = {"note": "note", "problem": "description"}

    due_on = forms.DateField(
        validators=[plausible_date],
        label="办理期限",
        widget=date_widget(),
        error_messages={"required": "请填写办理期限。", "invalid": "日期格式不正确。"},
    )
    problem = forms.CharField(
        label="移交事项",
        required=False,
        widget=_c(forms.Textarea(attrs={"rows": 2})),
        help_text="留空则使用纠纷的情况描述。",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {"department": department_field(), **self.fields}


def department_field() -> forms.ModelChoiceField:
    """Every department may be picked (a referral may be dated before the 2019 renames); one
    not in force on the referral's date is refused naming its successor
    (validation.referral_errors). Departments no longer in force say so in the list."""
    field = forms.ModelChoiceField(
        label="执法部门",
        queryset=Department.objects.order_by(F("valid_to").desc(nulls_first=True), "sort_order"),
        empty_label="请选择部门",
        widget=_c(forms.Select()),
        error_messages={"required": "请选择执法部门。", "invalid_choice": "执法部门不存在。"},
    )
    field.label_from_instance = (
        lambda d: d.name if d.valid_to is None else f"{d.name}（{d.valid_to:%Y年%-m月%-d日}后停用）"
    )
    return field


class NoteForm(OnePassFormMixin, forms.Form):
    TEXT_KINDS = {"note": "note", "public_note": "note"}
    note = forms.CharField(label="进展情况", required=False, widget=_c(forms.Textarea(attrs={"rows": 2})))
    public_note = public_note_field("报告人在查询页看到这段话。")

    def clean(self):
        data = super().clean()
        if not (data.get("note") or "").strip() and not (data.get("public_note") or "").strip():
            self.add_error("note", "请填写进展情况。")
        return data


class InvalidForm(OnePassFormMixin, forms.Form):
    """标记无效: the reason (the resident sees it), the case it duplicates, a note."""

    reason = forms.ChoiceField(
        label="无效原因",
        choices=InvalidReason.choices,
        widget=_c(forms.Select()),
        error_messages={"required": "请选择无效原因。", "invalid_choice": "请选择无效原因。"},
    )
    duplicate_number = forms.CharField(
        label="重复于（案件编号）",
        required=False,
        max_length=20,
        widget=_c(forms.TextInput()),
        help_text="重复报告时填写，如 WX000123。",
    )
    note = forms.CharField(label="说明（报告人可见）", required=False, max_length=200, widget=_c(forms.TextInput()))


class CallbackForm(forms.Form):
    """回访: what the resident said on the phone; optionally a satisfaction, optionally reopen."""

    note = forms.CharField(
        label="回访记录",
        max_length=200,
        widget=_c(forms.Textarea(attrs={"rows": 2})),
        error_messages={"required": "请填写回访记录。", "max_length": "回访记录不能超过200字。"},
    )
    satisfaction = forms.ChoiceField(
        label="回访满意度",
        choices=[("", "不登记")] + Satisfaction.choices,
        required=False,
        widget=_c(forms.Select()),
        error_messages={"invalid_choice": "请选择满意度。"},
    )
    reopen = forms.BooleanField(
        label="重新办理（报修时间不变）",
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )


class SatisfactionForm(OnePassFormMixin, forms.Form):
    satisfaction = forms.ChoiceField(
        label="满意度",
        choices=Satisfaction.choices,
        widget=BigRadio,
        error_messages={"required": "请选择满意度。", "invalid_choice": "请选择满意度。"},
    )
    note = forms.CharField(label="回访意见", max_length=200, required=False, widget=_c(forms.TextInput()))


class AttachmentForm(OnePassFormMixin, forms.Form):
    file = forms.FileField(
        label="附件",
        widget=_c(forms.ClearableFileInput()),
        error_messages={"required": "请选择文件。", "empty": "文件是空的。"},
        help_text="PDF、图片、Word、Excel 或文本文件，单个不超过10MB。",
    )


class DispatchForm(StepForm):
    team = forms.ModelChoiceField(
        label="维修队伍",
        queryset=RepairTeam.objects.none(),
        empty_label="请选择队伍",
        widget=_c(forms.Select(), **{"class": "form-select form-select-lg"}),
        error_messages={"required": "请选择维修队伍。", "invalid_choice": "请选择本街道在用的维修队伍。"},
    )

    def __init__(self, *args, street_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = RepairTeam.objects.filter(street_id=street_id, is_active=True)


class CompleteForm(StepForm):
    cost = forms.CharField(
        label="维修费用（元）",
        required=False,
        max_length=20,
        widget=_c(forms.TextInput(), inputmode="decimal"),
        help_text="无费用可留空。",
    )


class ReferralForm(OnePassFormMixin, forms.Form):
    TEXT_KINDS = {"problem": "description"}
    problem = forms.CharField(
        label="移交事项", widget=_c(forms.Textarea(attrs={"rows": 3})), error_messages={"required": "请填写移交事项。"}
    )
    referred_on = forms.DateField(
        validators=[happened],
        label="移交日期",
        widget=date_widget(),
        error_messages={"required": "请填写移交日期。", "invalid": "日期格式不正确。"},
    )
    due_on = forms.DateField(
        validators=[plausible_date],
        label="办理期限",
        widget=date_widget(),
        error_messages={"required": "请填写办理期限。", "invalid": "日期格式不正确。"},
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {"estate": EstateChoice.field(user), "department": department_field(), **self.fields}
        self.fields["referred_on"].initial = timezone.localdate()


class AcceptForm(OnePassFormMixin, forms.Form):
    accepted_on = forms.DateField(
        validators=[happened],
        label="部门受理日期",
        widget=date_widget(),
        error_messages={"required": "请填写受理日期。", "invalid": "日期格式不正确。"},
    )


class AnswerForm(OnePassFormMixin, forms.Form):
    TEXT_KINDS = {"feedback": "description"}
    answered_on = forms.DateField(
        validators=[happened],
        label="反馈日期",
        widget=date_widget(),
        error_messages={"required": "请填写反馈日期。", "invalid": "日期格式不正确。"},
    )
    feedback = forms.CharField(
        label="部门反馈",
        widget=_c(forms.Textarea(attrs={"rows": 3})),
        error_messages={"required": "请填写部门反馈的办理情况。"},
    )
    returned = forms.BooleanField(
        label="部门退回（不予受理）", required=False, widget=forms.CheckboxInput(attrs={"class": "form-check-input"})
    )


class FilingForm(OnePassFormMixin, forms.Form):
    kind = forms.ChoiceField(
        label="备案类型",
        choices=FilingKind.choices,
        widget=_c(forms.Select()),
        error_messages={"required": "请选择备案类型。", "invalid_choice": "备案类型不存在。"},
    )
    summary = forms.CharField(
        label="备案事项", max_length=200, widget=_c(forms.TextInput()), error_messages={"required": "请填写备案事项。"}
    )
    applicant = forms.CharField(
        label="报送单位", max_length=100, widget=_c(forms.TextInput()), error_messages={"required": "请填写报送单位。"}
    )
    submitted_on = forms.DateField(
        validators=[happened],
        label="报送日期",
        widget=date_widget(),
        error_messages={"required": "请填写报送日期。", "invalid": "日期格式不正确。"},
    )
    committee = forms.ModelChoiceField(
        label="物管会",
        queryset=PropertyCommittee.objects.none(),
        required=False,
        widget=_c(forms.Select()),
        help_text="物管会成立或变更备案时选择。",
    )
    owners_organisation = forms.ModelChoiceField(
        label="业主组织", queryset=OwnersOrganisation.objects.none(), required=False, widget=_c(forms.Select())
    )
    firm = forms.ModelChoiceField(
        label="物业服务企业",
        queryset=ServiceFirm.objects.all(),
        required=False,
        widget=_c(forms.Select()),
        help_text="物业服务合同备案时选择。",
    )
    contract_start = forms.DateField(
        validators=[plausible_date], label="合同起始日期", required=False, widget=date_widget()
    )
    contract_end = forms.DateField(
        validators=[plausible_date], label="合同终止日期", required=False, widget=date_widget()
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {"estate": EstateChoice.field(user), **self.fields}
        self.fields["committee"].queryset = PropertyCommittee.objects.writable_by(user).select_related("estate")
        self.fields["owners_organisation"].queryset = OwnersOrganisation.objects.writable_by(user).select_related(
            "estate"
        )
        self.fields["submitted_on"].initial = timezone.localdate()


class DecideForm(OnePassFormMixin, forms.Form):
    TEXT_KINDS = {"note": "note"}
    # An empty first option: 需补正 must not stand chosen before the reviewer decides.
    status = forms.ChoiceField(
        label="审查结果",
        choices=[("", "请选择审查结果")]
        + [c for c in FilingStatus.choices if c[0] != "submitted"]
        + [("submitted", "已补正，重新审查")],
        widget=_c(forms.Select()),
        error_messages={"required": "请选择审查结果。"},
    )
    decided_on = forms.DateField(
        validators=[happened],
        label="办结日期",
        required=False,
        widget=date_widget(),
        help_text="已备案或不予备案时填写。",
    )
    note = forms.CharField(label="审查意见", required=False, widget=_c(forms.Textarea(attrs={"rows": 2})))


class StationForm(OnePassFormMixin, forms.Form):
    TEXT_KINDS = {"staff_on_duty": "list", "note": "note"}
    name = forms.CharField(label="名称", max_length=100, widget=_c(forms.TextInput()))
    address = forms.CharField(label="地址", max_length=200, widget=_c(forms.TextInput()))
    phone = forms.CharField(label="电话", max_length=30, widget=_c(forms.TextInput(), inputmode="tel"))
    hours = forms.CharField(
        label="办公时间",
        max_length=100,
        widget=_c(forms.TextInput()),
        help_text="如：周一至周五 8:30-17:30，节假日值班",
    )
    staff_on_duty = forms.CharField(
        label="值班人员",
        required=False,
        widget=_c(forms.Textarea(attrs={"rows": 3})),
        help_text="每行一人，如：张三 调解员",
    )
    note = forms.CharField(label="备注", required=False, widget=_c(forms.Textarea(attrs={"rows": 2})))

    def __init__(self, *args, kind=None, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.error_messages["required"] = f"请填写{field.label}。"
        self.kind_label = StationKind(kind).label if kind else ""


class TeamForm(OnePassFormMixin, forms.Form):
    name = forms.CharField(
        label="队伍名称", max_length=100, widget=_c(forms.TextInput()), error_messages={"required": "请填写队伍名称。"}
    )
    kind = forms.ChoiceField(label="队伍类型", choices=RepairTeamKind.choices, widget=_c(forms.Select()))
    firm = forms.ModelChoiceField(
        label="所属企业",
        queryset=ServiceFirm.objects.all(),
        required=False,
        widget=_c(forms.Select()),
        help_text="委托公益性物业服务企业或签约单位时选择。",
    )
    leader = forms.CharField(label="负责人", max_length=50, required=False, widget=_c(forms.TextInput()))
    phone = forms.CharField(
        label="值班电话",
        max_length=30,
        widget=_c(forms.TextInput(), inputmode="tel"),
        error_messages={"required": "请填写值班电话。"},
    )
    members = forms.IntegerField(
        label="人数", required=False, min_value=0, max_value=999, widget=_c(forms.NumberInput())
    )
    is_active = forms.BooleanField(
        label="在用", required=False, initial=True, widget=forms.CheckboxInput(attrs={"class": "form-check-input"})
    )
