"""Forms of 组织与人员: they only carry the fields; the rules are in services.py."""

from __future__ import annotations

from django import forms

from core.forms import CarrierFormMixin

from .choices import Post, TargetIndicator, TaskStatus

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class StaffForm(CarrierFormMixin, forms.Form):
    name = forms.CharField(label="姓名", max_length=50)
    post = forms.ChoiceField(label="岗位", choices=Post.choices)
    full_time = forms.BooleanField(label="专职", required=False, initial=True)
    since = forms.CharField(label="到岗日期", widget=DATE)
    until = forms.CharField(label="离岗日期", required=False, widget=DATE, help_text="在岗的留空。")
    phone = forms.CharField(label="联系电话", max_length=20, required=False)

    def __init__(self, *args, posts=None, **kwargs):
        super().__init__(*args, **kwargs)
        if posts:
            self.fields["post"].choices = [c for c in Post.choices if c[0] in posts]


class MeetingForm(CarrierFormMixin, forms.Form):
    TEXT_KINDS = {"attendees": "list", "topics": "minutes", "resolutions": "minutes"}
    title = forms.CharField(label="会议名称", max_length=100)
    date = forms.CharField(label="会议日期", widget=DATE)
    chair = forms.CharField(label="主持人", max_length=50, help_text="市级联席会议由分管副市长主持。")
    attendees = forms.CharField(
        label="参会部门和单位", widget=forms.Textarea(attrs={"rows": 4}), help_text="每行一个部门或区政府。"
    )
    topics = forms.CharField(label="议题", widget=forms.Textarea(attrs={"rows": 3}))
    resolutions = forms.CharField(label="议定事项", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class TaskForm(CarrierFormMixin, forms.Form):
    description = forms.CharField(label="督办事项", max_length=300)
    owner = forms.CharField(label="责任单位或部门", max_length=100, required=False)
    due_date = forms.CharField(label="办结期限", required=False, widget=DATE)


class TaskStatusForm(CarrierFormMixin, forms.Form):
    TEXT_KINDS = {"feedback": "description"}
    status = forms.ChoiceField(label="状态", choices=TaskStatus.choices)
    done_on = forms.CharField(label="办结日期", required=False, widget=DATE)
    feedback = forms.CharField(label="办理情况", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class TargetForm(CarrierFormMixin, forms.Form):
    district = forms.ChoiceField(label="区")
    year = forms.CharField(label="年度", max_length=4)
    indicator = forms.ChoiceField(label="指标", choices=TargetIndicator.choices)
    target = forms.CharField(label="目标值(%)", max_length=8)
    note = forms.CharField(label="说明", max_length=200, required=False)

    def __init__(self, *args, districts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].choices = [("", "请选择")] + [(d.pk, d.name) for d in districts]
