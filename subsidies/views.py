"""Pages of the subsidies (扶持资金): sheets and their workflow, the 审批表, disbursements, the
workbook export, policies, the budget view and the what-if (测算). Reading goes through
visible_to (a finance role never sees a draft); writing through services and accounts.rules."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q, Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.choices import FINANCE_ROLES, Role
from accounts.rules import can, require
from assessments.errors import Refused
from assessments.models import AssessmentYear, CycleRun
from communities.models import District
from core.jobs import enqueue
from core.models import Job
from core.money import format_yuan
from core.ordering import Ordering

from . import services, whatif
from .choices import GRADE_ORDER, MoneyDirection, PolicyKind, SheetStatus
from .forms import DisbursementForm, PayeeForm, PolicyForm
from .models import Allocation, AllocationSheet, Disbursement, Policy

READERS = frozenset({Role.CITY_ADMIN, Role.CITY_FINANCE, Role.AUDITOR, Role.DISTRICT_STAFF, Role.DISTRICT_FINANCE})
PAGE_SIZE = 100
CRUMB = ("扶持资金", "/subsidies/")


def _require_reader(user):
    if user.role not in READERS:
        raise PermissionDenied("扶持资金仅对市、区房产局，市、区财政局及审计开放。")


def _years() -> list[int]:
    years = set(AllocationSheet.objects.values_list("year", flat=True).distinct())
    years |= set(CycleRun.objects.filter(is_current=True).values_list("year", flat=True))
    return sorted(years, reverse=True) or [timezone.localdate().year - 1]


def _year(request, years) -> int:
    try:
        return int(request.GET.get("year") or years[0])
    except ValueError:
        return years[0]


# --- sheets ------------------------------------------------------------------------------------------
# Sortable columns of the year's sheets (core.ordering); by default district by district.
SHEET_ORDER = Ordering(
    {"district": ("district__code", "version"), "status": "status", "estates": "estates", "total": "total_fen"},
    default=("district__code", "version", "pk"),
)


@login_required
def index(request):
    """分配表: the year's sheets the user may see (a finance role: approved ones only)."""
    _require_reader(request.user)
    years = _years()
    landed = None
    if request.GET.get("year"):
        year = _year(request, years)
    else:
        year, landed = _landing_year(request.user, years)
    sheets = list(
        SHEET_ORDER.apply(
            request,
            AllocationSheet.objects.visible_to(request.user)
            .filter(year=year)
            .select_related("district", "confirmed_by", "approved_by"),
        )
    )
    totals = {
        k: sum(getattr(s, k) for s in sheets if s.version == 1)
        for k in ("management_fen", "startup_fen", "total_fen", "city_fen", "district_fen")
    }
    state = AssessmentYear.objects.filter(year=year).first()
    hidden = 0
    if request.user.role in FINANCE_ROLES:
        hidden = (
            AllocationSheet.objects.writable_by(request.user)
            .filter(year=year)
            .exclude(status=SheetStatus.APPROVED)
            .count()
        )
    return render(
        request,
        "subsidies/index.html",
        {
            "years": years,
            "year": year,
            "sheets": sheets,
            "totals": totals,
            "state": state,
            "hidden": hidden,
            "landed": landed,
            # only districts whose sheet of the year this user may read (a finance role: approved)
            "districts": District.objects.filter(
                pk__in=AllocationSheet.objects.visible_to(request.user)
                .filter(year=year, version=1)
                .values("district_id")
            ).order_by("code"),
            "coverage": _coverage(year, request.user),
            "breadcrumbs": [CRUMB[:1] + ("",)],
        },
    )


def _landing_year(user, years) -> tuple[int, dict | None]:
    """The year the index opens on without ?year=: the latest one, unless this user may see no
    sheet of it (a finance role before approval) — then the latest year holding a sheet the
    user may see, with a note saying why (→ year, note or None)."""
    latest = years[0]
    visible = AllocationSheet.objects.visible_to(user).order_by("-year").values_list("year", flat=True).first()
    if visible is None or visible == latest:
        return latest, None
    return visible, {"year": visible, "latest": latest, "finance": user.role in FINANCE_ROLES}


def _coverage(year: int, user) -> dict:
    """Which policy covers which districts in `year`, and the districts (in the user's scope) no
    policy covers — listed as 不适用 so a missing district is not read as a missing sheet."""
    policies = list(Policy.objects.covering(year).prefetch_related("districts").order_by("kind", "valid_from_year"))
    covered = {d.pk for p in policies for d in p.districts.all()}
    return {
        "policies": [{"policy": p, "districts": sorted(p.districts.all(), key=lambda d: d.code)} for p in policies],
        "not_covered": list(District.objects.visible_to(user).exclude(pk__in=covered).order_by("code")),
    }


def _sheet_for_read(request, pk) -> AllocationSheet:
    _require_reader(request.user)
    return get_object_or_404(
        AllocationSheet.objects.visible_to(request.user).select_related(
            "district", "run", "run__created_by", "confirmed_by", "approved_by"
        ),
        pk=pk,
    )


@login_required
def sheet_detail(request, pk):
    return _sheet_page(request, _sheet_for_read(request, pk))


def _sheet_page(request, sheet, disbursement_form=None, status=200):
    """The sheet's page; after a refused 拨付 entry, with the typed values and every message
    beside its field (HTTP 400), rather than a redirect that loses both."""
    rows = (
        Allocation.objects.filter(sheet=sheet)
        .select_related("estate", "street", "community")
        .order_by("street__code", "community__name", "estate__code", "kind")
    )
    kind = request.GET.get("kind")
    if kind in PolicyKind.values:
        rows = rows.filter(kind=kind)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    user = request.user
    share = services.share_of(user)
    approved_before = None
    if sheet.is_adjustment:
        approved_before = AllocationSheet.objects.filter(
            year=sheet.year, district=sheet.district, status=SheetStatus.APPROVED, version__lt=sheet.version
        ).order_by("version")
    return render(
        request,
        "subsidies/sheet_detail.html",
        {
            "sheet": sheet,
            "page_obj": page,
            "kind": kind,
            "balances": services.balances(sheet),
            "disbursements": sheet.disbursements.select_related("recorded_by"),
            "events": sheet.events.select_related("by"),
            "can_confirm": sheet.status == SheetStatus.DRAFT
            and can(user, "sheet_confirm")
            and user.district_id == sheet.district_id,
            "can_approve": sheet.status == SheetStatus.CONFIRMED and can(user, "sheet_approve"),
            # The button is there for whoever holds the step, disabled with the rule's own words.
            "confirm_refusal": services.confirm_refusal(sheet, by=user) if sheet.status == SheetStatus.DRAFT else None,
            "approve_refusal": services.approve_refusal(sheet, by=user)
            if sheet.status == SheetStatus.CONFIRMED
            else None,
            "can_edit_payee": not sheet.is_frozen and can(user, "payee"),
            "share": share,
            "disbursement_form": disbursement_form
            or (
                DisbursementForm(initial={"date": timezone.localdate()})
                if share and sheet.status == SheetStatus.APPROVED
                else None
            ),
            "year_closed": AssessmentYear.objects.filter(year=sheet.year, status="closed").exists(),
            "approved_before": approved_before,
            # every run behind the figures: their starters may not approve (the page says why)
            "carried_runs": services.runs_behind(sheet)[1:] if sheet.run_id else [],
            "breadcrumbs": [
                CRUMB,
                (f"{sheet.year}年度", f"{reverse('subsidies:index')}?year={sheet.year}"),
                (sheet.title, ""),
            ],
        },
        status=status,
    )


@login_required
@require_POST
def sheet_confirm(request, pk):
    if not can(request.user, "sheet_confirm"):
        raise PermissionDenied("只有区房产局可以确认分配表。")
    sheet = services.sheet_for_write(request.user, pk)
    try:
        services.confirm_sheet(sheet, by=request.user)
        messages.success(request, f"已确认{sheet.title}，等待市房产局审核。")
    except Refused as exc:
        messages.error(request, exc.message)
    return redirect("subsidies:sheet_detail", pk=sheet.pk)


@login_required
@require_POST
def sheet_approve(request, pk):
    if not can(request.user, "sheet_approve"):
        raise PermissionDenied("只有市房产局可以审核分配表。")
    sheet = get_object_or_404(AllocationSheet.objects.writable_by(request.user), pk=pk)
    try:
        services.approve_sheet(sheet, by=request.user)
        messages.success(request, f"已审核{sheet.title}，分配表已冻结。")
    except Refused as exc:
        messages.error(request, exc.message)
    return redirect("subsidies:sheet_detail", pk=sheet.pk)


@login_required
def sheet_print(request, pk):
    """审批表: printable, with signature and seal blocks for the district and the city."""
    sheet = _sheet_for_read(request, pk)
    by_kind = {
        k: Allocation.objects.filter(sheet=sheet, kind=k).aggregate(
            n=Sum(1), amount=Sum("amount_fen"), city=Sum("city_fen"), district=Sum("district_fen")
        )
        for k in PolicyKind.values
    }
    return render(
        request,
        "subsidies/sheet_print.html",
        {
            "sheet": sheet,
            "policies": Policy.objects.covering(sheet.year).filter(districts=sheet.district),
            "by_kind": by_kind,
            "printed_at": timezone.now(),
        },
    )


@login_required
@require_POST
def allocation_payee(request, pk):
    """收款单位 of a row, while its sheet is not approved (an approved sheet is frozen)."""
    if not can(request.user, "payee"):
        raise PermissionDenied("您没有修改收款单位的权限。")
    row = get_object_or_404(Allocation.objects.writable_by(request.user).select_related("sheet"), pk=pk)
    form = PayeeForm(request.POST)
    if row.sheet.is_frozen:
        messages.error(
            request, "该分配表已经市级审核，已冻结，不能修改；如需更正，请由市房产局重新开放年度后形成调整表。"
        )
    elif not form.is_valid():
        messages.error(request, "请填写收款单位（不超过200字）。")
    else:
        if services.set_payee(row, form.cleaned_data["payee"], by=request.user):
            messages.success(request, f"已修改{row.estate}的收款单位。")
    return redirect("subsidies:sheet_detail", pk=row.sheet_id)


# --- disbursements ---------------------------------------------------------------------------------------
@login_required
@require_POST
def disbursement_new(request, pk):
    if services.share_of(request.user) is None:
        raise PermissionDenied("只有财政局可以录入拨付记录。")
    sheet = get_object_or_404(AllocationSheet.objects.visible_to(request.user), pk=pk)
    form = DisbursementForm(request.POST)
    if not form.is_valid():
        messages.error(request, "未保存，请按提示修改。")
        return _sheet_page(request, sheet, form, status=400)
    try:
        d = services.record_disbursement(
            sheet,
            by=request.user,
            amount=form.cleaned_data["amount"],
            date=form.cleaned_data["date"],
            document_no=form.cleaned_data["document_no"],
            direction=form.cleaned_data["direction"],
        )
    except Refused as exc:
        if not exc.errors:  # a rule of the sheet, not of a value typed: said above the page
            messages.error(request, exc.message)
            return redirect("subsidies:sheet_detail", pk=sheet.pk)
        for field, message in exc.errors.items():
            form.add_error(field if field in form.fields else None, message)
        messages.error(request, exc.message)
        return _sheet_page(request, sheet, form, status=400)
    messages.success(
        request,
        f"已录入{d.get_share_display()}{d.get_direction_display()} {format_yuan(d.amount_fen)} 元（{d.document_no}）。",
    )
    return redirect("subsidies:sheet_detail", pk=sheet.pk)


@login_required
def disbursement_list(request):
    """拨付记录 the user may see."""
    _require_reader(request.user)
    rows = Disbursement.objects.visible_to(request.user).select_related("sheet", "district", "recorded_by")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "subsidies/disbursement_list.html",
        {
            "page_obj": page,
            "breadcrumbs": [CRUMB, ("拨付记录", "")],
        },
    )


# --- the workbook ------------------------------------------------------------------------------------------
@login_required
@require_POST
def export(request):
    """Background export (a Job): progress bar and download link on the job page."""
    _require_reader(request.user)
    try:
        year = int(request.POST.get("year") or _years()[0])
    except ValueError:
        messages.error(request, "年度格式不正确。")
        return redirect("subsidies:index")
    params = {"year": year}
    district = request.POST.get("district")
    if district:
        # only a district whose sheet of the year this user may read (as the drop-down offers)
        readable = AllocationSheet.objects.visible_to(request.user).filter(year=year, version=1)
        if not district.isdigit() or not readable.filter(district_id=int(district)).exists():
            messages.error(request, f"所选区没有您可查看的{year}年度分配表，未生成。")
            return redirect(f"{reverse('subsidies:index')}?year={year}")
        params["district_ids"] = [int(district)]
    job = Job.objects.create(
        kind="export_allocations", title=f"导出{year}年度补贴分配表", created_by=request.user, params=params
    )
    enqueue(job)
    return redirect("core:job_detail", pk=job.pk)


# --- policies ----------------------------------------------------------------------------------------------
@login_required
def policy_list(request):
    _require_reader(request.user)
    return render(
        request,
        "subsidies/policy_list.html",
        {
            "policies": Policy.objects.prefetch_related("districts", "rates", "tiers"),
            "can_edit": can(request.user, "policy"),
            "breadcrumbs": [CRUMB, ("扶持政策", "")],
        },
    )


@login_required
def policy_detail(request, pk):
    """A policy; city_admin edits it (rates, tiers, split, districts, years) or copies it as
    the next period's. Policies used by an approved sheet are not edited in place."""
    _require_reader(request.user)
    policy = get_object_or_404(Policy.objects.prefetch_related("districts", "rates", "tiers"), pk=pk)
    used = Allocation.objects.filter(policy=policy, sheet__status=SheetStatus.APPROVED).exists()
    form = None
    status = 200
    if can(request.user, "policy"):
        form = PolicyForm(request.POST or None, instance=policy)
        if request.method == "POST":
            if used and not request.POST.get("as_new"):
                messages.error(request, "该政策已用于已审核的分配表，不能直接修改；请“另存为新政策”并设置适用年度。")
                status = 400
            elif form.is_valid():
                saved = form.save_policy(as_new=bool(request.POST.get("as_new")))
                messages.success(request, f"已保存政策“{saved.name}”。")
                return redirect("subsidies:policy_detail", pk=saved.pk)
            else:
                status = 400
    elif request.method == "POST":
        require(request.user, "policy")
    return render(
        request,
        "subsidies/policy_detail.html",
        {
            "policy": policy,
            "form": form,
            "used": used,
            "breadcrumbs": [CRUMB, ("扶持政策", reverse("subsidies:policy_list")), (policy.name, "")],
        },
        status=status,
    )


# --- budget and what-if ----------------------------------------------------------------------------------------
def policy_years_q() -> Q:
    """Sheets of a (year, district) that a policy covers — the policies say which years, not the
    code. Withdrawn (inactive) policies count too: the sheets made under them still hold money."""
    q = Q(pk__in=[])
    for policy in Policy.objects.prefetch_related("districts"):
        covered = Q(year__gte=policy.valid_from_year, district_id__in=[d.pk for d in policy.districts.all()])
        if policy.valid_to_year is not None:
            covered &= Q(year__lte=policy.valid_to_year)
        q |= covered
    return q


def budget_rows(user):
    """Per year and district that a policy covers: amounts of the sheets in force (approved ones
    for a finance role), the shares, what was disbursed and what is outstanding."""
    sheets = AllocationSheet.objects.visible_to(user).filter(policy_years_q()).select_related("district")
    data: dict = {}
    for s in sheets.order_by("year", "district__code", "version"):
        key = (s.year, s.district_id)
        row = data.setdefault(
            key,
            {
                "year": s.year,
                "district": s.district.name,
                "management": 0,
                "startup": 0,
                "total": 0,
                "city": 0,
                "district_share": 0,
                "status": s.get_status_display(),
                "paid": 0,
                "due": 0,
            },
        )
        row["management"] += s.management_fen
        row["startup"] += s.startup_fen
        row["total"] += s.total_fen
        row["city"] += s.city_fen
        row["district_share"] += s.district_fen
        row["status"] = s.get_status_display()
        if s.status == SheetStatus.APPROVED:
            row["due"] += s.total_fen
    paid = (
        Disbursement.objects.visible_to(user)
        .values("sheet__year", "district_id", "direction")
        .annotate(s=Sum("amount_fen"))
    )
    for p in paid:
        row = data.get((p["sheet__year"], p["district_id"]))
        if row is not None:
            row["paid"] += p["s"] if p["direction"] == MoneyDirection.PAYMENT else -p["s"]
    rows = list(data.values())
    for r in rows:
        r["outstanding"] = r["due"] - r["paid"]
    return rows


@login_required
def budget(request):
    _require_reader(request.user)
    rows = budget_rows(request.user)
    years = sorted({r["year"] for r in rows})
    chart = {
        "years": [str(y) for y in years],
        "series": [
            {
                "name": name,
                "data": [str(format_yuan(sum(r[key] for r in rows if r["year"] == y)).replace(",", "")) for y in years],
            }
            for name, key in (
                ("管理扶持", "management"),
                ("整治扶持", "startup"),
                ("市级承担", "city"),
                ("区级承担", "district_share"),
                ("已拨付", "paid"),
            )
        ],
    }
    totals = {
        k: sum(r[k] for r in rows)
        for k in ("management", "startup", "total", "city", "district_share", "paid", "outstanding")
    }
    return render(
        request,
        "subsidies/budget.html",
        {
            "rows": rows,
            "chart": chart,
            "totals": totals,
            "breadcrumbs": [CRUMB, ("资金预算与拨付", "")],
        },
    )


@login_required
def what_if(request):
    """测算: change rates, bands or the split and see the totals per district beside the real
    ones; nothing is saved (a GET form)."""
    if not can(request.user, "what_if"):
        raise PermissionDenied("只有市房产局和市财政局可以进行资金测算。")
    years = _years()
    year = _year(request, years)
    scenario, errors = whatif.read_scenario(request.GET, year)
    result = whatif.compare(year, scenario) if scenario and not errors else None
    values = whatif.form_values(request.GET, year)
    return render(
        request,
        "subsidies/what_if.html",
        {
            "years": years,
            "year": year,
            "scenario": scenario,
            "errors": errors,
            "result": result,
            "totals": whatif.totals(result) if result else None,
            "chart": whatif.chart(result) if result else None,
            "grades": GRADE_ORDER[:3],
            "defaults": values,
            "breadcrumbs": [CRUMB, ("资金测算", "")],
        },
    )
