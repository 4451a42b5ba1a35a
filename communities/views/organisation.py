"""Pages of entrustment contracts (委托合同), committee vettings (资格审核), supervision records
(监督记录) and term warnings (任期届满提醒). Reading through visible_to (404 outside the scope),
writing through communities.organisation (403 for the wrong role; the form again on bad input)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.rules import can
from core.forms import CarrierFormMixin, apply_errors

from .. import organisation
from ..choices import EntrustingParty, VettingUnit
from ..models import CommitteeMember, Estate, PropertyCommittee, ServiceContract, ServiceFirm

DATE = forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")


class _Loose(CarrierFormMixin, forms.Form):
    """Carries the values only; the rules and messages are communities.organisation's."""


class ContractForm(_Loose):
    firm = forms.ChoiceField(label="物业服务企业")
    entrusted_by = forms.ChoiceField(label="委托方", choices=[("", "请选择")] + EntrustingParty.choices)
    number = forms.CharField(label="合同编号", max_length=50)
    start_date = forms.CharField(label="合同开始日期", widget=DATE)
    end_date = forms.CharField(label="合同结束日期", widget=DATE)
    terminated_on = forms.CharField(label="提前终止日期", widget=DATE)
    fee_per_m2_month = forms.CharField(label="收费标准（元/㎡·月）", max_length=12)
    security = forms.BooleanField(label="保安")
    cleaning = forms.BooleanField(label="保洁")
    greening = forms.BooleanField(label="保绿")
    repair = forms.BooleanField(label="维修")
    other = forms.BooleanField(label="其他")
    other_text = forms.CharField(label="其他服务说明", max_length=100)

    def __init__(self, *args, estate=None, **kwargs):
        super().__init__(*args, **kwargs)
        firms = ServiceFirm.objects.order_by("name")
        if estate is not None:
            firms = firms.filter(district_id=estate.district_id)
        self.fields["firm"].choices = [("", "请选择")] + [(f.pk, f.name) for f in firms[:500]]


class SupervisionForm(_Loose):
    TEXT_KINDS = {"findings": "description", "rectification": "description"}
    date = forms.CharField(label="检查日期", widget=DATE)
    findings = forms.CharField(label="发现问题", widget=forms.Textarea(attrs={"rows": 3}))
    rectification = forms.CharField(label="整改要求与结果", widget=forms.Textarea(attrs={"rows": 2}))
    satisfied = forms.BooleanField(label="服务达标")


def _contract(request, pk) -> ServiceContract:
    return get_object_or_404(
        ServiceContract.objects.visible_to(request.user).select_related(
            "estate", "firm", "district", "street", "community"
        ),
        pk=pk,
    )


@login_required
def contract_list(request):
    qs = ServiceContract.objects.visible_to(request.user).select_related("estate", "firm", "street")
    ending = request.GET.get("ending") == "1"
    if ending:
        qs = organisation.contracts_ending(qs)
    page = Paginator(qs.order_by("-start_date", "-id"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "communities/contract_list.html",
        {
            "page_obj": page,
            "ending": ending,
            "today": timezone.localdate(),
            "breadcrumbs": [("小区登记", "/registry/estates/"), ("委托合同", "")],
        },
    )


@login_required
def contract_create(request, estate_pk):
    estate = get_object_or_404(Estate.objects.visible_to(request.user), pk=estate_pk)
    if not (can(request.user, "contract") and Estate.objects.writable_by(request.user).filter(pk=estate.pk).exists()):
        raise PermissionDenied
    form = ContractForm(estate=estate)
    if request.method == "POST":
        form = ContractForm(request.POST, estate=estate)
        if form.is_valid():
            try:
                contract = organisation.create_contract({**form.cleaned_data, "estate": estate.pk}, by=request.user)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, "已登记委托合同。")
                return redirect("communities:contract_detail", pk=contract.pk)
    return render(
        request,
        "communities/contract_form.html",
        {
            "form": form,
            "estate": estate,
            "title": f"{estate.name} · 登记委托合同",
            "breadcrumbs": [
                ("小区登记", "/registry/estates/"),
                (estate.name, f"/registry/estates/{estate.pk}/"),
                ("登记委托合同", ""),
            ],
        },
    )


@login_required
def contract_detail(request, pk):
    contract = _contract(request, pk)
    return render(
        request,
        "communities/contract_detail.html",
        {
            "contract": contract,
            "can_edit": organisation.contract_writable(request.user, contract),
            "active": contract.is_active_on(timezone.localdate()),
            "breadcrumbs": [
                ("小区登记", "/registry/estates/"),
                ("委托合同", "/registry/contracts/"),
                (str(contract), ""),
            ],
        },
    )


@login_required
def contract_edit(request, pk):
    contract = _contract(request, pk)
    if not organisation.contract_writable(request.user, contract):
        raise PermissionDenied
    initial = {k: getattr(contract, k) for k in organisation.CONTRACT_FIELDS}
    initial["firm"] = contract.firm_id
    for key in ("start_date", "end_date", "terminated_on"):
        initial[key] = initial[key].isoformat() if initial[key] else ""
    form = ContractForm(initial=initial, estate=contract.estate)
    if request.method == "POST":
        form = ContractForm(request.POST, estate=contract.estate)
        if form.is_valid():
            try:
                organisation.update_contract(contract, form.cleaned_data, by=request.user)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, "已保存。")
                return redirect("communities:contract_detail", pk=contract.pk)
    return render(
        request,
        "communities/contract_form.html",
        {
            "form": form,
            "estate": contract.estate,
            "title": f"编辑委托合同：{contract}",
            "breadcrumbs": [("小区登记", "/registry/estates/"), ("委托合同", "/registry/contracts/"), ("编辑", "")],
        },
    )


@login_required
@require_POST
def member_vetting(request, pk, member_pk):
    committee = get_object_or_404(PropertyCommittee.objects.visible_to(request.user), pk=pk)
    member = get_object_or_404(CommitteeMember.objects.filter(committee=committee), pk=member_pk)
    unit = request.POST.get("unit")
    if not any(organisation.can_vet(request.user, committee, u) for u in VettingUnit.values):
        raise PermissionDenied
    if unit in VettingUnit.values and not organisation.can_vet(request.user, committee, unit):
        raise PermissionDenied
    try:
        organisation.record_vetting(member, request.POST, by=request.user)
    except ValidationError as exc:
        for msgs in exc.message_dict.values():
            for m in msgs:
                messages.error(request, m)
    else:
        messages.success(request, f"已记录{member.name}的{VettingUnit(unit).label}审核。")
    return redirect("communities:committee_detail", pk=committee.pk)


@login_required
def supervision_create(request, pk):
    committee = get_object_or_404(PropertyCommittee.objects.visible_to(request.user).select_related("estate"), pk=pk)
    if not (
        can(request.user, "committee")
        and Estate.objects.writable_by(request.user).filter(pk=committee.estate_id).exists()
    ):
        raise PermissionDenied
    form = SupervisionForm(initial={"satisfied": True})
    if request.method == "POST":
        form = SupervisionForm(request.POST)
        if form.is_valid():
            try:
                organisation.add_supervision(committee, form.cleaned_data, by=request.user)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, "已登记监督记录。")
                return redirect("communities:committee_detail", pk=committee.pk)
    return render(
        request,
        "communities/supervision_form.html",
        {
            "form": form,
            "committee": committee,
            "breadcrumbs": [
                ("小区登记", "/registry/estates/"),
                (committee.name, f"/registry/committees/{committee.pk}/"),
                ("登记监督记录", ""),
            ],
        },
    )


@login_required
def committee_terms(request):
    qs = organisation.committees_ending(
        PropertyCommittee.objects.visible_to(request.user).select_related("estate", "street", "community")
    )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    today = timezone.localdate()
    return render(
        request,
        "communities/committee_terms.html",
        {
            "page_obj": page,
            "rows": [(c, organisation.term_warning(c, today)) for c in page],
            "breadcrumbs": [("小区登记", "/registry/estates/"), ("物管会任期届满提醒", "")],
        },
    )


def committee_context(user, committee: PropertyCommittee) -> dict:
    """What the committee page shows of vettings, supervision and the term warning."""
    members = list(committee.members.all().order_by("role", "pk").prefetch_related("vettings__confirmed_by"))
    return {
        "term_warning": organisation.term_warning(committee),
        "vettings": [(m, organisation.vetting_status(m)) for m in members],
        "can_vet_street": organisation.can_vet(user, committee, VettingUnit.STREET),
        "can_vet_community": organisation.can_vet(user, committee, VettingUnit.COMMUNITY),
        "supervisions": committee.supervisions.select_related("firm", "recorded_by")[:20],
        "can_supervise": can(user, "committee")
        and Estate.objects.writable_by(user).filter(pk=committee.estate_id).exists(),
    }
