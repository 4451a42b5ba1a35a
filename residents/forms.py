"""The public report form (居民报修 / 矛盾纠纷求助) and the rating form."""

from __future__ import annotations

import re

from django import forms

from disputes.choices import DisputeCategory, RepairCategory, Satisfaction, Urgency

MOBILE = re.compile(r"^1\d{10}$")
KINDS = [("repair", "报修"), ("dispute", "矛盾纠纷求助")]
RADIO = forms.RadioSelect(attrs={"class": "btn-check"})
TEXT = {"class": "form-control form-control-lg"}


class ReportForm(forms.Form):
    kind = forms.ChoiceField(
        label="您要",
        choices=KINDS,
        initial="repair",
        widget=RADIO,
        error_messages={"required": "请选择报修或矛盾纠纷求助。", "invalid_choice": "请选择报修或矛盾纠纷求助。"},
    )
    repair_category = forms.ChoiceField(
        label="报修类别",
        choices=RepairCategory.choices,
        required=False,
        widget=RADIO,
        error_messages={"invalid_choice": "所选类别不是报修类别，请重新选择。"},
    )
    urgency = forms.ChoiceField(
        label="紧急程度",
        choices=Urgency.choices,
        initial=Urgency.NORMAL,
        required=False,
        widget=RADIO,
        error_messages={"invalid_choice": "请选择紧急或一般。"},
    )
    dispute_category = forms.ChoiceField(
        label="纠纷类别",
        choices=DisputeCategory.choices,
        required=False,
        widget=RADIO,
        error_messages={"invalid_choice": "所选类别不是矛盾纠纷类别，请重新选择。"},
    )
    description = forms.CharField(
        label="情况描述",
        max_length=500,
        widget=forms.Textarea(attrs={**TEXT, "rows": 3}),
        error_messages={"required": "请简要描述情况。", "max_length": "情况描述不能超过500字。"},
    )
    building = forms.CharField(
        label="楼栋",
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs=TEXT),
        error_messages={"max_length": "楼栋不能超过20字。"},
    )
    unit = forms.CharField(
        label="单元",
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs=TEXT),
        error_messages={"max_length": "单元不能超过20字。"},
    )
    room = forms.CharField(
        label="室",
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs=TEXT),
        error_messages={"max_length": "室号不能超过20字。"},
    )
    name = forms.CharField(
        label="联系人（可不填）",
        max_length=50,
        required=False,
        widget=forms.TextInput(attrs=TEXT),
        error_messages={"max_length": "联系人不能超过50字。"},
    )
    phone = forms.CharField(
        label="手机号码",
        max_length=20,
        widget=forms.TextInput(attrs={**TEXT, "inputmode": "numeric", "autocomplete": "tel"}),
        error_messages={"required": "请填写11位手机号码。", "max_length": "请填写11位手机号码。"},
    )
    captcha = forms.CharField(
        label="验证码", max_length=10, required=False, widget=forms.TextInput(attrs={**TEXT, "autocomplete": "off"})
    )

    def __init__(self, *args, need_captcha=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.need_captcha = need_captcha
        if not need_captcha:
            del self.fields["captcha"]

    def clean_phone(self):
        phone = re.sub(r"[\s-]", "", self.cleaned_data["phone"])
        if not MOBILE.fullmatch(phone):
            raise forms.ValidationError("请填写11位手机号码。")
        return phone

    def clean_description(self):
        text = self.cleaned_data["description"].strip()
        if not text:
            raise forms.ValidationError("请简要描述情况。")
        return text

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind == "repair":
            if not data.get("repair_category") and "repair_category" not in self.errors:
                self.add_error("repair_category", "请选择报修类别。")
            if not data.get("urgency") and "urgency" not in self.errors:
                data["urgency"] = Urgency.NORMAL
            data["service_code"] = data.get("repair_category")
        elif kind == "dispute":
            if not data.get("dispute_category") and "dispute_category" not in self.errors:
                self.add_error("dispute_category", "请选择纠纷类别。")
            data["service_code"], data["urgency"] = data.get("dispute_category"), ""
        return data


class RatingForm(forms.Form):
    satisfaction = forms.ChoiceField(
        label="您对处理结果",
        choices=Satisfaction.choices,
        widget=RADIO,
        error_messages={
            "required": "请选择满意、基本满意或不满意。",
            "invalid_choice": "请选择满意、基本满意或不满意。",
        },
    )
    comment = forms.CharField(
        label="意见（可不填）",
        max_length=200,
        required=False,
        widget=forms.Textarea(attrs={**TEXT, "rows": 2}),
        error_messages={"max_length": "意见不能超过200字。"},
    )
