"""Scheme pages (考核方案): the list, one scheme's form, a new version."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.rules import can, require

from .. import services
from ..errors import Refused
from ..forms import NewVersionForm, SchemeForm
from ..models import Scheme


# --- schemes -----------------------------------------------------------------------------------
@login_required
def scheme_list(request):
    schemes = Scheme.objects.all()
    return render(
        request,
        "assessments/scheme_list.html",
        {
            "schemes": schemes,
            "breadcrumbs": [("考核", reverse("assessments:index")), ("考核方案", "")],
        },
    )


def _scheme_initial(scheme: Scheme) -> dict:
    return {
        "name": scheme.name,
        "source_document": scheme.source_document,
        "valid_from_year": scheme.valid_from_year,
        "valid_to_year": scheme.valid_to_year,
        "management_points": scheme.management_points,
        "dispute_points": scheme.dispute_points,
        "repair_points": scheme.repair_points,
        "satisfaction_points": scheme.satisfaction_points,
        "appeal_window_days": scheme.appeal_window_days,
        "notes": scheme.notes,
        "third_party_rule": scheme.third_party_rule,
        "deviation_threshold": scheme.deviation_threshold,
        "deviation_alpha": scheme.deviation_alpha,
        "items": "\n".join(f"{i.category},{i.code},{i.name},{i.max_points}" for i in scheme.items.all()),
        "bands": "\n".join(f"{b.kind},{b.threshold},{b.points}" for b in scheme.bands.all()),
        "grades": "\n".join(f"{g.min_score},{g.grade}" for g in scheme.grade_bands.all()),
    }


def _parse_lines(text: str, arity: int, label: str) -> list[list[str]]:
    out = []
    for n, line in enumerate(text.replace("，", ",").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split(",")]
        if len(parts) != arity:
            raise Refused(f"{label}第{n}行格式不正确。")
        out.append(parts)
    return out


def _dec(value: str, label: str) -> Decimal:
    try:
        return Decimal(value)
    except Exception:
        raise Refused(f"{label}“{value}”不是数字。") from None


@login_required
def scheme_detail(request, pk):
    scheme = get_object_or_404(Scheme, pk=pk)
    form = None
    if can(request.user, "scheme"):
        form = SchemeForm(request.POST or None, initial=_scheme_initial(scheme))
        if request.method == "POST" and form.is_valid():
            d = form.cleaned_data
            try:
                items = [
                    {"category": c, "code": code, "name": name, "max_points": _dec(mx, "满分"), "position": i}
                    for i, (c, code, name, mx) in enumerate(_parse_lines(d["items"], 4, "检查项目"))
                ]
                bands = [
                    {"kind": k, "threshold": _dec(t, "下限"), "points": _dec(p, "得分")}
                    for k, t, p in _parse_lines(d["bands"], 3, "评分分档")
                ]
                grades = [
                    {"min_score": _dec(s, "最低分"), "grade": g} for s, g in _parse_lines(d["grades"], 2, "等级划分")
                ]
                fields = {
                    k: d[k]
                    for k in (
                        "name",
                        "source_document",
                        "valid_from_year",
                        "valid_to_year",
                        "management_points",
                        "dispute_points",
                        "repair_points",
                        "satisfaction_points",
                        "appeal_window_days",
                        "notes",
                        "third_party_rule",
                        "deviation_threshold",
                        "deviation_alpha",
                    )
                }
                services.update_scheme(scheme, by=request.user, fields=fields, items=items, bands=bands, grades=grades)
            except Refused as exc:
                messages.error(request, exc.message)
                for key, message in exc.errors.items():
                    form.add_error(key if key in form.fields else None, message)
            else:
                messages.success(request, "方案已保存。")
                return redirect("assessments:scheme_detail", pk=scheme.pk)
        elif request.method == "POST":
            messages.error(request, "方案有误，请按提示修改。")
    elif request.method == "POST":
        raise PermissionDenied("您没有执行此操作的权限。")
    return render(
        request,
        "assessments/scheme_detail.html",
        {
            "scheme": scheme,
            "form": form,
            "locked": scheme.is_locked(),
            "version_form": NewVersionForm(),
            "items": scheme.items.all(),
            "bands": scheme.bands.all(),
            "grades": scheme.grade_bands.all(),
            "breadcrumbs": [
                ("考核", reverse("assessments:index")),
                ("考核方案", reverse("assessments:scheme_list")),
                (str(scheme), ""),
            ],
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def scheme_new_version(request, pk):
    require(request.user, "scheme")
    base = get_object_or_404(Scheme, pk=pk)
    form = NewVersionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写新版本的起始年度。")
        return redirect("assessments:scheme_detail", pk=base.pk)
    try:
        scheme = services.new_scheme_version(base, by=request.user, **form.cleaned_data)
    except Refused as exc:
        messages.error(request, exc.message)
        return redirect("assessments:scheme_detail", pk=base.pk)
    messages.success(request, f"已新建{scheme}，请核对各项数值。")
    return redirect("assessments:scheme_detail", pk=scheme.pk)
