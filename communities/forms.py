"""Forms of the registry's pages. They only parse what was typed (a number is a number, a choice
is a choice, with the messages of services.Msg); the rules themselves live in
communities/services/, whose ValidationError the views put back on the form
(`add_service_errors`), so a page and the API say exactly the same thing."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.forms import OnePassFormMixin, apply_errors
from core.validation import happened, plausible_date

from .choices import CommitteeMemberRole, EstateCategory, FirmFounding, ManagementMode, OwnersOrganisationKind
from .models import Community, District, Estate, ServiceFirm, Street
from .services import Msg

ERR = {"required": Msg.REQUIRED, "invalid_choice": Msg.INVALID_CHOICE}
NUM_ERR = {"required": Msg.REQUIRED, "invalid": Msg.INVALID_NUMBER}
INT_ERR = {"required": Msg.REQUIRED, "invalid": Msg.INVALID_INTEGER}
DATE_ERR = {"required": Msg.REQUIRED, "invalid": Msg.INVALID_DATE}


def _text(label, required=False, max_length=None, **kwargs):
    attrs = {"maxlength": max_length} if max_length else {}
    return forms.CharField(
        label=label,
        required=required,
        error_messages=ERR,
        widget=kwargs.pop("widget", forms.TextInput(attrs=attrs)),
        **kwargs,
    )


def _int(label, required=False, **attrs):
    return forms.IntegerField(
        label=label, required=required, error_messages=INT_ERR, widget=forms.NumberInput(attrs={"step": 1, **attrs})
    )


def _date(label, required=False, fact=False):
    """fact: a date that records something that happened (core.validation.happened); else one
    that may lie ahead (plausible_date)."""
    return forms.DateField(
        label=label,
        required=required,
        error_messages=DATE_ERR,
        validators=[happened if fact else plausible_date],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class ServiceErrorsMixin(OnePassFormMixin):
    """Bootstrap classes on every widget, and services' errors put back on the fields
    (core.forms: every error in one round)."""

    def style(self):
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            elif not isinstance(widget, forms.HiddenInput):
                widget.attrs.setdefault("class", "form-control")

    def add_service_errors(self, exc: ValidationError):
        apply_errors(self, exc)


def _render_only(field: forms.ModelChoiceField, queryset):
    """Render `field` with the options of `queryset` while it still validates against its own
    (wider) queryset: a dependent select shows the communities of the chosen street, and a
    community of another street gets the specific message from services, not 'invalid choice'."""
    shadow = forms.ModelChoiceField(queryset=queryset, empty_label=field.empty_label, to_field_name=field.to_field_name)
    field.widget.choices = shadow.choices


class EstateForm(ServiceErrorsMixin, forms.Form):
    code = _text("小区编码", required=True, max_length=32, help_text="全市唯一，导入时按编码更新。")
    name = _text("小区名称", required=True, max_length=100)
    district = forms.ModelChoiceField(
        label="区",
        queryset=District.objects.none(),
        to_field_name="code",
        empty_label="请选择区",
        error_messages={**ERR, "invalid_choice": Msg.DISTRICT_INVALID},
    )
    street = forms.ModelChoiceField(
        label="街道",
        queryset=Street.objects.none(),
        to_field_name="code",
        empty_label="请选择街道",
        error_messages={**ERR, "invalid_choice": Msg.STREET_INVALID},
    )
    community = forms.ModelChoiceField(
        label="社区",
        queryset=Community.objects.none(),
        empty_label="请选择社区",
        error_messages={**ERR, "invalid_choice": Msg.COMMUNITY_INVALID},
    )
    address = _text("地址", max_length=200)
    grid_code = _text("网格编码", max_length=40)
    year_built = _int("建成年份", min=1949)
    building_area = forms.DecimalField(
        label="建筑面积(㎡)", error_messages=NUM_ERR, widget=forms.NumberInput(attrs={"step": "0.01", "min": "0.01"})
    )
    households = _int("户数", min=0)
    buildings = _int("楼栋数", min=0)
    category = forms.ChoiceField(
        label="类别",
        choices=[("", "请选择类别"), *EstateCategory.choices],
        error_messages={**ERR, "invalid_choice": Msg.CATEGORY},
    )
    renovation_year = _int("整治完成年份", min=1949)
    management_mode = forms.ChoiceField(
        label="管理模式",
        choices=ManagementMode.choices,
        required=False,
        initial=ManagementMode.NONE,
        error_messages={**ERR, "invalid_choice": Msg.MODE},
    )
    service_firm = forms.ModelChoiceField(
        label="物业服务企业",
        queryset=ServiceFirm.objects.all(),
        required=False,
        empty_label="（无）",
        error_messages={**ERR, "invalid_choice": Msg.FIRM_MISSING},
    )
    latitude = forms.DecimalField(
        label="纬度", required=False, error_messages=NUM_ERR, widget=forms.NumberInput(attrs={"step": "0.000001"})
    )
    longitude = forms.DecimalField(
        label="经度", required=False, error_messages=NUM_ERR, widget=forms.NumberInput(attrs={"step": "0.000001"})
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    UNIT_FIELDS = ("district", "street", "community")

    def __init__(self, *args, user, instance: Estate | None = None, **kwargs):
        self.user, self.instance = user, instance
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = estate_initial(instance)
        super().__init__(*args, **kwargs)
        self.fields["renovation_year"].help_text = "已整治老旧小区必填，其他类别留空。"
        self.fields["building_area"].help_text = "大于0，最多两位小数。"
        districts = District.objects.writable_by(user)
        streets = Street.objects.writable_by(user)
        communities = Community.objects.writable_by(user)
        self.fields["district"].queryset = districts
        self.fields["street"].queryset = streets
        self.fields["community"].queryset = communities
        # Dependent selects: show the streets of the chosen district, the communities of the
        # chosen street (htmx replaces them when the choice changes).
        district_code = self._current("district")
        street_code = self._current("street")
        _render_only(
            self.fields["street"], streets.filter(district__code=district_code) if district_code else streets.none()
        )
        _render_only(
            self.fields["community"],
            communities.filter(street__code=street_code) if street_code else communities.none(),
        )
        self.fields["district"].widget.attrs.update(
            {
                "hx-get": reverse("communities:street_options"),
                "hx-target": "#id_street",
                "hx-trigger": "change",
                "hx-vals": '{"mode": "form"}',
            }
        )
        self.fields["street"].widget.attrs.update(
            {
                "hx-get": reverse("communities:community_options"),
                "hx-target": "#id_community",
                "hx-trigger": "change",
                "hx-vals": '{"mode": "form"}',
            }
        )
        self.style()

    def _current(self, name):
        if self.is_bound:
            return self.data.get(self.add_prefix(name)) or None
        value = self.initial.get(name)
        return getattr(value, "code", value) or None

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        return data

    # Fields services.estate_value_errors parses from text itself: a refused one is passed raw,
    # so its range and cross-field rules still run in the same round.
    RAW_FOR_RULES = (
        "code",
        "name",
        "address",
        "grid_code",
        "year_built",
        "building_area",
        "households",
        "buildings",
        "category",
        "renovation_year",
        "management_mode",
        "latitude",
        "longitude",
    )

    def rule_values(self) -> dict:
        """The values for services.validate_estate when the form refused some fields."""
        data = self.parsed_values(raw=self.RAW_FOR_RULES)
        data.pop("version", None)
        return data


def estate_initial(estate: Estate) -> dict:
    return {
        "code": estate.code,
        "name": estate.name,
        "district": estate.district.code,
        "street": estate.street.code,
        "community": estate.community_id,
        "address": estate.address,
        "grid_code": estate.grid_code,
        "year_built": estate.year_built,
        "building_area": estate.building_area,
        "households": estate.households,
        "buildings": estate.buildings,
        "category": estate.category,
        "renovation_year": estate.renovation_year,
        "management_mode": estate.management_mode,
        "service_firm": estate.service_firm_id,
        "latitude": estate.latitude,
        "longitude": estate.longitude,
        "version": estate.version,
    }


class CommunityForm(ServiceErrorsMixin, forms.Form):
    name = _text("社区名称", required=True, max_length=50)
    code = _text("社区编码", max_length=20)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()


class FirmForm(ServiceErrorsMixin, forms.Form):
    name = _text("企业名称", required=True, max_length=100)
    credit_code = _text(
        "统一社会信用代码", required=True, max_length=18, help_text="18位，GB 32100-2015，末位为校验位。"
    )
    is_public_welfare = forms.BooleanField(label="公益性物业服务企业", required=False)
    founding = forms.ChoiceField(
        label="组建方式",
        required=False,
        choices=[("", "（非公益性企业留空）"), *FirmFounding.choices],
        error_messages=ERR,
    )
    district = forms.ModelChoiceField(
        label="登记区",
        queryset=District.objects.none(),
        to_field_name="code",
        empty_label="请选择区",
        error_messages={**ERR, "invalid_choice": Msg.DISTRICT_INVALID},
    )
    street = forms.ModelChoiceField(
        label="委托街道",
        queryset=Street.objects.none(),
        to_field_name="code",
        required=False,
        empty_label="（由区政府委托或非公益性企业）",
        error_messages={**ERR, "invalid_choice": Msg.STREET_INVALID},
    )
    legal_representative = _text("法定代表人", max_length=50)
    phone = _text("联系电话", max_length=20)
    address = _text("地址", max_length=200)

    def __init__(self, *args, user, instance: ServiceFirm | None = None, **kwargs):
        self.user, self.instance = user, instance
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": instance.name,
                "credit_code": instance.credit_code,
                "is_public_welfare": instance.is_public_welfare,
                "founding": instance.founding,
                "district": instance.district.code,
                "street": instance.street.code if instance.street_id else None,
                "legal_representative": instance.legal_representative,
                "phone": instance.phone,
                "address": instance.address,
            }
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = District.objects.writable_by(user)
        self.fields["street"].queryset = Street.objects.writable_by(user).select_related("district")
        level = user.scope_level
        if level in ("district", "street"):
            # The registering unit is the user's own: shown, not chosen (services sets it).
            self.fields["district"].required = False
            self.fields["district"].disabled = True
            self.fields["district"].initial = user.district.code if user.district_id else None
        if level == "street":
            self.fields["street"].disabled = True
            self.fields["street"].initial = user.street.code if user.street_id else None
        self.style()

    def values(self) -> dict:
        return dict(self.cleaned_data)


class CommitteeForm(ServiceErrorsMixin, forms.Form):
    TEXT_KINDS = {"service_standard": "description"}
    name = _text("名称", required=True, max_length=100)
    formed_on = _date("成立日期", required=True, fact=True)
    term_start = _date("任期开始", required=True)
    term_end = _date("任期结束", required=True)
    is_active = forms.BooleanField(label="在任", required=False, initial=True)
    service_standard = forms.CharField(
        label="服务标准",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="物管会制定的小区物业服务标准（条例第四条）。",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()


class MemberForm(ServiceErrorsMixin, forms.Form):
    name = _text("姓名", max_length=50)
    role = forms.ChoiceField(
        label="职务",
        choices=CommitteeMemberRole.choices,
        initial=CommitteeMemberRole.MEMBER,
        error_messages={**ERR, "invalid_choice": Msg.MEMBER_ROLE},
    )
    is_owner = forms.BooleanField(label="业主", required=False, initial=True)
    phone = _text("联系电话", max_length=20)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {}) or {}
        return not (data.get("name") or data.get("phone"))


MemberFormSet = forms.formset_factory(MemberForm, extra=5, can_delete=True, max_num=50, absolute_max=60)


class OwnersOrganisationForm(ServiceErrorsMixin, forms.Form):
    kind = forms.ChoiceField(
        label="类型",
        choices=[("", "请选择类型"), *OwnersOrganisationKind.choices],
        error_messages={**ERR, "invalid_choice": Msg.ORG_KIND},
    )
    established_on = _date("成立日期", required=True, fact=True)
    term_end = _date("任期结束")
    chair = _text("主任/召集人", max_length=50)
    is_active = forms.BooleanField(label="有效", required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()


class StreetRecordForm(ServiceErrorsMixin, forms.Form):
    residential_estate_count = _int("辖区住宅小区总数", min=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[
            "residential_estate_count"
        ].help_text = "辖区全部住宅小区数（不限于老旧小区），用于街道人员配备标准（100个及以上宜配备5名以上）。"
        self.style()


class StreetReassignForm(ServiceErrorsMixin, forms.Form):
    district = forms.ModelChoiceField(
        label="调整后的管理区",
        queryset=District.objects.all(),
        to_field_name="code",
        empty_label="请选择区",
        error_messages=ERR,
    )
    confirm = forms.BooleanField(
        label="我已了解：该街道下的社区、小区、用户及其他数据将一并划归新的管理区。",
        error_messages={"required": "请确认后再提交。"},
    )

    def __init__(self, *args, street: Street, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = District.objects.exclude(pk=street.district_id)
        self.style()
